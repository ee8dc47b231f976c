from communities.api.records import RecordSerializer

from ..models import Member


class MemberSerializer(RecordSerializer):
    class Meta:
        model = Member
        fields = [
            "id",
            "community",
            "name",
            "body",
            "role",
            "full_time",
            "resident_since",
            "phone",
            "elected",
            "social_worker_certificate",
            "certificates",
            "pay_type",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
