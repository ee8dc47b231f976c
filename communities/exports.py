from core import exports

from .filtersets import CommunityFilterSet, TownRecognitionFilterSet
from .models import Community, TownRecognition

exports.register(
    exports.ExportSpec(
        name="communities",
        title="社区名录",
        model=Community,
        filterset=CommunityFilterSet,
        select_related=("unit__parent",),
        columns=[
            (exports.ID_HEADER, lambda c: c.pk),
            ("社区名称", lambda c: c.name),
            ("区县", lambda c: c.unit.parent.name),
            ("乡镇(街道)", lambda c: c.unit.name),
            ("类别", lambda c: c.get_kind_display()),
            ("类型", lambda c: c.get_subtype_display()),
            ("户数", lambda c: c.households),
            ("人口", lambda c: c.residents),
            ("成立日期", lambda c: c.established_on),
            ("办公地址", lambda c: c.address),
            ("办公电话", lambda c: c.phone),
        ],
    )
)

exports.register(
    exports.ExportSpec(
        name="town-recognitions",
        title="乡镇六个好认定",
        model=TownRecognition,
        filterset=TownRecognitionFilterSet,
        select_related=("unit__parent",),
        columns=[
            (exports.ID_HEADER, lambda r: r.pk),
            ("区县", lambda r: r.unit.parent.name),
            ("乡镇(街道)", lambda r: r.unit.name),
            ("年度", lambda r: r.year),
            ("达到“六个好”标准", lambda r: r.recognised),
            ("区县已确认", lambda r: r.confirmed_by_district),
            ("备注", lambda r: r.note),
        ],
    )
)
