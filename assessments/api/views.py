from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.serializers import JobCreatedSerializer
from core.api.views import ExportActionMixin, ReadOnlyScopedViewSet, ScopedViewSet
from core.roles import Action

from .. import selfchecks
from ..filtersets import EnrolmentFilterSet, SelfCheckFilterSet, StandardEditionFilterSet
from ..models import Enrolment, Indicator, SelfCheck, StandardEdition
from .serializers import (
    EnrolmentSerializer,
    SelfCheckRunSerializer,
    SelfCheckSerializer,
    StandardEditionSerializer,
)


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


class SelfCheckViewSet(ExportActionMixin, ReadOnlyScopedViewSet):
    """`self-checks/`: read in scope; `self-checks/run/` queues a run (202 {"job"}), polled at `jobs/{id}/`."""

    model = SelfCheck
    serializer_class = SelfCheckSerializer
    filterset_class = SelfCheckFilterSet
    search_fields = ["community__name"]
    http_method_names = ["get", "post", "head", "options"]
    export_name = "self-checks"

    def get_queryset(self):
        return super().get_queryset().select_related("edition").order_by("-year", "community_id")

    @extend_schema(request=SelfCheckRunSerializer, responses={202: JobCreatedSerializer})
    @action(detail=False, methods=["post"], url_path="run", action_requires=Action.RUN_SELF_CHECKS)
    def run(self, request):
        params = SelfCheckRunSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            job = selfchecks.start_run(
                request.user, params.validated_data["year"], params.validated_data.get("unit")
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


class EnrolmentViewSet(ScopedViewSet):
    """`enrolments/`: read in scope; the district (or the city) adds and removes communities."""

    model = Enrolment
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilterSet
    write_action = Action.ENROL
    http_method_names = ["get", "post", "delete", "head", "options"]
    search_fields = ["community__name"]

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "community_id")
