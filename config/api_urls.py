from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from assessments.api.views import SelfCheckViewSet
from communities import records
from communities.api.records import HistoryViewSet, viewset_for
from communities.api.views import CommunityViewSet, TownRecognitionViewSet
from core.api.views import ApiTokenViewSet, JobViewSet, TokenView, UnitViewSet, not_found
from dashboards.api.views import StatsCommunitiesView, StatsOverviewView, StatsTrendView, StatsUnitsView
from designations.api.views import DesignationViewSet, EnrolmentViewSet, VerifyView
from standards.api.views import StandardEditionViewSet

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
router.register("units", UnitViewSet, basename="unit")
router.register("communities", CommunityViewSet, basename="community")
# Every registered community record type (members/, facilities/, meetings/, ...) from its declaration.
for record_type in records.all_types():
    router.register(record_type.slug, viewset_for(record_type), basename=record_type.slug)
router.register("town-recognitions", TownRecognitionViewSet, basename="town-recognition")
router.register("history", HistoryViewSet, basename="history")
router.register("jobs", JobViewSet, basename="job")
router.register("standards", StandardEditionViewSet, basename="standard")
router.register("self-checks", SelfCheckViewSet, basename="self-check")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("designations", DesignationViewSet, basename="designation")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("stats/overview/", StatsOverviewView.as_view(), name="stats-overview"),
    path("stats/units/", StatsUnitsView.as_view(), name="stats-units"),
    path("stats/communities/", StatsCommunitiesView.as_view(), name="stats-communities"),
    path("stats/trend/", StatsTrendView.as_view(), name="stats-trend"),
    path("verify/<str:code>/", VerifyView.as_view(), name="verify"),
    path("", include(router.urls)),
    # Last: only paths ending in "/", so a missing slash is still redirected to the route it names.
    re_path(r"^[\s\S]*/$", not_found),  # [\s\S]: a path may hold a newline
]
