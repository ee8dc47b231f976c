from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from communities.urls import record_urlpatterns, town_urlpatterns
from core.security import swagger_docs_view
from dashboards.views import DashboardView
from designations.urls import enrolment_urlpatterns, verify_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_docs_view, name="api-docs"),
    path("", DashboardView.as_view(), name="dashboard"),
    path("communities/", include("communities.urls")),
    path("records/", include(record_urlpatterns)),
    path("towns/recognitions/", include(town_urlpatterns)),
    path("funding/", include("funding.urls")),
    path("standards/", include("standards.urls")),
    path("self-checks/", include("assessments.urls")),
    path("designations/", include("designations.urls")),
    path("enrolments/", include(enrolment_urlpatterns)),
    path("verify/", include(verify_urlpatterns)),
    path("stats/", include("dashboards.urls")),
    path("", include("core.urls")),
]

handler403 = "core.views.handler403"
handler404 = "core.views.handler404"
handler500 = "core.views.handler500"
