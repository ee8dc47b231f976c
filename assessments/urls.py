from django.urls import path

from . import views

urlpatterns = [
    path("", views.EditionListView.as_view(), name="standard-list"),
    path("<int:edition>/", views.EditionDetailView.as_view(), name="standard-detail"),
    path("<int:edition>/copy/", views.EditionCopyView.as_view(), name="standard-copy"),
    path("<int:edition>/edit/", views.EditionUpdateView.as_view(), name="standard-update"),
    path("<int:edition>/publish/", views.EditionPublishView.as_view(), name="standard-publish"),
    path("<int:edition>/delete/", views.EditionDeleteView.as_view(), name="standard-delete"),
    path("<int:edition>/indicators/new/", views.IndicatorCreateView.as_view(), name="indicator-create"),
    path(
        "<int:edition>/indicators/<int:pk>/edit/",
        views.IndicatorUpdateView.as_view(),
        name="indicator-update",
    ),
    path(
        "<int:edition>/indicators/<int:pk>/delete/",
        views.IndicatorDeleteView.as_view(),
        name="indicator-delete",
    ),
]

self_check_urlpatterns = [
    path("", views.SelfCheckListView.as_view(), name="self-check-list"),
    path("run/", views.SelfCheckRunView.as_view(), name="self-check-run"),
    path("failures/", views.SelfCheckFailuresView.as_view(), name="self-check-failures"),
    path("<int:pk>/", views.SelfCheckDetailView.as_view(), name="self-check-detail"),
    path("evidence/<int:pk>/", views.IndicatorEvidenceFileView.as_view(), name="indicator-evidence-file"),
    path(
        "evidence/<int:pk>/remove/",
        views.IndicatorEvidenceRemoveView.as_view(),
        name="indicator-evidence-remove",
    ),
    path("<int:pk>/<slug:step>/", views.SelfCheckStepView.as_view(), name="self-check-step"),
]
