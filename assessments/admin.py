from django.contrib import admin

from .models import Enrolment, Indicator, SelfCheck, StandardEdition


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "order",
        "code",
        "category",
        "check_kind",
        "level",
        "weight",
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


@admin.register(SelfCheck)
class SelfCheckAdmin(admin.ModelAdmin):
    """For the platform superuser: self-checks are made by runs and changed by the workflow only."""

    list_display = (
        "community",
        "year",
        "edition",
        "status",
        "score",
        "level",
        "proposed_level",
        "evaluated_at",
    )
    list_filter = ("year", "status", "level")
    search_fields = ("community__name",)
    list_select_related = ("community", "edition")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("community", "year", "enrolled_by", "created_at")
    list_filter = ("year",)
    search_fields = ("community__name",)
    raw_id_fields = ("community",)
