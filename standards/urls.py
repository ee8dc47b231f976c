from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.EditionListView.as_view(), name="standard-list"),
    path("<int:edition>/", views.EditionDetailView.as_view(), name="standard-detail"),
    re_path(
        r"^(?P<edition>[0-9]+)/sheet\.(?P<file_format>pdf|xlsx)$",
        views.EditionSheetView.as_view(),
        name="standard-sheet",
    ),
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
