from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api.schema import UnjudgedConflictSerializer
from core.api.serializers import JobCreatedSerializer
from core.api.views import DOWNLOAD_ACTION, DOWNLOAD_SCHEMA, ExportActionMixin, ReadOnlyScopedViewSet
from core.roles import Action
from core.views import attachment
from standards import printing
from standards.api.views import SHEET_ACTION, sheet_format, sheet_schema

from .. import runs, sheets
from ..filtersets import SelfCheckFilterSet
from ..models import IndicatorEvidence, SelfCheck, SiteVisit
from ..steps import STEPS, Kind, Step
from .serializers import (
    IndicatorEvidenceSerializer,
    SelfCheckEventSerializer,
    SelfCheckRunSerializer,
    SelfCheckSerializer,
    SiteVisitSerializer,
    step_body,
)

# What a step answers with, by what its function returns: the self-check as it now stands, or the
# record the step made (a new file is a 201).
ANSWERS = {
    SelfCheck: (SelfCheckSerializer, status.HTTP_200_OK),
    SiteVisit: (SiteVisitSerializer, status.HTTP_200_OK),
    IndicatorEvidence: (IndicatorEvidenceSerializer, status.HTTP_201_CREATED),
}


def _given(step: Step, request) -> dict:
    """The step's inputs from the body, a file from the upload. A body that is no JSON object (`null`,
    a list) names none, so the step still refuses in its own order and a missing field is a 400 on
    that field."""
    data = request.data if isinstance(request.data, Mapping) else {}
    given = {}
    for declared in step.inputs:
        if declared.kind == Kind.FILE:
            given[declared.name] = request.FILES.get(declared.name)
        elif declared.name in data:
            given[declared.name] = data[declared.name]
    return given


def step_schema(step: Step) -> dict:
    """The step's body (multipart when it takes a file) and answer, for `extend_schema`."""
    body = step_body(step)
    if body is not None and any(declared.kind == Kind.FILE for declared in step.inputs):
        body = {"multipart/form-data": body}
    serializer, code = ANSWERS[step.returns]
    responses = {code: serializer}
    if step.judged_first:  # its 409 may name the indicators still unjudged
        responses[409] = OpenApiResponse(
            UnjudgedConflictSerializer, "当前状态下不能执行此步骤,或有指标尚未判定"
        )
    return {"request": body, "responses": responses}


def step_action(step: Step):
    """The API's action of a step: POST `self-checks/{id}/<name>/`, open to the row's actions (checked
    by the step itself once it has found the self-check, so 404 comes before 403)."""

    def take(self, request, pk):
        return self.take_step(step, request, pk)

    take.__name__ = take.__qualname__ = step.key
    take.__doc__ = None
    routed = action(detail=True, methods=["post"], url_path=step.name, action_requires=step.actions)(take)
    return extend_schema(**step_schema(step))(routed)


def with_steps(viewset):
    """Every API step of the table as an action of `viewset`, unless it routes the step itself."""
    for step in STEPS.values():
        if step.api and not hasattr(viewset, step.key):
            setattr(viewset, step.key, step_action(step))
    return viewset


@with_steps
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

    # ---- the review workflow: one action per row of the step table (`steps.STEPS`, `step_action`) ----
    # The steps themselves check scope (404), role (403), input (400) and status (409), in that order,
    # so the body is handed over as it came.

    def take_step(self, step: Step, request, pk):
        result = step.function(request.user, pk, **_given(step, request))
        serializer, code = ANSWERS[step.returns]
        if isinstance(result, SelfCheck):  # the step found it in scope; read it as the API shows it
            result = self.get_queryset().get(pk=pk)
        return Response(serializer(result, context=self.get_serializer_context()).data, status=code)

    @extend_schema(methods=["GET"], request=None, responses={200: IndicatorEvidenceSerializer(many=True)})
    @extend_schema(methods=["POST"], **step_schema(STEPS["evidence"]))
    # The evidence and events of one self-check come whole: no page, and none of the list's filters.
    @action(
        detail=True,
        methods=["get", "post"],
        action_requires={"GET": Action.READ, "POST": STEPS["evidence"].actions},
        pagination_class=None,
        filter_backends=[],
    )
    def evidence(self, request, pk):
        if request.method == "GET":
            check = self.get_object()
            items = check.evidence.select_related("uploaded_by")
            return Response(IndicatorEvidenceSerializer(items, many=True, context={"request": request}).data)
        return self.take_step(STEPS["evidence"], request, pk)

    @extend_schema(**DOWNLOAD_SCHEMA)
    @action(**DOWNLOAD_ACTION, url_path=r"evidence/(?P<evidence_pk>\d+)/file", url_name="evidence-file")
    def evidence_file(self, request, pk, evidence_pk):
        """One filed document of the self-check, for token clients as for sessions."""
        check = self.get_object()
        evidence = get_object_or_404(
            IndicatorEvidence.objects.visible_to(request.user), self_check=check, pk=evidence_pk
        )
        return attachment(evidence.file)

    @extend_schema(request=None, responses={200: SelfCheckEventSerializer(many=True)})
    @action(
        detail=True, methods=["get"], action_requires=Action.READ, pagination_class=None, filter_backends=[]
    )
    def events(self, request, pk):
        check = self.get_object()
        return Response(SelfCheckEventSerializer(check.events.select_related("actor"), many=True).data)

    @extend_schema(**sheet_schema("评分表"))
    @action(**SHEET_ACTION)
    def sheet(self, request, pk):
        check = self.get_object()
        return printing.file_response(
            sheets.score_sheet(check), sheet_format(request), sheets.file_name(check)
        )

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
