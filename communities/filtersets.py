import django_filters
from django import forms
from django.db.models import Q

from core.filtersets import UnitSubtreeFilter

from .models import Community, TownRecognition


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


def _visible_communities(request):
    return Community.objects.visible_to(request.user) if request else Community.objects.none()


class RecordFilterSet(django_filters.FilterSet):
    """Base filterset of every record type: `?community=`, `?unit=` (subtree) and whatever the
    subclass adds in Meta.fields (`kind`, `year`, ...)."""

    community = django_filters.ModelChoiceFilter(
        queryset=_visible_communities,
        label="社区编号",
        # a number box, not a <select> of every community in a city
        widget=forms.NumberInput,
    )
    unit = UnitSubtreeFilter(path_field="community__unit__path")


class TownRecognitionFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter()

    class Meta:
        model = TownRecognition
        fields = ["unit", "year", "recognised", "confirmed_by_district"]
