import django_filters
from django import forms

from communities.filtersets import RecordFilterSet
from core.filtersets import YearFilter

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


def _visible_elections(request):
    return Election.objects.visible_to(request.user) if request else Election.objects.none()


class MemberFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = Member
        fields = ["community", "unit", "search", "body", "role", "full_time"]


class SubCommitteeFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=SubCommittee.Kind.choices, label="下属委员会", empty_label="全部"
    )

    class Meta:
        model = SubCommittee
        fields = ["community", "unit", "kind"]


class ResidentsGroupFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="小组名称")

    class Meta:
        model = ResidentsGroup
        fields = ["community", "unit", "search", "leader_elected_by_group"]


class BuildingLeaderFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = BuildingLeader
        fields = ["community", "unit", "search"]


class ElectionFilterSet(RecordFilterSet):
    year = YearFilter(field_name="held_on", lookup_expr="year", label="年份")

    class Meta:
        model = Election
        fields = ["community", "unit", "year", "body", "method", "direct"]


class ElectionCandidateFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    year = YearFilter(field_name="election__held_on", lookup_expr="year", label="选举年份")
    # a number box, like `community`: never a <select> of every election in a city
    election = django_filters.ModelChoiceFilter(
        queryset=_visible_elections, label="选举编号", widget=forms.NumberInput
    )

    class Meta:
        model = ElectionCandidate
        fields = ["community", "unit", "search", "election", "year", "elected", "on_election_committee"]


class TrainingFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="trainee_name", lookup_expr="icontains", label="受训人")
    year = YearFilter(field_name="held_on", lookup_expr="year", label="年份")

    class Meta:
        model = Training
        fields = ["community", "unit", "search", "year", "organiser_tier"]


class ReserveCadreFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = ReserveCadre
        fields = ["community", "unit", "search"]


class PartyMemberCaseFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    year = YearFilter(field_name="notice_start", lookup_expr="year", label="公示年份")

    class Meta:
        model = PartyMemberCase
        fields = ["community", "unit", "search", "year", "exam_passed"]


class AppraisalFilterSet(RecordFilterSet):
    class Meta:
        model = Appraisal
        fields = ["community", "unit", "year", "half", "subject"]


class TalkFilterSet(RecordFilterSet):
    year = YearFilter(field_name="held_on", lookup_expr="year", label="年份")

    class Meta:
        model = Talk
        fields = ["community", "unit", "year"]
