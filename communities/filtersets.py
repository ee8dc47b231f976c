import django_filters
from django.db.models import Q

from core.filtersets import UnitSubtreeFilter

from .models import Community


class CommunityFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="search_names", label="搜索")
    unit = UnitSubtreeFilter()
    kind = django_filters.ChoiceFilter(choices=Community.Kind.choices, label="类别", empty_label="全部")
    subtype = django_filters.ChoiceFilter(choices=Community.Subtype.choices, label="类型", empty_label="全部")

    class Meta:
        model = Community
        fields = ["search", "unit", "kind", "subtype"]

    def search_names(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))
