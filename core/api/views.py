from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import exports, privacy
from core.exceptions import delete_or_refuse
from core.fields import stored_file
from core.filtersets import JobFilterSet, UnitFilterSet
from core.models import ApiToken, Job, Unit
from core.roles import Action
from core.scope import assert_within_scope
from core.security import LockedOut, is_locked_out
from core.views import attachment, job_result

from .parsers import PARSER_CLASSES
from .renderers import JSONRenderer as PortalJSONRenderer
from .serializers import ApiTokenSerializer, JobCreatedSerializer, JobSerializer, UnitSerializer


class FileNegotiation(DefaultContentNegotiation):
    """For a route that answers with a file, not a rendered body (a download, a `sheet/`): whatever
    the client accepts (or names in `?format=`), DRF does not refuse it before the view runs (406,
    or 404 for an unknown format). Refusals are JSON, whatever was asked."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# What a route serving a stored file shares: read access to one object, no list filters or page,
# the file whatever the client accepts.
DOWNLOAD_ACTION = {
    "detail": True,
    "methods": ["get"],
    "action_requires": Action.READ,
    "pagination_class": None,
    "filter_backends": [],
    "renderer_classes": [PortalJSONRenderer],
    "content_negotiation_class": FileNegotiation,
}
DOWNLOAD_SCHEMA = {
    "request": None,
    "responses": {
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY,
            description="文件本身,作为附件;Content-Type 为按内容识别的类型(PDF、JPEG、PNG、Word、Excel)",
        )
    },
}


class ScopedGenericViewSet(viewsets.GenericViewSet):
    """The one base viewset. Subclasses are declarations: model, serializer, filterset.

    - Every handler starts from `Model.objects.visible_to(user)` (404 outside scope).
    - Writes run in a transaction and the saved object is re-checked against the caller's role
      scope before commit, so nobody creates or moves an object out of their scope.
    """

    model = None
    write_action = Action.EDIT_RECORDS
    # Set per extra route with @action(..., action_requires=Action.X).
    action_requires = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    search_fields = ["name"]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class ScopedWritesMixin:
    """Writes in one transaction with the written object re-checked against the caller's role
    scope before commit; an object that other records still need (PROTECT) is a 409, not a 500.
    Listed before DRF's mixins, whose plain `perform_*` it replaces."""

    def perform_create(self, serializer):
        with transaction.atomic():
            assert_within_scope(self.request.user, serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            assert_within_scope(self.request.user, serializer.save())

    def perform_destroy(self, instance):
        delete_or_refuse(instance)


class ScopedViewSet(
    ScopedWritesMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    ScopedGenericViewSet,
):
    """Read and write in scope (list, detail, create, update, delete)."""


class ReadOnlyScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """List and detail only; a subclass that adds POST routes (extra actions) still has no create."""

    http_method_names = ["get", "head", "options"]


class UnitViewSet(ReadOnlyScopedViewSet):
    model = Unit
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet


class FileDownloadMixin:
    """`GET <list>/{id}/files/{field}/`: the file an object holds in a file field, for token clients
    as for sessions, found through the scope like the object itself (404 outside it)."""

    @extend_schema(**DOWNLOAD_SCHEMA)
    @action(**DOWNLOAD_ACTION, url_path=r"files/(?P<field>[a-z_]+)", url_name="file")
    def file(self, request, pk=None, field=None):
        stored = stored_file(self.get_object(), field)
        if not stored:
            raise NotFound
        return attachment(stored)


class JobViewSet(ReadOnlyScopedViewSet):
    model = Job
    serializer_class = JobSerializer
    filterset_class = JobFilterSet
    search_fields = []

    @extend_schema(**DOWNLOAD_SCHEMA)
    @action(**DOWNLOAD_ACTION, url_path="result", url_name="result")
    def result(self, request, pk=None):
        """The job's file (an export), under the same rule as the page's download."""
        job = self.get_object()
        if not privacy.may_receive_file(request.user, job):
            raise PermissionDenied
        if not job.result:
            raise NotFound
        return job_result(job)


class TokenView(APIView):
    """POST {"username", "password"} → {"token"}: a new token, valid for API_TOKEN_TTL_DAYS (see
    `core.models.ApiToken`). Wrong, disabled or locked-out users get no token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    permission_classes = ()
    parser_classes = PARSER_CLASSES
    renderer_classes = [JSONRenderer]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if is_locked_out(request):
                raise LockedOut() from None
            raise
        _, key = ApiToken.issue(serializer.validated_data["user"])
        return Response({"token": key})


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens: list them, revoke one (`DELETE`). Personal like the inbox, so any
    signed-in user may, whatever the role; another user's token is a 404."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []
    http_method_names = ["get", "delete", "head", "options"]

    def get_queryset(self):
        return ApiToken.objects.for_user(self.request.user)


class ExportActionMixin:
    """`POST <list>/export/` with the list's filters → 202 {"job": id}; the file is built by Celery."""

    export_name: str = ""

    @extend_schema(request=None, responses={202: JobCreatedSerializer})
    @action(detail=False, methods=["post"], url_path="export", action_requires=Action.READ)
    def export(self, request):
        job, errors = exports.start_export(request.user, self.export_name, request.query_params.dict())
        if errors:
            raise ValidationError(errors)
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


@csrf_exempt  # a POST to a path that does not exist is a 404 like any other, not a CSRF refusal
def not_found(request, *args, **kwargs):
    """Any API path no route matches (`units/1.5/`, `communities/1/x/`): the JSON 404 the schema
    declares, as DRF answers for an unknown id, never Django's HTML page."""
    return JsonResponse(
        {"detail": str(NotFound.default_detail)}, status=404, json_dumps_params={"ensure_ascii": False}
    )
