from communities.forms import RecordForm

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


def _label_with_community(field):
    """A record chosen from the user's whole town: say which community it belongs to."""
    field.queryset = field.queryset.select_related("community").order_by("community__name", "pk")
    field.label_from_instance = lambda obj: f"{obj.community.name} / {obj}"


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


class SubCommitteeForm(RecordForm):
    class Meta:
        model = SubCommittee
        fields = ["community", "kind", "leader", "resident_representatives", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _label_with_community(self.fields["leader"])
        self.fields["leader"].help_text = "须为本社区居民委员会或村民委员会的成员。"


class ResidentsGroupForm(RecordForm):
    class Meta:
        model = ResidentsGroup
        fields = [
            "community",
            "name",
            "households",
            "leader_name",
            "leader_elected_by_group",
            "term_start",
            "term_end",
        ]


class BuildingLeaderForm(RecordForm):
    class Meta:
        model = BuildingLeader
        fields = ["community", "name", "building", "households", "phone"]


class ElectionForm(RecordForm):
    class Meta:
        model = Election
        fields = [
            "community",
            "body",
            "held_on",
            "method",
            "direct",
            "voters",
            "turnout_percent",
            "election_committee_size",
            "roster_filed_on",
            "evidence",
        ]


class ElectionCandidateForm(RecordForm):
    class Meta:
        model = ElectionCandidate
        fields = [
            "community",
            "election",
            "name",
            "resident_since",
            "on_election_committee",
            "elected",
            "notice_started_on",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _label_with_community(self.fields["election"])


class TrainingForm(RecordForm):
    class Meta:
        model = Training
        fields = [
            "community",
            "trainee",
            "trainee_name",
            "organiser_tier",
            "held_on",
            "days",
            "topic",
            "practical_techniques",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        _label_with_community(self.fields["trainee"])


class ReserveCadreForm(RecordForm):
    class Meta:
        model = ReserveCadre
        fields = ["community", "name", "birth_year", "education", "since", "note"]


class PartyMemberCaseForm(RecordForm):
    class Meta:
        model = PartyMemberCase
        fields = [
            "community",
            "name",
            "appraisal_approval_percent",
            "exam_passed",
            "notice_start",
            "notice_end",
            "admitted_on",
        ]


class AppraisalForm(RecordForm):
    class Meta:
        model = Appraisal
        fields = ["community", "year", "half", "subject", "held_on", "participants"]


class TalkForm(RecordForm):
    class Meta:
        model = Talk
        fields = ["community", "held_on", "township_leader", "village_leaders", "topic"]
