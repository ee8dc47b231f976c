from django.urls import reverse
from rest_framework import serializers

from core.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from core.fields import validate_evidence
from core.models import Unit

from ..models import Community, TownRecognition


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
            "filed_on",
            "occupancy_percent",
            "party_members",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class TownRecognitionSerializer(ScopedModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=Unit.objects.towns(), help_text="乡镇(街道)的 id")
    # Declared here (for its download link), so the model field's content and size check is named again.
    evidence = serializers.FileField(required=False, allow_null=True, validators=[validate_evidence])
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = TownRecognition
        fields = [
            "id",
            "unit",
            "year",
            "recognised",
            "evidence",
            "confirmed_by_district",
            "note",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["confirmed_by_district", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.evidence:
            url = reverse("api:town-recognition-file", args=[instance.pk, "evidence"])
            request = self.context.get("request")
            data["evidence"] = request.build_absolute_uri(url) if request else url
        return data
