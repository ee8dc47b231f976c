from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.SelfCheckListView.as_view(), name="self-check-list"),
    path("run/", views.SelfCheckRunView.as_view(), name="self-check-run"),
    path("failures/", views.SelfCheckFailuresView.as_view(), name="self-check-failures"),
    path("<int:pk>/", views.SelfCheckDetailView.as_view(), name="self-check-detail"),
    re_path(
        r"^(?P<pk>[0-9]+)/sheet\.(?P<file_format>pdf|xlsx)$",
        views.SelfCheckSheetView.as_view(),
        name="self-check-sheet",
    ),
    path("evidence/<int:pk>/", views.IndicatorEvidenceFileView.as_view(), name="indicator-evidence-file"),
    path(
        "evidence/<int:pk>/remove/",
        views.IndicatorEvidenceRemoveView.as_view(),
        name="indicator-evidence-remove",
    ),
    path("<int:pk>/<slug:step>/", views.SelfCheckStepView.as_view(), name="self-check-step"),
]
