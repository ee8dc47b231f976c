from django.urls import path

from . import views

urlpatterns = [
    path("", views.DesignationListView.as_view(), name="designation-list"),
    path("districts/", views.ModelDistrictView.as_view(), name="designation-districts"),
    path("settings/", views.CitySettingsView.as_view(), name="designation-settings"),
    path("<int:pk>/", views.DesignationDetailView.as_view(), name="designation-detail"),
    path("<int:pk>/certificate/", views.DesignationCertificateView.as_view(), name="designation-certificate"),
    path("<int:pk>/revoke/", views.DesignationRevokeView.as_view(), name="designation-revoke"),
]

enrolment_urlpatterns = [path("", views.EnrolmentView.as_view(), name="enrolment-list")]

# Public, no login: the check of a certificate's verification code.
verify_urlpatterns = [
    path("<str:code>/", views.VerifyPageView.as_view(), name="verify-page"),
]
