import django_filters

from communities.filtersets import CommunityFilter
from communities.models import Community
from core.filtersets import UnitSubtreeFilter
from standards.models import Level

from .expressions import FailedHas
from .models import SelfCheck, SelfCheckEvent

LEVEL_CHOICES = [(SelfCheck.NO_LEVEL, "未达标"), *Level.choices]


class SelfCheckFilterSet(django_filters.FilterSet):
    """`?community=`, `?year=`, `?status=`, `?level=`, `?proposed_level=`, `?kind=`, `?unit=` (subtree)
    and `?failed=` (an indicator code the self-check did not pass: the dashboards' drill-down)."""

    unit = UnitSubtreeFilter(path_field="community__unit__path")
    community = CommunityFilter()
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


class SelfCheckEventFilterSet(django_filters.FilterSet):
    """The audit trail: `?year=` (of the self-check), `?unit=` (subtree), `?step=`, `?self_check=`."""

    unit = UnitSubtreeFilter(path_field="self_check__community__unit__path")
    year = django_filters.NumberFilter(field_name="self_check__year", label="年度")
    step = django_filters.ChoiceFilter(choices=SelfCheckEvent.Step.choices, label="步骤", empty_label="全部")
    self_check = django_filters.NumberFilter(field_name="self_check_id", label="自查")

    class Meta:
        model = SelfCheckEvent
        fields = ["unit", "year", "step", "self_check"]
