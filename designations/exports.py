"""The register of designations as Excel."""

from core import exports

from .filtersets import DesignationFilterSet
from .models import Designation
from .titles import status_of


def _designation_status(designation) -> str:
    return status_of(designation)[1]


exports.register(
    exports.ExportSpec(
        name="designations",
        title="称号名册",
        model=Designation,
        filterset=DesignationFilterSet,
        select_related=("community__unit__parent", "unit", "issued_by"),
        columns=[
            (exports.ID_HEADER, lambda d: d.pk),
            ("年度", lambda d: d.year),
            ("称号", lambda d: d.get_title_display()),
            (
                "区县",
                lambda d: d.unit.name if d.unit_id else d.community.unit.parent.name,
            ),
            ("乡镇(街道)", lambda d: d.community.unit.name if d.community_id else ""),
            ("社区", lambda d: d.community.name if d.community_id else ""),
            ("授予日期", lambda d: d.issued_on),
            ("有效期至", lambda d: d.valid_until),
            ("状态", _designation_status),
            ("撤销日期", lambda d: d.revoked_on),
            ("撤销原因", lambda d: d.revoked_reason),
            ("核验码", lambda d: d.code),
        ],
    )
)
