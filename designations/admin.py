from django.contrib import admin
from django.db import transaction

from . import enrolments
from .models import Enrolment


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("community", "year", "enrolled_by", "created_at")
    list_filter = ("year",)
    search_fields = ("community__name",)
    raw_id_fields = ("community",)

    # Withdrawn through the enrolment service, as on the page and in the API.
    def delete_model(self, request, obj):
        enrolments.withdraw(request.user, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for enrolment in queryset:
            enrolments.withdraw(request.user, enrolment)
