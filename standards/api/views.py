from django.db.models import Prefetch

from core.api.views import ReadOnlyScopedViewSet

from ..filtersets import StandardEditionFilterSet
from ..models import Indicator, StandardEdition
from .serializers import StandardEditionSerializer


class StandardEditionViewSet(ReadOnlyScopedViewSet):
    """`standards/`: one row per published edition the caller can see (the shipped U, R, V and the
    city's own); drafts are not part of the API. Filters `?applies_to=`, `?code=`."""

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
