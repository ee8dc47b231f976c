from django.contrib import admin

from .models import Indicator, StandardEdition


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "order",
        "code",
        "category",
        "check_kind",
        "level",
        "points",
        "measure",
        "operator",
        "threshold",
    ]


@admin.register(StandardEdition)
class StandardEditionAdmin(admin.ModelAdmin):
    """Platform view of every city's editions; published ones refuse any change (see the models)."""

    list_display = ["code", "version", "name", "applies_to", "tenant", "status", "published_at"]
    list_filter = ["applies_to", "status", "tenant"]
    search_fields = ["code", "name"]
    inlines = [IndicatorInline]
    readonly_fields = ["published_at", "published_by", "created_by", "based_on"]
