from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from core.api.renderers import JSONRenderer
from core.api.views import FileNegotiation, ReadOnlyScopedViewSet
from core.roles import Action

from .. import printing
from ..filtersets import StandardEditionFilterSet
from ..models import Indicator, StandardEdition
from .serializers import StandardEditionSerializer


def sheet_format(request) -> str:
    """`?format=pdf` (the default) or `xlsx`; anything else is a 400 on `format`."""
    wanted = request.query_params.get("format", "pdf")
    if wanted not in printing.FORMATS:
        raise ValidationError({"format": ["格式只能是 pdf 或 xlsx。"]})
    return wanted


def sheet_schema(description: str) -> dict:
    """A `sheet/` route's parameter and answers, for `extend_schema`."""
    return {
        "parameters": [
            OpenApiParameter("format", str, enum=list(printing.FORMATS), description="pdf(默认)或 xlsx")
        ],
        "responses": {
            (200, printing.PDF): OpenApiResponse(OpenApiTypes.BINARY, description=f"{description}(PDF)"),
            (200, printing.XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=f"{description}(Excel)"),
        },
    }


# What a `sheet/` action shares: read access, one object, no list filters or page, its own negotiation.
SHEET_ACTION = {
    "detail": True,
    "methods": ["get"],
    "url_path": "sheet",
    "url_name": "sheet",
    "action_requires": Action.READ,
    "pagination_class": None,
    "filter_backends": [],
    "renderer_classes": [JSONRenderer],
    "content_negotiation_class": FileNegotiation,
}


class StandardEditionViewSet(ReadOnlyScopedViewSet):
    """`standards/`: one row per published edition the caller can see (the shipped U, R, V and the
    city's own); drafts are not part of the API. Filters `?applies_to=`, `?code=`.
    `standards/{id}/sheet/` is the edition's blank 评分表."""

    model = StandardEdition
    serializer_class = StandardEditionSerializer
    filterset_class = StandardEditionFilterSet
    search_fields = ["name"]
    ordering = ["applies_to", "code", "version"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .published()
            .order_by("applies_to", "code", "version", "pk")
            .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk")))
        )

    @extend_schema(**sheet_schema("空白评分表"))
    @action(**SHEET_ACTION)
    def sheet(self, request, pk=None):
        edition = self.get_object()
        return printing.file_response(
            printing.blank(edition), sheet_format(request), printing.blank_name(edition)
        )
