from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import changes
from .models import ApiToken, ExportLog, Job, Tenant, Unit, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "created_at"]
    search_fields = ["name", "code"]

    # A tenant goes with its units, communities and everything counted of them (`core.changes`).
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        changes.units_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        changes.units_changed()


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "zone", "parent", "tenant", "code"]
    list_filter = ["tenant", "tier", "zone"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)  # past Unit.delete(): the change path is told here
        changes.units_changed()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "tenant", "unit", "role", "is_active", "is_superuser"]
    list_filter = ["tenant", "role", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "phone"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("岗位", {"fields": ["full_name", "phone", "tenant", "unit", "role"]}),
    ]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "owner", "state", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "state"]
    readonly_fields = [field.name for field in Job._meta.fields]


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Read-only: an audit trail is not edited, not even by the platform's superusers."""

    list_display = ["created_at", "user", "unit", "role", "title", "rows", "personal_rows"]
    list_filter = ["list_name", "role"]
    search_fields = ["user__username", "user__full_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the API only (their key is shown once, to whoever asked); here they are
    seen and revoked (deleted)."""

    list_display = ["prefix", "user", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
