"""`stats/overview/`: the programme figures of a unit and year, in the caller's scope (issue #6)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import RolePermission
from core.models import Unit
from core.validators import YEAR_VALIDATORS

from .. import stats


class StatsOverviewView(APIView):
    """Communities by kind and subtype, the year's self-checks by status and level, designations by
    title and district, programme targets against actuals, work funds due and paid, and the
    indicators most often failed. Cached briefly; `?unit=` must be a unit the caller can see."""

    permission_classes = [RolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年度(默认今年)"),
            OpenApiParameter("unit", int, description="单位 id(默认本人所在单位;含其下级)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        errors = {}
        year = request.query_params.get("year") or timezone.localdate().year
        try:
            year = int(year)
            for validator in YEAR_VALIDATORS:
                validator(year)
        except (TypeError, ValueError):
            errors["year"] = ["请填写有效的年度。"]
        except DjangoValidationError as exc:
            errors["year"] = exc.messages
        unit = None
        wanted = request.query_params.get("unit", "")
        if wanted:
            # The caller's own subtree: a unit above it would be figures of a part labelled as the whole.
            unit = (
                Unit.objects.within_scope(request.user).filter(pk=wanted).first()
                if wanted.isdigit()
                else None
            )
            if unit is None:
                errors["unit"] = ["该单位不存在或不在您的管辖范围内。"]
        if errors:
            raise ValidationError(errors)
        return Response(stats.overview(request.user, year, unit))
