import django_filters

from communities.models import Community

from .models import StandardEdition


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
