from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.serializers import JobCreatedSerializer
from core.api.views import ExportActionMixin, ReadOnlyScopedViewSet
from core.roles import Action

from .. import runs, workflow
from ..filtersets import SelfCheckFilterSet
from ..models import SelfCheck
from .serializers import (
    AcceptSerializer,
    IndicatorEvidenceSerializer,
    IndicatorEvidenceUploadSerializer,
    JudgeSerializer,
    ReopenSerializer,
    ReviewSerializer,
    SelfCheckEventSerializer,
    SelfCheckRunSerializer,
    SelfCheckSerializer,
    SiteVisitSerializer,
)


class SelfCheckViewSet(ExportActionMixin, ReadOnlyScopedViewSet):
    """`self-checks/`: read in scope; `self-checks/run/` queues a run (202 {"job"}), polled at `jobs/{id}/`."""

    model = SelfCheck
    serializer_class = SelfCheckSerializer
    filterset_class = SelfCheckFilterSet
    search_fields = ["community__name"]
    http_method_names = ["get", "post", "head", "options"]
    export_name = "self-checks"
    conflict_possible = True
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        # What the API shows reads the results alone: the approval snapshot (every record as it stood),
        # the judgements and the failed codes stay in the database; the page's few editions are read
        # once and shared by its rows rather than joined and parsed again on each.
        return (
            super()
            .get_queryset()
            .defer("failed", "judgements", "snapshot")
            .prefetch_related("edition")
            .order_by("-year", "community_id")
        )

    # ---- the review workflow ----
    # The steps themselves check scope (404), role (403), input (400) and status (409), in that order,
    # so the body is handed over as it came; the serializers only describe it in the schema.

    @staticmethod
    def _fields(request, names) -> dict:
        """The named fields of the body. A body that is no JSON object (`null`, a list) names none, so
        the step still refuses in its own order and a missing field is a 400 on that field."""
        data = request.data if isinstance(request.data, Mapping) else {}
        return {name: data[name] for name in names if name in data}

    def _step(self, request, step, pk, fields=()):
        step(request.user, pk, **self._fields(request, fields))
        check = self.get_queryset().get(pk=pk)  # the step found it in scope; read it as it now stands
        return Response(SelfCheckSerializer(check, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: SelfCheckSerializer})
    @action(detail=True, methods=["post"], action_requires=Action.READ)
    def submit(self, request, pk):
        return self._step(request, workflow.submit, pk)

    @extend_schema(request=JudgeSerializer, responses={200: SelfCheckSerializer})
    @action(detail=True, methods=["post"], action_requires=Action.READ)
    def judge(self, request, pk):
        return self._step(request, workflow.judge, pk, ("indicator", "passed", "note"))

    @extend_schema(request=ReviewSerializer, responses={200: SelfCheckSerializer})
    @action(detail=True, methods=["post"], action_requires=Action.READ)
    def review(self, request, pk):
        return self._step(request, workflow.review, pk, ("decision", "comment"))

    @extend_schema(request=AcceptSerializer, responses={200: SelfCheckSerializer})
    @action(detail=True, methods=["post"], action_requires=Action.READ)
    def accept(self, request, pk):
        return self._step(request, workflow.accept, pk, ("designation", "comment"))

    @extend_schema(request=ReopenSerializer, responses={200: SelfCheckSerializer})
    @action(detail=True, methods=["post"], action_requires=Action.READ)
    def reopen(self, request, pk):
        return self._step(request, workflow.reopen, pk, ("reason",))

    @extend_schema(request=SiteVisitSerializer, responses={200: SiteVisitSerializer})
    @action(detail=True, methods=["post"], url_path="site-visit", action_requires=Action.READ)
    def site_visit(self, request, pk):
        visit = workflow.record_site_visit(
            request.user, pk, **self._fields(request, SiteVisitSerializer.Meta.fields)
        )
        return Response(SiteVisitSerializer(visit).data)

    @extend_schema(methods=["GET"], request=None, responses={200: IndicatorEvidenceSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": IndicatorEvidenceUploadSerializer},
        responses={201: IndicatorEvidenceSerializer},
    )
    # The evidence and events of one self-check come whole: no page, and none of the list's filters.
    @action(
        detail=True,
        methods=["get", "post"],
        action_requires=Action.READ,
        pagination_class=None,
        filter_backends=[],
    )
    def evidence(self, request, pk):
        if request.method == "GET":
            check = self.get_object()
            items = check.evidence.select_related("uploaded_by")
            return Response(IndicatorEvidenceSerializer(items, many=True, context={"request": request}).data)
        fields = self._fields(request, ("indicator", "description"))
        evidence = workflow.file_evidence(request.user, pk, file=request.FILES.get("file"), **fields)
        return Response(
            IndicatorEvidenceSerializer(evidence, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: SelfCheckEventSerializer(many=True)})
    @action(
        detail=True, methods=["get"], action_requires=Action.READ, pagination_class=None, filter_backends=[]
    )
    def events(self, request, pk):
        check = self.get_object()
        return Response(SelfCheckEventSerializer(check.events.select_related("actor"), many=True).data)

    @extend_schema(request=SelfCheckRunSerializer, responses={202: JobCreatedSerializer})
    @action(detail=False, methods=["post"], url_path="run", action_requires=Action.RUN_SELF_CHECKS)
    def run(self, request):
        params = SelfCheckRunSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            job = runs.start_run(
                request.user, params.validated_data["year"], params.validated_data.get("unit")
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)
