from django.urls import path

from . import views

urlpatterns = [
    path("", views.CommunityListView.as_view(), name="community-list"),
    path("new/", views.CommunityCreateView.as_view(), name="community-create"),
    path("<int:pk>/", views.CommunityDetailView.as_view(), name="community-detail"),
    path("<int:pk>/edit/", views.CommunityUpdateView.as_view(), name="community-update"),
    path("<int:pk>/delete/", views.CommunityDeleteView.as_view(), name="community-delete"),
    path("<int:pk>/viewers/", views.CommunityViewerView.as_view(), name="community-viewers"),
]
