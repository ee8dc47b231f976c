from django.contrib import admin

from .models import PayBenchmark


@admin.register(PayBenchmark)
class PayBenchmarkAdmin(admin.ModelAdmin):
    """Platform view of every city's pay benchmarks; the model's clean() refuses the same input as the
    city's page."""

    list_display = ["tenant", "year", "urban_income", "both", "secretary_or_director", "deputy"]
    list_filter = ["tenant"]
    ordering = ["tenant", "-year"]
