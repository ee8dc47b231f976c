from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Community


@admin.register(Community)
class CommunityAdmin(GuardedModelAdmin):
    list_display = ["name", "unit", "kind", "subtype", "households", "residents", "established_on"]
    list_filter = ["kind", "subtype", "unit__tenant"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["unit"]

    def delete_queryset(self, request, queryset):
        for community in queryset:
            community.delete()  # one by one: each tells the change path (`core.changes`)
