from core.api.serializers import ScopedModelSerializer

from ..models import Enrolment


class EnrolmentSerializer(ScopedModelSerializer):
    """docs/api.md `enrolments/`: the communities in a year's creation activity."""

    class Meta:
        model = Enrolment
        fields = ["id", "community", "year", "created_at"]
        read_only_fields = ["created_at"]
