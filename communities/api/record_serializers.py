"""API serializers of the community-life record types (field names as promised in docs/api.md)."""

from ..models import (
    Activity,
    Disclosure,
    Meeting,
    MemberVillage,
    Organization,
    VillageRecognition,
    VolunteerRegistration,
)
from .records import RecordSerializer

TIMESTAMPS = ["warnings", "created_at", "updated_at"]


class OrganizationSerializer(RecordSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "community",
            "kind",
            "name",
            "registered_on",
            "members_count",
            "hangs_plaque",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]


class ActivitySerializer(RecordSerializer):
    class Meta:
        model = Activity
        fields = ["id", "community", "kind", "held_on", "title", "participants", "note", *TIMESTAMPS]
        read_only_fields = ["created_at", "updated_at"]


class MeetingSerializer(RecordSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "community",
            "kind",
            "held_on",
            "topic",
            "attendees",
            "minutes",
            "decisions",
            *TIMESTAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]


class DisclosureSerializer(RecordSerializer):
    class Meta:
        model = Disclosure
        fields = ["id", "community", "published_on", "topics", "channel", "evidence", *TIMESTAMPS]
        read_only_fields = ["created_at", "updated_at"]


class VolunteerRegistrationSerializer(RecordSerializer):
    class Meta:
        model = VolunteerRegistration
        fields = ["id", "community", "year", "registered", "note", *TIMESTAMPS]
        read_only_fields = ["created_at", "updated_at"]


class MemberVillageSerializer(RecordSerializer):
    class Meta:
        model = MemberVillage
        fields = ["id", "community", "name", "distance_km", "population", "households", *TIMESTAMPS]
        read_only_fields = ["created_at", "updated_at"]
        # a number, like areas (docs/api.md: only money is a decimal string)
        extra_kwargs = {"distance_km": {"coerce_to_string": False}}


class VillageRecognitionSerializer(RecordSerializer):
    class Meta:
        model = VillageRecognition
        fields = [
            "id",
            "community",
            "year",
            "recognised",
            "evidence",
            "confirmed_by_district",
            "note",
            *TIMESTAMPS,
        ]
        # The district confirms through the review workflow, never through this endpoint.
        read_only_fields = ["confirmed_by_district", "created_at", "updated_at"]
