from core.api.views import ExportActionMixin, ScopedViewSet

from ..filtersets import CommunityFilterSet
from ..models import Community
from .serializers import CommunitySerializer


class CommunityViewSet(ExportActionMixin, ScopedViewSet):
    model = Community
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet
    search_fields = []  # `?search=` is the filterset's, which also searches addresses
    export_name = "communities"

    def get_queryset(self):
        return super().get_queryset().select_related("unit")
