from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from assessments.designation_urls import verify_urlpatterns
from assessments.urls import self_check_urlpatterns
from communities.urls import record_urlpatterns, town_urlpatterns
from communities.views import DashboardView
from core.security import swagger_docs_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_docs_view, name="api-docs"),
    path("", DashboardView.as_view(), name="dashboard"),
    path("communities/", include("communities.urls")),
    path("records/", include(record_urlpatterns)),
    path("towns/recognitions/", include(town_urlpatterns)),
    path("standards/", include("assessments.urls")),
    path("self-checks/", include(self_check_urlpatterns)),
    path("designations/", include("assessments.designation_urls")),
    path("enrolments/", include("assessments.enrolment_urls")),
    path("verify/", include(verify_urlpatterns)),
    path("stats/", include("assessments.stats_urls")),
    path("", include("core.urls")),
]

handler403 = "core.views.handler403"
handler404 = "core.views.handler404"
