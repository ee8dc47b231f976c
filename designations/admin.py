from django.contrib import admin

from .models import Enrolment


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("community", "year", "enrolled_by", "created_at")
    list_filter = ("year",)
    search_fields = ("community__name",)
    raw_id_fields = ("community",)
