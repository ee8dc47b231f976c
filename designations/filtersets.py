import django_filters

from communities.filtersets import CommunityFilter
from communities.models import Community
from core.filtersets import UnitSubtreeFilter, YearFilter
from core.validators import YEAR_VALIDATORS

from .models import Designation, Enrolment


class EnrolmentFilterSet(django_filters.FilterSet):
    """`?community=`, `?year=` and `?unit=` (subtree)."""

    unit = UnitSubtreeFilter(path_field="community__unit__path")
    community = CommunityFilter()
    year = django_filters.NumberFilter(label="年度")

    class Meta:
        model = Enrolment
        fields = ["unit", "year", "community"]


class DesignationPageFilterSet(django_filters.FilterSet):
    """The register page's filters: `?year=`, `?title=` and `?unit=` (subtree: a district matches its
    communities' designations and its own 示范区)."""

    year = django_filters.NumberFilter(label="年度")
    title = django_filters.ChoiceFilter(choices=Designation.Title.choices, label="称号", empty_label="全部")
    unit = UnitSubtreeFilter(path_field="scope_unit__path")

    class Meta:
        model = Designation
        fields = ["year", "title", "unit"]


class DesignationFilterSet(DesignationPageFilterSet):
    """`designations/`: `?year=`, `?title=`, `?unit=` (subtree) and `?community=`."""

    community = CommunityFilter()

    class Meta(DesignationPageFilterSet.Meta):
        fields = ["year", "title", "unit", "community"]


def _keep(queryset, name, value):
    """The year picks the enrolments and self-checks shown, not the communities listed."""
    return queryset


class EnrolmentPageFilterSet(django_filters.FilterSet):
    """`?year=` (validated like every record's year), `?unit=` (subtree, among the visible units),
    `?kind=` and `?search=` (community name)."""

    year = YearFilter(method=_keep, validators=YEAR_VALIDATORS)
    unit = UnitSubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Community.Kind.choices, label="社区类别", empty_label="全部")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="社区名称")

    class Meta:
        model = Community
        fields = ["year", "unit", "kind", "search"]
