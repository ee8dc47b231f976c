from communities.records import RecordType, register

from .api.serializers import MemberSerializer
from .filtersets import MemberFilterSet
from .forms import MemberForm
from .models import Member

register(
    RecordType(
        slug="members",
        model=Member,
        form=MemberForm,
        serializer=MemberSerializer,
        filterset=MemberFilterSet,
        columns=("name", "body", "role", "full_time", "resident_since", "phone"),
        section="人员",
        ordering=("body", "role", "name"),
    )
)
