from django.urls import include, path
from rest_framework.routers import DefaultRouter

from communities.api.views import CommunityViewSet
from core.api.views import JobViewSet, TokenView, UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("communities", CommunityViewSet, basename="community")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
