from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import Community

from .. import sheet
from ..models import Indicator, Level, StandardEdition


@extend_schema_field(
    {
        "type": "string",
        "enum": Community.Kind.values,
        "description": "适用的社区类别:" + ";".join(f"`{v}` {label}" for v, label in Community.Kind.choices),
    }
)
class CommunityKindField(serializers.ChoiceField):
    """The community `kind` codes, described inline (the same choice set as a community's `kind`)."""


def points_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True, **kwargs
    )


class IndicatorSerializer(serializers.ModelSerializer):
    """docs/api.md: {"code", "requirement", "check" (auto/evidence/site), "level", "weight", "section",
    "points", "method", "scoring", "veto", "bonus"}; `weight` is `points`, kept for clients of the
    checklist contract."""

    check = serializers.ChoiceField(source="check_kind", choices=Indicator.Check.choices, read_only=True)
    weight = points_field(source="points", help_text="同 `points`(旧字段,保留以兼容)。")
    section = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="评分表上的一级/二级栏目,由上到下。"
    )
    points = points_field(help_text="该项满分。")
    method = serializers.ChoiceField(choices=sheet.Method.choices, read_only=True)
    scoring = serializers.ChoiceField(choices=sheet.Scoring.choices, read_only=True)
    veto = serializers.ListField(
        child=serializers.ChoiceField(choices=Level.choices),
        read_only=True,
        help_text="该项为一票否决项的等级(未得满分不能评为这些等级)。",
    )
    bonus = serializers.BooleanField(read_only=True, help_text="加分项:得分计入加分(有上限),不计入满分。")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "requirement",
            "check",
            "level",
            "weight",
            "section",
            "points",
            "method",
            "scoring",
            "veto",
            "bonus",
        ]
        read_only_fields = fields


class LevelBandSerializer(serializers.Serializer):
    """One level of an edition: its minimum score and the codes of its veto items."""

    level = serializers.ChoiceField(choices=Level.choices, read_only=True)
    min_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True, help_text="该等级的最低得分。"
    )
    veto = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="须得满分的一票否决项的指标代码。"
    )


class StandardEditionSerializer(serializers.ModelSerializer):
    """One published edition (docs/api.md `standards/`): its levels lowest first, each with its minimum
    score and veto items, its bonus cap and its indicators in order."""

    applies_to = CommunityKindField(choices=Community.Kind.choices, read_only=True)
    levels = serializers.SerializerMethodField()
    bonus_cap = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
        help_text="加分项合计最多计入的分数。",
    )
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = StandardEdition
        fields = ["id", "code", "name", "version", "applies_to", "levels", "bonus_cap", "indicators"]
        read_only_fields = fields

    @extend_schema_field(LevelBandSerializer(many=True))
    def get_levels(self, edition) -> list[dict]:
        # From the prefetched indicators: one query for the whole page, not one per level.
        indicators = list(edition.indicators.all())
        rows = [
            {
                "level": level,
                "min_score": edition.min_score(level),
                "veto": [indicator.code for indicator in indicators if level in (indicator.veto or [])],
            }
            for level in edition.levels
        ]
        return LevelBandSerializer(rows, many=True).data
