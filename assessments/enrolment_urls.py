from django.urls import path

from .enrolment_views import EnrolmentView

urlpatterns = [path("", EnrolmentView.as_view(), name="enrolment-list")]
