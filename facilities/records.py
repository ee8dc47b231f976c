"""Record types of this app: see communities/records.py and personnel/records.py."""

from communities.records import RecordType, register

from .api.serializers import EnvironmentCheckSerializer, FacilitySerializer
from .filtersets import EnvironmentCheckFilterSet, FacilityFilterSet
from .forms import EnvironmentCheckForm, FacilityForm
from .models import EnvironmentCheck, Facility

register(
    RecordType(
        slug="facilities",
        model=Facility,
        form=FacilityForm,
        serializer=FacilitySerializer,
        filterset=FacilityFilterSet,
        columns=(
            "name",
            "kind",
            "area_m2",
            "activity_area_m2",
            "rooms",
            "publicity_boards",
            "disclosure_boards",
        ),
        section="设施",
        ordering=("kind", "name", "pk"),
    )
)

register(
    RecordType(
        slug="environment",
        model=EnvironmentCheck,
        form=EnvironmentCheckForm,
        serializer=EnvironmentCheckSerializer,
        filterset=EnvironmentCheckFilterSet,
        columns=("year", "four_links", "five_improvements", "five_ones", "five_nos_five_upgrades"),
        section="设施",
        ordering=("-year", "pk"),
    )
)
