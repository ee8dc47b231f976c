"""`designations/` (read in scope; the city revokes; the certificate as PDF) and `verify/{code}/`,
the public check of a certificate's code: no login, throttled per client address."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.api.renderers import JSONRenderer
from core.api.views import ReadOnlyScopedViewSet, ScopedViewSet
from core.fields import attachment_header
from core.roles import Action

from .. import enrolments, titles
from ..filtersets import DesignationFilterSet, EnrolmentFilterSet
from ..models import Designation, Enrolment
from .serializers import EnrolmentSerializer


class DesignationSerializer(serializers.ModelSerializer):
    expired = serializers.SerializerMethodField()
    certificate_url = serializers.SerializerMethodField()

    class Meta:
        model = Designation
        fields = [
            "id",
            "community",
            "unit",
            "year",
            "title",
            "issued_on",
            "valid_until",
            "revoked",
            "code",
            "revoked_on",
            "revoked_reason",
            "expired",
            "certificate_url",
        ]
        read_only_fields = fields

    def get_expired(self, designation) -> bool:
        return designation.expired

    def get_certificate_url(self, designation) -> str:
        path = reverse("api:designation-certificate", args=[designation.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="撤销原因(必填,不能为空白)"
    )


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view answers the PDF itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)  # a refusal's {"detail"} under this negotiation


class DesignationViewSet(ReadOnlyScopedViewSet):
    """`designations/`: read in scope, filters `?year=`, `?community=`, `?unit=` (subtree), `?title=`;
    `designations/{id}/revoke/` (the city, with a reason) and `designations/{id}/certificate/` (PDF)."""

    model = Designation
    serializer_class = DesignationSerializer
    filterset_class = DesignationFilterSet
    search_fields = ["community__name", "unit__name"]
    http_method_names = ["get", "post", "head", "options"]

    @property
    def conflict_possible(self) -> bool:
        return getattr(self, "action", None) == "revoke"

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "pk")

    @extend_schema(request=RevokeSerializer, responses={200: DesignationSerializer})
    @action(detail=True, methods=["post"], url_path="revoke", action_requires=Action.ACCEPT)
    def revoke(self, request, pk=None):
        designation = self.get_object()  # 404 outside scope, then 403 for a role that may not revoke
        params = RevokeSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        # 400 without a reason and 409 when already revoked: core.api.exceptions maps the service's errors.
        titles.revoke(designation, request.user, params.validated_data["reason"])
        return Response(self.get_serializer(designation).data)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="证书 PDF")}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="certificate",
        url_name="certificate",
        renderer_classes=[JSONRenderer, PDFRenderer],
    )
    def certificate(self, request, pk=None):
        designation = self.get_object()
        return certificate_response(designation, request)


def certificate_response(designation: Designation, request) -> HttpResponse:
    """The PDF as a download named as people file it, holder, year, title and code
    (四十里集镇社区-2026年示范证书-84GA-XG8E-NHUE.pdf; an ASCII name by the code for older clients);
    shared by the page and the API."""
    verify_url = request.build_absolute_uri(designation.verify_path)
    pdf = titles.certificate_pdf(designation, verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    holder = (designation.community or designation.unit).name
    name = (
        f"{holder}-{designation.year}年{designation.get_title_display()}证书-{designation.code_display}.pdf"
    )
    response["Content-Disposition"] = attachment_header(name, fallback="certificate")
    return response


class VerifyThrottle(SimpleRateThrottle):
    """Per client address, for everybody (the endpoint has no login): guessing codes is slow."""

    scope = "verify"

    def get_rate(self):
        return getattr(settings, "VERIFY_THROTTLE_RATE", "60/minute")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def find_by_code(code: str) -> Designation:
    """The designation with that verification code, unscoped (the code is the secret); else 404."""
    designation = (
        Designation.objects.select_related("community__unit__parent", "unit")
        .filter(code=titles.normalize_code(code))
        .first()
    )
    if designation is None:
        raise Http404("核验码不存在。")
    return designation


def verification(designation: Designation) -> dict:
    status, label = titles.status_of(designation)
    community = designation.community
    return {
        "title": designation.title,
        "title_display": designation.get_title_display(),
        "community": community.name if community else None,
        "district": designation.unit.name if designation.unit_id else community.unit.parent.name,
        "town": community.unit.name if community else None,
        "year": designation.year,
        "issued_on": designation.issued_on.isoformat(),
        "valid_until": designation.valid_until.isoformat(),
        "revoked": designation.revoked,
        "revoked_on": designation.revoked_on.isoformat() if designation.revoked_on else None,
        "expired": designation.expired,
        "status": status,
        "status_display": label,
    }


class VerifyView(APIView):
    """`verify/{code}/`: GET without login. The holder, title, year and validity of a certificate;
    an unknown code is 404. No personal data and no internal ids."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        auth=[],
        responses={
            200: inline_serializer(
                "Verification",
                {
                    "title": serializers.ChoiceField(choices=Designation.Title.choices),
                    "title_display": serializers.CharField(),
                    "community": serializers.CharField(allow_null=True, help_text="社区名称;示范区为 null"),
                    "district": serializers.CharField(),
                    "town": serializers.CharField(allow_null=True),
                    "year": serializers.IntegerField(),
                    "issued_on": serializers.DateField(),
                    "valid_until": serializers.DateField(),
                    "revoked": serializers.BooleanField(),
                    "revoked_on": serializers.DateField(allow_null=True),
                    "expired": serializers.BooleanField(),
                    "status": serializers.CharField(
                        help_text="valid(有效)、expired(已过期)或 revoked(已撤销)"
                    ),
                    "status_display": serializers.CharField(),
                },
            )
        },
    )
    def get(self, request, code):
        return Response(verification(find_by_code(code)))


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

    # Written by the enrolment service, as on the page.
    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = enrolments.enrol(self.request.user, data["community"], data["year"])

    def perform_destroy(self, instance):
        enrolments.withdraw(self.request.user, instance)
