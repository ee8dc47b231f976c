import django_filters

from communities.models import Community
from core.filtersets import IdFilter, UnitSubtreeFilter

from .expressions import FailedHas
from .models import Designation, Enrolment, Level, SelfCheck, SelfCheckEvent, StandardEdition

LEVEL_CHOICES = [(SelfCheck.NO_LEVEL, "未达标"), *Level.choices]


class StandardEditionFilterSet(django_filters.FilterSet):
    """`?applies_to=` (community kind) and `?code=` (U, R, V or a city's own)."""

    applies_to = django_filters.ChoiceFilter(
        choices=Community.Kind.choices, label="适用社区类别", empty_label="全部"
    )
    code = django_filters.CharFilter(label="标准代码")

    class Meta:
        model = StandardEdition
        fields = ["applies_to", "code"]


class StandardEditionPageFilterSet(StandardEditionFilterSet):
    status = django_filters.ChoiceFilter(
        choices=StandardEdition.Status.choices, label="状态", empty_label="全部"
    )

    class Meta(StandardEditionFilterSet.Meta):
        fields = ["applies_to", "code", "status"]


class SelfCheckFilterSet(django_filters.FilterSet):
    """`?community=`, `?year=`, `?status=`, `?level=`, `?proposed_level=`, `?kind=`, `?unit=` (subtree)
    and `?failed=` (an indicator code the self-check did not pass: the dashboards' drill-down)."""

    unit = UnitSubtreeFilter(path_field="community__unit__path")
    community = IdFilter(field_name="community_id", label="社区")
    year = django_filters.NumberFilter(label="年度")
    status = django_filters.ChoiceFilter(choices=SelfCheck.Status.choices, label="状态", empty_label="全部")
    level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES, label="达到等级", empty_label="全部")
    proposed_level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES, label="预计等级", empty_label="全部")
    kind = django_filters.ChoiceFilter(
        field_name="community__kind", choices=Community.Kind.choices, label="社区类别", empty_label="全部"
    )
    failed = django_filters.CharFilter(method="filter_failed", label="未通过指标", max_length=20)

    class Meta:
        model = SelfCheck
        fields = ["unit", "year", "kind", "status", "level", "proposed_level", "failed", "community"]

    def filter_failed(self, queryset, name, value):
        return queryset.filter(FailedHas(value.strip().upper()))


class EnrolmentFilterSet(django_filters.FilterSet):
    """`?community=`, `?year=` and `?unit=` (subtree)."""

    unit = UnitSubtreeFilter(path_field="community__unit__path")
    community = IdFilter(field_name="community_id", label="社区")
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

    community = IdFilter(field_name="community_id", label="社区")

    class Meta(DesignationPageFilterSet.Meta):
        fields = ["year", "title", "unit", "community"]


class SelfCheckEventFilterSet(django_filters.FilterSet):
    """The audit trail: `?year=` (of the self-check), `?unit=` (subtree), `?step=`, `?self_check=`."""

    unit = UnitSubtreeFilter(path_field="self_check__community__unit__path")
    year = django_filters.NumberFilter(field_name="self_check__year", label="年度")
    step = django_filters.ChoiceFilter(choices=SelfCheckEvent.Step.choices, label="步骤", empty_label="全部")
    self_check = django_filters.NumberFilter(field_name="self_check_id", label="自查")

    class Meta:
        model = SelfCheckEvent
        fields = ["unit", "year", "step", "self_check"]
