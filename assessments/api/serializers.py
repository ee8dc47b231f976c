from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..filtersets import LEVEL_CHOICES
from ..models import IndicatorEvidence, SelfCheck, SelfCheckEvent, SiteVisit


class ResultSerializer(serializers.Serializer):
    """One indicator of a self-check (docs/api.md): passed true/false, or null while a reviewer has to judge it."""

    indicator = serializers.CharField(help_text="指标代码")
    passed = serializers.BooleanField(allow_null=True)
    value = serializers.JSONField(help_text='实际值:数值、代码列表、"n/a"(不适用)或 null(无记录)')
    expected = serializers.JSONField(help_text="要求值:数值、[下限, 上限] 或代码列表")
    note = serializers.CharField(help_text="未达标原因或审核意见(中文)")


class GapSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="指标代码(得分要求时为空)")
    level = serializers.CharField(help_text="该指标所属等级")
    text = serializers.CharField(help_text="差距说明(中文)")


class FlatListField(serializers.Field):
    """A read-only list of flat dicts in the shape of `shape` (a serializer of plain fields), written
    out by key without a field call per value: a page of 50 self-checks holds some 2,000 results,
    whose nested serializers took most of the request. The stored results and the computed gaps
    are already in that shape (the tests hold the two outputs equal); the schema shows `shape`."""

    shape: type[serializers.Serializer]

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)
        self.keys = list(self.shape().fields)

    def to_representation(self, value):
        return [{key: item.get(key) for key in self.keys} for item in value]


@extend_schema_field(ResultSerializer(many=True))
class ResultsField(FlatListField):
    shape = ResultSerializer


@extend_schema_field(GapSerializer(many=True))
class GapsField(FlatListField):
    shape = GapSerializer


class SelfCheckSerializer(serializers.ModelSerializer):
    """docs/api.md `self-checks/`, plus `gaps`: what is missing for the next level up."""

    standard = serializers.PrimaryKeyRelatedField(source="edition", read_only=True, help_text="标准版本 id")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True)
    level = serializers.ChoiceField(choices=LEVEL_CHOICES, read_only=True)
    proposed_level = serializers.ChoiceField(choices=LEVEL_CHOICES, read_only=True)
    results = ResultsField()
    gaps = GapsField()

    class Meta:
        model = SelfCheck
        fields = [
            "id",
            "community",
            "year",
            "standard",
            "status",
            "changed_since_approval",
            "score",
            "level",
            "proposed_level",
            "results",
            "gaps",
            "evaluated_at",
        ]
        read_only_fields = fields


class SelfCheckRunSerializer(serializers.Serializer):
    """POST `self-checks/run/` {"year": Y, "unit": id}; the unit defaults to the caller's own."""

    year = serializers.IntegerField()
    unit = serializers.IntegerField(required=False, allow_null=True)


class JudgeSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="证据类或实地类指标的代码")
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptSerializer(serializers.Serializer):
    designation = serializers.CharField(
        help_text="称号代码(qualified/standardized/model/premium),或 rejected"
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SiteVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = SiteVisit
        fields = [
            "visited_on",
            "forum_held",
            "forum_participants",
            "questionnaire_sample",
            "satisfaction_score",
            "note",
        ]
        extra_kwargs = {"satisfaction_score": {"coerce_to_string": False}}


class SelfCheckEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", read_only=True)

    class Meta:
        model = SelfCheckEvent
        fields = ["id", "step", "from_status", "to_status", "actor", "comment", "details", "at"]
        read_only_fields = fields


class IndicatorEvidenceSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="下载地址(登录后在管辖范围内可下载)")
    uploaded_by = serializers.CharField(source="uploaded_by.__str__", read_only=True)

    class Meta:
        model = IndicatorEvidence
        fields = ["id", "indicator", "file", "description", "reused_from", "uploaded_by", "uploaded_at"]
        read_only_fields = fields

    def get_file(self, evidence) -> str:
        url = reverse("indicator-evidence-file", args=[evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class IndicatorEvidenceUploadSerializer(serializers.Serializer):
    """multipart/form-data: the evidence indicator's code, the file, a description."""

    indicator = serializers.CharField()
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True)
