from django.urls import path

from .views import StatsDashboardView, StatsExportView

urlpatterns = [
    path("", StatsDashboardView.as_view(), name="stats-dashboard"),
    path("export.xlsx", StatsExportView.as_view(), name="stats-export"),
]
