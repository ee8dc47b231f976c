"""Record types of community life (organisations, activities, meetings, ...)."""

from .api.record_serializers import (
    ActivitySerializer,
    DisclosureSerializer,
    MeetingSerializer,
    MemberVillageSerializer,
    OrganizationSerializer,
    VillageRecognitionSerializer,
    VolunteerRegistrationSerializer,
)
from .models import (
    Activity,
    Disclosure,
    Meeting,
    MemberVillage,
    Organization,
    VillageRecognition,
    VolunteerRegistration,
)
from .record_filtersets import (
    ActivityFilterSet,
    DisclosureFilterSet,
    MeetingFilterSet,
    MemberVillageFilterSet,
    OrganizationFilterSet,
    VillageRecognitionFilterSet,
    VolunteerRegistrationFilterSet,
)
from .record_forms import (
    ActivityForm,
    DisclosureForm,
    MeetingForm,
    MemberVillageForm,
    OrganizationForm,
    VillageRecognitionForm,
    VolunteerRegistrationForm,
)
from .records import RecordType, register

SECTION = "社区生活"

register(
    RecordType(
        slug="organizations",
        model=Organization,
        form=OrganizationForm,
        serializer=OrganizationSerializer,
        filterset=OrganizationFilterSet,
        columns=("name", "kind", "registered_on", "members_count", "hangs_plaque"),
        section=SECTION,
        ordering=("kind", "name", "pk"),
    )
)
register(
    RecordType(
        slug="activities",
        model=Activity,
        form=ActivityForm,
        serializer=ActivitySerializer,
        filterset=ActivityFilterSet,
        columns=("held_on", "kind", "title", "participants"),
        section=SECTION,
        ordering=("-held_on", "-pk"),
    )
)
register(
    RecordType(
        slug="meetings",
        model=Meeting,
        form=MeetingForm,
        serializer=MeetingSerializer,
        filterset=MeetingFilterSet,
        columns=("held_on", "kind", "topic", "attendees", "minutes"),
        section=SECTION,
        ordering=("-held_on", "-pk"),
    )
)
register(
    RecordType(
        slug="disclosures",
        model=Disclosure,
        form=DisclosureForm,
        serializer=DisclosureSerializer,
        filterset=DisclosureFilterSet,
        columns=("published_on", "topics", "channel", "evidence"),
        section=SECTION,
        ordering=("-published_on", "-pk"),
    )
)
register(
    RecordType(
        slug="volunteer-registrations",
        model=VolunteerRegistration,
        form=VolunteerRegistrationForm,
        serializer=VolunteerRegistrationSerializer,
        filterset=VolunteerRegistrationFilterSet,
        columns=("year", "registered"),
        section=SECTION,
        ordering=("-year", "-pk"),
    )
)
register(
    RecordType(
        slug="member-villages",
        model=MemberVillage,
        form=MemberVillageForm,
        serializer=MemberVillageSerializer,
        filterset=MemberVillageFilterSet,
        columns=("name", "distance_km", "population", "households"),
        section=SECTION,
        ordering=("name", "pk"),
    )
)
register(
    RecordType(
        slug="village-recognitions",
        model=VillageRecognition,
        form=VillageRecognitionForm,
        serializer=VillageRecognitionSerializer,
        filterset=VillageRecognitionFilterSet,
        columns=("year", "recognised", "confirmed_by_district", "evidence"),
        section=SECTION,
        ordering=("-year", "-pk"),
    )
)
