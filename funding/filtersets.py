import django_filters

from communities.filtersets import RecordFilterSet

from .models import CadrePay, CapitalProject, OfficeFund, PlaqueContribution, WorkFund


class WorkFundFilterSet(RecordFilterSet):
    class Meta:
        model = WorkFund
        fields = ["community", "unit", "year"]


class OfficeFundFilterSet(RecordFilterSet):
    class Meta:
        model = OfficeFund
        fields = ["community", "unit", "year"]


class CadrePayFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="member__name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = CadrePay
        fields = ["community", "unit", "search", "year", "post"]


class CapitalProjectFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="项目名称")

    class Meta:
        model = CapitalProject
        fields = ["community", "unit", "search"]


class PlaqueContributionFilterSet(RecordFilterSet):
    search = django_filters.CharFilter(
        field_name="organization_name", lookup_expr="icontains", label="单位名称"
    )

    class Meta:
        model = PlaqueContribution
        fields = ["community", "unit", "search", "year"]
