"""The REST side of the record registry: one base serializer and one base viewset."""

from django.db import models
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404

from core.api.serializers import ScopedModelSerializer
from core.api.views import ExportActionMixin, FileDownloadMixin, ScopedViewSet
from core.fields import ChoiceListField

from .. import records
from ..filtersets import HistoryFilterSet
from ..history import community_history, record_history
from ..models import Community


class EvidenceFileField(serializers.FileField):
    """Uploads are checked by content (model validators); reads give the record's download route in
    the API (`<slug>/{id}/files/{field}/`), which takes the caller's token as well as a session."""

    def to_representation(self, value):
        if not value:
            return None
        record_type = records.for_model(type(value.instance))
        url = reverse(f"api:{record_type.slug}-file", args=[value.instance.pk, value.field.name])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class RecordSerializer(ScopedModelSerializer):
    """Base of every record serializer: `community` limited to the caller's write scope, code
    lists as lists of codes, evidence files as download links, and the record's warnings."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    serializer_field_mapping = {
        **ScopedModelSerializer.serializer_field_mapping,
        models.FileField: EvidenceFileField,
    }

    def build_standard_field(self, field_name, model_field):
        if isinstance(model_field, ChoiceListField):
            return serializers.ListField, {
                "child": serializers.ChoiceField(choices=model_field.item_choices),
                "required": False,
                "help_text": f"代码列表:{', '.join(code for code, _ in model_field.item_choices)}",
            }
        return super().build_standard_field(field_name, model_field)


class RecordViewSet(ExportActionMixin, ScopedViewSet):
    search_fields = []

    def get_queryset(self):
        record_type = records.for_model(self.model)
        return (
            super().get_queryset().select_related(*record_type.select_related).order_by(*record_type.ordering)
        )


def viewset_for(record_type: records.RecordType):
    # Only a record type that holds files has the route that serves them (`files/{field}/`).
    holds_files = any(isinstance(field, models.FileField) for field in record_type.model._meta.fields)
    return type(
        f"{record_type.model.__name__}ViewSet",
        (FileDownloadMixin, RecordViewSet) if holds_files else (RecordViewSet,),
        {
            "model": record_type.model,
            "serializer_class": record_type.serializer,
            "filterset_class": record_type.filterset,
            "export_name": record_type.slug,
            "__doc__": f"{record_type.title}(按调用者管辖范围)",
        },
    )


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    action = serializers.CharField()
    record = serializers.CharField()
    slug = serializers.CharField()
    object_id = serializers.IntegerField()
    object = serializers.CharField()
    changes = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class HistoryViewSet(viewsets.GenericViewSet):
    """Change history, append-only: `?community=<id>` for a community and all its records, adding
    `&record=<type>&id=<id>` for one record."""

    serializer_class = HistoryEntrySerializer
    filter_backends = []  # the parameters below are read by hand: history is not a model queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("community", int, required=True),
            OpenApiParameter("record", str, description="记录类型,如 members"),
            OpenApiParameter("id", int, description="记录编号(与 record 一起)"),
        ]
    )
    def list(self, request):
        query = HistoryFilterSet(request.query_params, queryset=Community.objects.none(), request=request)
        if not query.is_valid():
            raise ValidationError(query.errors)
        community = query.form.cleaned_data["community"]
        if "record" in request.query_params:
            record_type = records.find(request.query_params["record"])
            object_id = request.query_params.get("id", "")
            if record_type is None:
                raise ValidationError({"record": ["未知的记录类型。"]})
            if not object_id.isdigit():
                raise ValidationError({"id": ["请给出记录编号。"]})
            visible = record_type.model.objects.visible_to(request.user).filter(community=community)
            obj = get_object_or_404(visible, pk=object_id)
            entries = record_history(obj, request.user)
        else:
            entries = community_history(community, request.user)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
