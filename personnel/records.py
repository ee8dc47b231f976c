from communities.records import RecordType, register

from .api.serializers import (
    AppraisalSerializer,
    BuildingLeaderSerializer,
    ElectionCandidateSerializer,
    ElectionSerializer,
    MemberSerializer,
    PartyMemberCaseSerializer,
    ReserveCadreSerializer,
    ResidentsGroupSerializer,
    SubCommitteeSerializer,
    TalkSerializer,
    TrainingSerializer,
)
from .filtersets import (
    AppraisalFilterSet,
    BuildingLeaderFilterSet,
    ElectionCandidateFilterSet,
    ElectionFilterSet,
    MemberFilterSet,
    PartyMemberCaseFilterSet,
    ReserveCadreFilterSet,
    ResidentsGroupFilterSet,
    SubCommitteeFilterSet,
    TalkFilterSet,
    TrainingFilterSet,
)
from .forms import (
    AppraisalForm,
    BuildingLeaderForm,
    ElectionCandidateForm,
    ElectionForm,
    MemberForm,
    PartyMemberCaseForm,
    ReserveCadreForm,
    ResidentsGroupForm,
    SubCommitteeForm,
    TalkForm,
    TrainingForm,
)
from .models import (
    Appraisal,
    BuildingLeader,
    Election,
    ElectionCandidate,
    Member,
    PartyMemberCase,
    ReserveCadre,
    ResidentsGroup,
    SubCommittee,
    Talk,
    Training,
)

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

register(
    RecordType(
        slug="subcommittees",
        model=SubCommittee,
        form=SubCommitteeForm,
        serializer=SubCommitteeSerializer,
        filterset=SubCommitteeFilterSet,
        columns=("kind", "leader", "resident_representatives"),
        section="人员",
        ordering=("kind", "pk"),
        select_related=("community__unit", "leader"),
    )
)

register(
    RecordType(
        slug="residents-groups",
        model=ResidentsGroup,
        form=ResidentsGroupForm,
        serializer=ResidentsGroupSerializer,
        filterset=ResidentsGroupFilterSet,
        columns=("name", "households", "leader_name", "leader_elected_by_group", "term_start", "term_end"),
        section="人员",
        ordering=("name", "pk"),
    )
)

register(
    RecordType(
        slug="building-leaders",
        model=BuildingLeader,
        form=BuildingLeaderForm,
        serializer=BuildingLeaderSerializer,
        filterset=BuildingLeaderFilterSet,
        columns=("name", "building", "households", "phone"),
        section="人员",
        ordering=("building", "name", "pk"),
    )
)

register(
    RecordType(
        slug="elections",
        model=Election,
        form=ElectionForm,
        serializer=ElectionSerializer,
        filterset=ElectionFilterSet,
        columns=("held_on", "body", "method", "direct", "voters", "turnout_percent"),
        section="人员",
        ordering=("-held_on", "-pk"),
    )
)

register(
    RecordType(
        slug="candidates",
        model=ElectionCandidate,
        form=ElectionCandidateForm,
        serializer=ElectionCandidateSerializer,
        filterset=ElectionCandidateFilterSet,
        columns=("name", "election", "resident_since", "on_election_committee", "elected"),
        section="人员",
        ordering=("-election__held_on", "name", "pk"),
        select_related=("community__unit", "election"),
    )
)

register(
    RecordType(
        slug="trainings",
        model=Training,
        form=TrainingForm,
        serializer=TrainingSerializer,
        filterset=TrainingFilterSet,
        columns=("trainee_name", "organiser_tier", "held_on", "days", "topic", "practical_techniques"),
        section="人员",
        ordering=("-held_on", "-pk"),
    )
)

register(
    RecordType(
        slug="reserve-cadres",
        model=ReserveCadre,
        form=ReserveCadreForm,
        serializer=ReserveCadreSerializer,
        filterset=ReserveCadreFilterSet,
        columns=("name", "birth_year", "education", "since"),
        section="人员",
        ordering=("name", "pk"),
    )
)

register(
    RecordType(
        slug="party-cases",
        model=PartyMemberCase,
        form=PartyMemberCaseForm,
        serializer=PartyMemberCaseSerializer,
        filterset=PartyMemberCaseFilterSet,
        columns=(
            "name",
            "appraisal_approval_percent",
            "exam_passed",
            "notice_start",
            "notice_end",
            "admitted_on",
        ),
        section="人员",
        ordering=("-notice_start", "-pk"),
    )
)

register(
    RecordType(
        slug="appraisals",
        model=Appraisal,
        form=AppraisalForm,
        serializer=AppraisalSerializer,
        filterset=AppraisalFilterSet,
        columns=("year", "half", "subject", "held_on", "participants"),
        section="人员",
        ordering=("-year", "-half", "subject", "pk"),
    )
)

register(
    RecordType(
        slug="talks",
        model=Talk,
        form=TalkForm,
        serializer=TalkSerializer,
        filterset=TalkFilterSet,
        columns=("held_on", "township_leader", "village_leaders", "topic"),
        section="人员",
        ordering=("-held_on", "-pk"),
    )
)
