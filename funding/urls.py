from django.urls import path

from . import views

urlpatterns = [
    path("pay-benchmarks/", views.PayBenchmarkListView.as_view(), name="pay-benchmark-list"),
    path("pay-benchmarks/new/", views.PayBenchmarkCreateView.as_view(), name="pay-benchmark-create"),
    path(
        "pay-benchmarks/<int:pk>/edit/", views.PayBenchmarkUpdateView.as_view(), name="pay-benchmark-update"
    ),
    path(
        "pay-benchmarks/<int:pk>/delete/", views.PayBenchmarkDeleteView.as_view(), name="pay-benchmark-delete"
    ),
]
