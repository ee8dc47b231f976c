from rest_framework import serializers

from core.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from core.models import Unit

from ..models import Community


class CommunitySerializer(ScopedModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.towns(), help_text="所属乡镇(街道)的 id")
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Community
        fields = [
            "id",
            "name",
            "unit",
            "kind",
            "subtype",
            "households",
            "residents",
            "established_on",
            "address",
            "phone",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
