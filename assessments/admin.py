from django.contrib import admin

from .models import SelfCheck


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

    def delete_queryset(self, request, queryset):
        for check in queryset:
            check.delete()  # one by one: each tells the change path (`core.changes`)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
