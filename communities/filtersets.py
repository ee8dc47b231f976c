import django_filters
from django.db.models import Q

from core.filtersets import UnitSubtreeFilter

from .models import Community


class CommunityFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="search_names", label="搜索")
    unit = UnitSubtreeFilter()

    class Meta:
        model = Community
        fields = ["search", "unit", "kind", "subtype"]

    def search_names(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))
