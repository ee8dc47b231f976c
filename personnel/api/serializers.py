from communities.api.records import RecordSerializer

from ..models import (
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


class SubCommitteeSerializer(RecordSerializer):
    class Meta:
        model = SubCommittee
        fields = [
            "id",
            "community",
            "kind",
            "leader",
            "resident_representatives",
            "note",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The column is nullable only so that deleting a member keeps the sub-committee.
        extra_kwargs = {"leader": {"allow_null": False}}


class ResidentsGroupSerializer(RecordSerializer):
    class Meta:
        model = ResidentsGroup
        fields = [
            "id",
            "community",
            "name",
            "households",
            "leader_name",
            "leader_elected_by_group",
            "term_start",
            "term_end",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class BuildingLeaderSerializer(RecordSerializer):
    class Meta:
        model = BuildingLeader
        fields = [
            "id",
            "community",
            "name",
            "building",
            "households",
            "phone",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ElectionSerializer(RecordSerializer):
    class Meta:
        model = Election
        fields = [
            "id",
            "community",
            "body",
            "held_on",
            "direct",
            "method",
            "voters",
            "turnout_percent",
            "election_committee_size",
            "roster_filed_on",
            "evidence",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ElectionCandidateSerializer(RecordSerializer):
    class Meta:
        model = ElectionCandidate
        fields = [
            "id",
            "community",
            "election",
            "name",
            "resident_since",
            "on_election_committee",
            "elected",
            "notice_started_on",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class TrainingSerializer(RecordSerializer):
    class Meta:
        model = Training
        fields = [
            "id",
            "community",
            "trainee",
            "trainee_name",
            "organiser_tier",
            "held_on",
            "days",
            "topic",
            "practical_techniques",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ReserveCadreSerializer(RecordSerializer):
    class Meta:
        model = ReserveCadre
        fields = [
            "id",
            "community",
            "name",
            "birth_year",
            "education",
            "since",
            "note",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class PartyMemberCaseSerializer(RecordSerializer):
    class Meta:
        model = PartyMemberCase
        fields = [
            "id",
            "community",
            "name",
            "appraisal_approval_percent",
            "exam_passed",
            "notice_start",
            "notice_end",
            "admitted_on",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class AppraisalSerializer(RecordSerializer):
    class Meta:
        model = Appraisal
        fields = [
            "id",
            "community",
            "year",
            "half",
            "subject",
            "held_on",
            "participants",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class TalkSerializer(RecordSerializer):
    class Meta:
        model = Talk
        fields = [
            "id",
            "community",
            "held_on",
            "township_leader",
            "village_leaders",
            "topic",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
