from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import Community

from ..models import Indicator, StandardEdition


@extend_schema_field(
    {
        "type": "string",
        "enum": Community.Kind.values,
        "description": "适用的社区类别:" + ";".join(f"`{v}` {label}" for v, label in Community.Kind.choices),
    }
)
class CommunityKindField(serializers.ChoiceField):
    """The community `kind` codes, described inline (the same choice set as a community's `kind`)."""


class IndicatorSerializer(serializers.ModelSerializer):
    """docs/api.md: {"code", "requirement", "check" (auto/evidence/site), "level", "weight"}."""

    check = serializers.ChoiceField(source="check_kind", choices=Indicator.Check.choices, read_only=True)
    weight = serializers.DecimalField(
        source="points", max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = Indicator
        fields = ["code", "requirement", "check", "level", "weight"]
        read_only_fields = fields


class StandardEditionSerializer(serializers.ModelSerializer):
    """One published edition (docs/api.md `standards/`), its levels lowest first, its indicators in order."""

    applies_to = CommunityKindField(choices=Community.Kind.choices, read_only=True)
    levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = StandardEdition
        fields = ["id", "code", "name", "version", "applies_to", "levels", "indicators"]
        read_only_fields = fields
