"""Money is a decimal string in yuan ("50000.00"), DRF's default for decimal fields. Computed
amounts (due, district_share, benchmark, gap) are read-only: a typed value is ignored."""

from communities.api.records import RecordSerializer
from core.api.serializers import ScopedPrimaryKeyRelatedField
from personnel.models import Member

from ..models import CadrePay, CapitalProject, OfficeFund, PlaqueContribution, WorkFund

STAMPS = ["warnings", "created_at", "updated_at"]


class WorkFundSerializer(RecordSerializer):
    class Meta:
        model = WorkFund
        fields = ["id", "community", "year", "due", "district_share", "paid", "paid_on", "note", *STAMPS]
        read_only_fields = ["due", "district_share", "created_at", "updated_at"]


class OfficeFundSerializer(RecordSerializer):
    class Meta:
        model = OfficeFund
        fields = ["id", "community", "year", "amount", "source", *STAMPS]
        read_only_fields = ["created_at", "updated_at"]


class CadrePaySerializer(RecordSerializer):
    # The column is nullable only so that deleting a member keeps the pay record; a write names one.
    member = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all(), label="成员")

    class Meta:
        model = CadrePay
        fields = ["id", "community", "year", "member", "post", "monthly_pay", "benchmark", *STAMPS]
        read_only_fields = ["benchmark", "created_at", "updated_at"]


class CapitalProjectSerializer(RecordSerializer):
    class Meta:
        model = CapitalProject
        fields = [
            "id",
            "community",
            "name",
            "cost",
            "state_project",
            "resettlement_project",
            "organization_department",
            "old_premises_sale",
            "budget",
            "other",
            "gap",
            "typed_total",
            "equipment_sets",
            "equipment_recipients",
            "note",
            *STAMPS,
        ]
        read_only_fields = ["gap", "created_at", "updated_at"]


class PlaqueContributionSerializer(RecordSerializer):
    class Meta:
        model = PlaqueContribution
        fields = ["id", "community", "year", "organization_name", "amount", "practical_things", *STAMPS]
        read_only_fields = ["created_at", "updated_at"]
