"""Record types of this app: see communities/records.py and personnel/records.py."""

from communities.records import RecordType, register

from .api.serializers import (
    CadrePaySerializer,
    CapitalProjectSerializer,
    OfficeFundSerializer,
    PlaqueContributionSerializer,
    WorkFundSerializer,
)
from .filtersets import (
    CadrePayFilterSet,
    CapitalProjectFilterSet,
    OfficeFundFilterSet,
    PlaqueContributionFilterSet,
    WorkFundFilterSet,
)
from .forms import CadrePayForm, CapitalProjectForm, OfficeFundForm, PlaqueContributionForm, WorkFundForm
from .models import CadrePay, CapitalProject, OfficeFund, PlaqueContribution, WorkFund

register(
    RecordType(
        slug="work-funds",
        model=WorkFund,
        form=WorkFundForm,
        serializer=WorkFundSerializer,
        filterset=WorkFundFilterSet,
        columns=("year", "due", "district_share", "paid", "paid_on"),
        section="经费",
        ordering=("-year", "pk"),
    )
)

register(
    RecordType(
        slug="office-funds",
        model=OfficeFund,
        form=OfficeFundForm,
        serializer=OfficeFundSerializer,
        filterset=OfficeFundFilterSet,
        columns=("year", "amount", "source"),
        section="经费",
        ordering=("-year", "pk"),
    )
)

register(
    RecordType(
        slug="cadre-pay",
        model=CadrePay,
        form=CadrePayForm,
        serializer=CadrePaySerializer,
        filterset=CadrePayFilterSet,
        columns=("year", "member", "post", "monthly_pay", "benchmark"),
        section="经费",
        ordering=("-year", "post", "pk"),
        select_related=("community__unit", "member"),
    )
)

register(
    RecordType(
        slug="capital-projects",
        model=CapitalProject,
        form=CapitalProjectForm,
        serializer=CapitalProjectSerializer,
        filterset=CapitalProjectFilterSet,
        columns=("name", "cost", "gap", "typed_total", "equipment_sets", "equipment_recipients"),
        section="经费",
        ordering=("name", "pk"),
    )
)

register(
    RecordType(
        slug="plaque-contributions",
        model=PlaqueContribution,
        form=PlaqueContributionForm,
        serializer=PlaqueContributionSerializer,
        filterset=PlaqueContributionFilterSet,
        columns=("year", "organization_name", "amount", "practical_things"),
        section="经费",
        ordering=("-year", "organization_name", "pk"),
    )
)
