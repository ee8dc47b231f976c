"""Filters of the community-life record types: `?kind=`, `?year=` and inclusive date ranges
(`?held_on_after=`, `?held_on_before=`) on top of the base `?community=` and `?unit=`.

The ranges are two plain filters, not one range filter: exports keep only the query parameters
named like a filter, so `held_on_after`/`held_on_before` must be filter names themselves."""

import django_filters
from django import forms

from core.filtersets import YearFilter

from .filtersets import RecordFilterSet
from .models import (
    Activity,
    Disclosure,
    Meeting,
    MemberVillage,
    Organization,
    VillageRecognition,
    VolunteerRegistration,
)


def date_from(field_name, label):
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr="gte",
        label=f"{label}起",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def date_to(field_name, label):
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr="lte",
        label=f"{label}止",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class OrganizationFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="组织名称")
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label="类别", empty_label="全部")

    class Meta:
        model = Organization
        fields = ["community", "unit", "search", "kind", "hangs_plaque"]


class ActivityFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="活动名称")
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label="类别", empty_label="全部")
    year = YearFilter(field_name="held_on", lookup_expr="year")
    held_on_after = date_from("held_on", "活动日期")
    held_on_before = date_to("held_on", "活动日期")

    class Meta:
        model = Activity
        fields = ["community", "unit", "search", "kind", "year", "held_on_after", "held_on_before"]


class MeetingFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="topic", lookup_expr="icontains", label="议题")
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, label="会议类别", empty_label="全部")
    year = YearFilter(field_name="held_on", lookup_expr="year")
    held_on_after = date_from("held_on", "会议日期")
    held_on_before = date_to("held_on", "会议日期")

    class Meta:
        model = Meeting
        fields = ["community", "unit", "search", "kind", "year", "held_on_after", "held_on_before"]


class DisclosureFilterSet(RecordFilterSet):
    channel = django_filters.ChoiceFilter(
        choices=Disclosure.Channel.choices, label="公开方式", empty_label="全部"
    )
    year = YearFilter(field_name="published_on", lookup_expr="year")
    published_on_after = date_from("published_on", "公开日期")
    published_on_before = date_to("published_on", "公开日期")

    class Meta:
        model = Disclosure
        fields = ["community", "unit", "channel", "year", "published_on_after", "published_on_before"]


class VolunteerRegistrationFilterSet(RecordFilterSet):
    class Meta:
        model = VolunteerRegistration
        fields = ["community", "unit", "year"]


class MemberVillageFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="村名")

    class Meta:
        model = MemberVillage
        fields = ["community", "unit", "search"]


class VillageRecognitionFilterSet(RecordFilterSet):
    class Meta:
        model = VillageRecognition
        fields = ["community", "unit", "year", "recognised", "confirmed_by_district"]
