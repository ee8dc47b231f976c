from communities.forms import RecordForm

from .models import Member


class MemberForm(RecordForm):
    class Meta:
        model = Member
        fields = [
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
        ]
