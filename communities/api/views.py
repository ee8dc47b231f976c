from core.api.views import ExportActionMixin, FileDownloadMixin, ScopedViewSet

from ..filtersets import CommunityFilterSet, TownRecognitionFilterSet
from ..models import Community, TownRecognition
from .serializers import CommunitySerializer, TownRecognitionSerializer


class CommunityViewSet(ExportActionMixin, ScopedViewSet):
    model = Community
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet
    search_fields = []  # `?search=` is the filterset's, which also searches addresses
    export_name = "communities"

    def get_queryset(self):
        return super().get_queryset().select_related("unit")


class TownRecognitionViewSet(FileDownloadMixin, ExportActionMixin, ScopedViewSet):
    model = TownRecognition
    serializer_class = TownRecognitionSerializer
    filterset_class = TownRecognitionFilterSet
    search_fields = []
    export_name = "town-recognitions"

    def get_queryset(self):
        return super().get_queryset().select_related("unit")
