from communities.forms import RecordForm
from core.forms import ScopedModelForm

from .models import CadrePay, CapitalProject, OfficeFund, PayBenchmark, PlaqueContribution, WorkFund


class WorkFundForm(RecordForm):
    """The fund due and the district's share are computed (U-FUND), so they are not in the form."""

    class Meta:
        model = WorkFund
        fields = ["community", "year", "paid", "paid_on", "note"]


class OfficeFundForm(RecordForm):
    class Meta:
        model = OfficeFund
        fields = ["community", "year", "amount", "source"]


class CadrePayForm(RecordForm):
    class Meta:
        model = CadrePay
        fields = ["community", "year", "member", "post", "monthly_pay"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        member = self.fields["member"]
        member.queryset = member.queryset.select_related("community").order_by("community__name", "name")
        member.label_from_instance = lambda m: f"{m.community.name} / {m}"


class CapitalProjectForm(RecordForm):
    class Meta:
        model = CapitalProject
        fields = [
            "community",
            "name",
            "cost",
            "state_project",
            "resettlement_project",
            "organization_department",
            "old_premises_sale",
            "budget",
            "other",
            "typed_total",
            "equipment_sets",
            "equipment_recipients",
            "note",
        ]


class PlaqueContributionForm(RecordForm):
    class Meta:
        model = PlaqueContribution
        fields = ["community", "year", "organization_name", "amount", "practical_things"]


class PayBenchmarkForm(ScopedModelForm):
    """The city's benchmark of a year; the city is the officer's own, never chosen."""

    class Meta:
        model = PayBenchmark
        fields = ["year", "urban_income", "both", "secretary_or_director", "deputy"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.tenant_id is None:
            # Set before validation, so the one-per-year rule is checked within the officer's city.
            self.instance.tenant_id = user.tenant_id
