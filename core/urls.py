from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user-update"),
    path("users/bulk/", views.UserBulkView.as_view(), name="user-bulk"),
    path("jobs/", views.JobListView.as_view(), name="job-list"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job-download"),
    path("exports/log/", views.ExportLogListView.as_view(), name="export-log"),
    path("exports/<slug:name>/", views.ExportView.as_view(), name="export"),
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path("account/sign-out-everywhere/", views.SignOutEverywhereView.as_view(), name="sign-out-everywhere"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path("inbox/read-all/", views.NotificationReadAllView.as_view(), name="notification-read-all"),
]
