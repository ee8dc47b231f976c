import functools

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..evaluator import evaluator_for, filled_result
from ..filtersets import LEVEL_CHOICES
from ..models import IndicatorEvidence, SelfCheck, SelfCheckEvent
from ..steps import NOT_GIVEN, STEPS, Input, Kind, Step


class JudgementSerializer(serializers.Serializer):
    """One city officer's score of a visit item (several officers may score it; their mean counts)."""

    by = serializers.IntegerField(help_text="评审人 id")
    by_name = serializers.CharField(help_text="评审人姓名")
    earned = serializers.FloatField(allow_null=True, help_text="该评审人给出的得分")
    passed = serializers.BooleanField(allow_null=True, help_text="该评审人给出满分时为 true")
    note = serializers.CharField(help_text="评审意见(低于满分时为扣分理由)")
    at = serializers.DateTimeField(help_text="评审时间")


class ResultSerializer(serializers.Serializer):
    """One item of a self-check (docs/api.md): its points earned of its full marks; passed (full marks)
    true/false, or null while a reviewer has to judge it."""

    indicator = serializers.CharField(help_text="指标代码")
    passed = serializers.BooleanField(allow_null=True, help_text="是否得满分;待判定时为 null")
    value = serializers.JSONField(help_text='实际值:数值、代码列表、"n/a"(不适用)或 null(无记录)')
    expected = serializers.JSONField(help_text="要求值:数值、[下限, 上限] 或代码列表")
    note = serializers.CharField(help_text="未达标原因或审核意见(中文)")
    earned = serializers.FloatField(allow_null=True, help_text="得分;待判定或不适用时为 null")
    points = serializers.FloatField(help_text="满分")
    applicable = serializers.BooleanField(help_text="是否适用;不适用的指标不计入满分")
    judgements = JudgementSerializer(
        many=True,
        required=False,
        help_text="实地评估类指标由多名市级评审打分时,每人的得分(得分取其平均);其他指标无此项",
    )


class GapSerializer(serializers.Serializer):
    """One row of the gap list (docs/api.md, `gaps`); the first row, when the score is below the next
    level's minimum, has an empty `indicator` and the score points missing."""

    indicator = serializers.CharField(help_text="指标代码(得分要求时为空)")
    level = serializers.CharField(help_text="该指标所属等级(得分要求时为目标等级)")
    text = serializers.CharField(help_text="差距说明(中文),以“可得N分。”结尾")
    points = serializers.FloatField(help_text="整改后可得的分数:满分减已得分(待评审为满分)")
    veto = serializers.BooleanField(help_text="是否为目标等级的一票否决项")
    bonus = serializers.BooleanField(help_text="是否为加分项")
    pending = serializers.BooleanField(help_text="待评审(尚未判定)")
    town = serializers.BooleanField(help_text="系统自动计分的指标:镇街补齐记录即可得分")


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
    """A self-check's results (the field reads the whole self-check: a result stored before items had
    points is filled from its edition, `evaluator.filled_result`). `judgements` is there only on the
    results that carry it."""

    shape = ResultSerializer

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)
        self.keys.remove("judgements")

    def to_representation(self, check):
        by_code = evaluator_for(check.edition).by_code
        rows = []
        for stored in check.results:
            result = filled_result(by_code.get(stored["indicator"]), stored)
            row = {key: result.get(key) for key in self.keys}
            if "judgements" in result:
                row["judgements"] = result["judgements"]
            rows.append(row)
        return rows


@extend_schema_field(GapSerializer(many=True))
class GapsField(FlatListField):
    shape = GapSerializer


class SelfCheckSerializer(serializers.ModelSerializer):
    """docs/api.md `self-checks/`, plus `gaps`: what is missing for the next level up."""

    standard = serializers.PrimaryKeyRelatedField(source="edition", read_only=True, help_text="标准版本 id")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True)
    proposed_score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
        help_text="预计得分:待判定的指标按满分计",
    )
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
            "proposed_score",
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


class SelfCheckEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", read_only=True)

    class Meta:
        model = SelfCheckEvent
        fields = ["id", "step", "from_status", "to_status", "actor", "comment", "details", "at"]
        read_only_fields = fields


class IndicatorEvidenceSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="下载地址(令牌或登录会话均可,限管辖范围内)")
    uploaded_by = serializers.CharField(source="uploaded_by.__str__", read_only=True)

    class Meta:
        model = IndicatorEvidence
        fields = ["id", "indicator", "file", "description", "reused_from", "uploaded_by", "uploaded_at"]
        read_only_fields = fields

    def get_file(self, evidence) -> str:
        url = reverse("api:self-check-evidence-file", args=[evidence.self_check_id, evidence.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


# ---- the bodies of the review's steps, from the step table ------------------------------------------
# The steps check their own input (in docs/api.md's refusal order), so these describe the body in the
# schema and the site visit's answer; nothing validates with them.


def _body_field(declared: Input) -> serializers.Field:
    if declared.kind == Kind.FLAG:
        return serializers.BooleanField(required=declared.required, allow_null=not declared.required)
    if declared.kind == Kind.NUMBER:
        return serializers.DecimalField(
            max_digits=6,
            decimal_places=2,
            coerce_to_string=False,
            required=False,
            allow_null=True,
            help_text=declared.help_text,
        )
    if declared.kind == Kind.CHOICE:
        return serializers.ChoiceField(choices=list(declared.choices), required=declared.required)
    if declared.kind == Kind.FILE:
        return serializers.FileField(required=declared.required)
    options = {"help_text": declared.help_text} if declared.help_text else {}
    if not declared.required:
        options.update(required=False, allow_blank=True)
    if declared.default is not NOT_GIVEN:
        options["default"] = declared.default
    return serializers.CharField(**options)


@functools.cache  # one class per step: the schema names components by class
def step_body(step: Step) -> type[serializers.Serializer] | None:
    """The serializer of a step's body, named `<body>Serializer` (the schema's `<body>Request`): the
    fields of its `record` as the model declares them (decimals as numbers), else one per input."""
    if not step.inputs:
        return None
    attrs = {"__module__": __name__, "__doc__": step.body_help or None}
    if step.record is not None:
        names = [declared.name for declared in step.inputs]
        decimals = {
            name: {"coerce_to_string": False}
            for name in names
            if step.record._meta.get_field(name).get_internal_type() == "DecimalField"
        }
        attrs["Meta"] = type("Meta", (), {"model": step.record, "fields": names, "extra_kwargs": decimals})
        return type(f"{step.body}Serializer", (serializers.ModelSerializer,), attrs)
    attrs.update({declared.name: _body_field(declared) for declared in step.inputs})
    return type(f"{step.body}Serializer", (serializers.Serializer,), attrs)


STEP_BODIES: dict[str, type[serializers.Serializer] | None] = {
    name: step_body(step) for name, step in STEPS.items() if step.api
}
# The site visit's body is also what the step answers with.
SiteVisitSerializer = STEP_BODIES["site-visit"]
