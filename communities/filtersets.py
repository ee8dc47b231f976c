import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

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


COMMUNITY_NOT_FOUND = "没有这个编号的社区,或该社区不在您的管辖范围内。"


@extend_schema_field(OpenApiTypes.INT)
class CommunityFilter(django_filters.ModelChoiceFilter):
    """`?community=<id>` on every list that takes it: one of the communities the caller can see.
    An id outside the scope is a 400 on the field, exactly like an id that does not exist or no id at
    all (`5.5`, `1e30`), so no list answers a foreign id differently from another (an empty page
    here, a 400 there)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _visible_communities)
        kwargs.setdefault("label", "社区编号")
        kwargs.setdefault("widget", forms.NumberInput)  # a number box, not a <select> of a whole city
        kwargs.setdefault(
            "error_messages", {"invalid_choice": COMMUNITY_NOT_FOUND, "required": "请给出社区编号。"}
        )
        super().__init__(*args, **kwargs)


class RecordFilterSet(django_filters.FilterSet):
    """Base filterset of every record type: `?community=`, `?unit=` (subtree) and whatever the
    subclass adds in Meta.fields (`kind`, `year`, ...)."""

    community = CommunityFilter()
    unit = UnitSubtreeFilter(path_field="community__unit__path")


class HistoryFilterSet(django_filters.FilterSet):
    """`history/`'s required `?community=`, checked like every list's (the rows are read by hand)."""

    community = CommunityFilter(required=True)

    class Meta:
        model = Community
        fields = ["community"]


class TownRecognitionFilterSet(django_filters.FilterSet):
    unit = UnitSubtreeFilter()

    class Meta:
        model = TownRecognition
        fields = ["unit", "year", "recognised", "confirmed_by_district"]
