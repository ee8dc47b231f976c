from django.urls import path

from . import record_views, views

urlpatterns = [
    path("", views.CommunityListView.as_view(), name="community-list"),
    path("new/", views.CommunityCreateView.as_view(), name="community-create"),
    path("import/", views.ImportView.as_view(), name="community-import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="community-import-template"),
    path("<int:pk>/", views.CommunityDetailView.as_view(), name="community-detail"),
    path("<int:pk>/edit/", views.CommunityUpdateView.as_view(), name="community-update"),
    path("<int:pk>/delete/", views.CommunityDeleteView.as_view(), name="community-delete"),
    path("<int:pk>/viewers/", views.CommunityViewerView.as_view(), name="community-viewers"),
    path("<int:pk>/history/", record_views.CommunityHistoryView.as_view(), name="community-history"),
]

record_urlpatterns = [
    path("<slug:slug>/", record_views.RecordListView.as_view(), name="record-list"),
    path("<slug:slug>/new/", record_views.RecordCreateView.as_view(), name="record-create"),
    path("<slug:slug>/<int:pk>/", record_views.RecordDetailView.as_view(), name="record-detail"),
    path("<slug:slug>/<int:pk>/edit/", record_views.RecordUpdateView.as_view(), name="record-update"),
    path("<slug:slug>/<int:pk>/delete/", record_views.RecordDeleteView.as_view(), name="record-delete"),
    path("<slug:slug>/<int:pk>/history/", record_views.RecordHistoryView.as_view(), name="record-history"),
    path(
        "<slug:slug>/<int:pk>/files/<str:field>/", record_views.RecordFileView.as_view(), name="record-file"
    ),
]

town_urlpatterns = [
    path("", views.TownRecognitionListView.as_view(), name="town-recognition-list"),
    path("new/", views.TownRecognitionCreateView.as_view(), name="town-recognition-create"),
    path("<int:pk>/edit/", views.TownRecognitionUpdateView.as_view(), name="town-recognition-update"),
    path("<int:pk>/delete/", views.TownRecognitionDeleteView.as_view(), name="town-recognition-delete"),
    path("<int:pk>/history/", views.TownRecognitionHistoryView.as_view(), name="town-recognition-history"),
    path("<int:pk>/evidence/", views.TownRecognitionFileView.as_view(), name="town-recognition-file"),
]
