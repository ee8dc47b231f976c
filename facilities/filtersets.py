import django_filters

from communities.filtersets import RecordFilterSet

from .models import EnvironmentCheck, Facility


class FacilityFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="名称")

    class Meta:
        model = Facility
        fields = ["community", "unit", "search", "kind"]


class EnvironmentCheckFilterSet(RecordFilterSet):
    class Meta:
        model = EnvironmentCheck
        fields = ["community", "unit", "year"]
