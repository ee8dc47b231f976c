"""Pages of every registered record type: one set of views, parameterized by the record type."""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import generic

from core import privacy
from core.fields import stored_file
from core.roles import Action
from core.scope import may
from core.views import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedListView,
    ScopedObjectMixin,
    ScopedUpdateView,
    attachment,
)

from . import records
from .history import community_history, record_history
from .models import Community


class RecordTypeMixin:
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.record_type = records.get(kwargs["slug"])
        self.model = self.record_type.model

    def get_queryset(self):
        return super().get_queryset().select_related(*self.record_type.select_related)

    def get_context_data(self, **kwargs):
        return super().get_context_data(record_type=self.record_type, **kwargs)


class RecordListView(RecordTypeMixin, ScopedListView):
    template_name = "records/record_list.html"

    @property
    def filterset_class(self):
        return self.record_type.filterset

    def get_queryset(self):
        return super().get_queryset().order_by(*self.record_type.ordering)


class RecordDetailView(RecordTypeMixin, ScopedDetailView):
    template_name = "records/record_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        privacy.redact(self.request.user, self.object)  # read to be shown, never saved here
        hidden = {"id", "community", "created_at", "updated_at"}
        context["fields"] = [
            (
                field.verbose_name,
                records.display_value(self.object, field.name),
                field.name,
                isinstance(field, models.FileField) and bool(getattr(self.object, field.name)),
            )
            for field in self.model._meta.concrete_fields
            if field.name not in hidden
        ]
        context["may_edit"] = may(self.request.user, Action.EDIT_RECORDS, self.object)
        return context


class RecordFormMixin(RecordTypeMixin):
    template_name = "records/record_form.html"

    def get_form_class(self):
        return self.record_type.form

    def get_success_url(self):
        return self.record_type.url("detail", self.object)


class RecordCreateView(RecordFormMixin, ScopedCreateView):
    success_message = "记录已保存。"

    def get_initial(self):
        return {**super().get_initial(), "community": self.request.GET.get("community")}


class RecordUpdateView(RecordFormMixin, ScopedUpdateView):
    success_message = "记录已更新。"


class RecordDeleteView(RecordTypeMixin, ScopedDeleteView):
    template_name = "records/record_confirm_delete.html"

    def get_success_url(self):
        return reverse("community-detail", args=[self.object.community_id])


class RecordHistoryView(RecordTypeMixin, ScopedDetailView):
    template_name = "records/history.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entries=record_history(self.object, self.request.user), subject=self.object, **kwargs
        )


class RecordFileView(RecordTypeMixin, ScopedObjectMixin, generic.View):
    """Evidence files are served only to users who may read the record they belong to."""

    def get(self, request, slug, pk, field):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(obj)
        stored = stored_file(obj, field)
        if not stored:
            raise Http404
        return attachment(stored)


class CommunityHistoryView(ScopedDetailView):
    model = Community
    template_name = "records/history.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entries=community_history(self.object, self.request.user), subject=self.object, **kwargs
        )
