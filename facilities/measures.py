"""Measures over the service stations and centres and the rural environment checklists
(U-STATION … U-SCREEN, R-NAME, R-AREA … R-BOARDS, R-5YI); see docs/measures.md.

Every facilities measure reads the same rows: one query for all the facilities of the batch, and one
for the year's environment checks, whatever the number of communities or measures.
"""

from fractions import Fraction

from core.measures import LIST, register

from .models import (
    FIVE_IMPROVEMENTS,
    FIVE_NOS_FIVE_UPGRADES,
    FIVE_ONES,
    FOUR_LINKS,
    FUNCTIONS,
    ONE_STOP_SERVICES,
    PLAQUES,
    ROOMS,
    RURAL_BOARDS,
    STATIONS,
    WINDOWS,
    EnvironmentCheck,
    Facility,
)

STATION = Facility.Kind.SERVICE_STATION.value
CENTER = Facility.Kind.SERVICE_CENTER.value
KIND = {"kind": "设施类别"}
KIND_CODES = {"kind": dict(Facility.Kind.choices)}
POSTED = "procedures_posted"
POSTED_LABEL = {POSTED: "办事程序、制度上墙公示"}
CHECKLISTS = {
    name: EnvironmentCheck._meta.get_field(name).verbose_name
    for name in ("four_links", "five_improvements", "five_ones", "five_nos_five_upgrades")
}
ENVIRONMENT_ITEMS = dict(FOUR_LINKS + FIVE_IMPROVEMENTS + FIVE_ONES + FIVE_NOS_FIVE_UPGRADES)

FACILITY_FIELDS = (
    "community_id",
    "kind",
    "name",
    "area_m2",
    "activity_area_m2",
    "has_yard_or_square",
    "rooms",
    "plaques",
    "windows",
    "one_stop_services",
    "stations",
    "functions",
    "rural_boards",
    "publicity_boards",
    "disclosure_boards",
    "electronic_screen",
    "procedures_posted",
)


def _facilities(batch) -> dict[int, list[dict]]:
    """Every facility of the batch, grouped by community: one query shared by all measures here."""
    return batch.grouped("facilities.facilities", Facility.objects.order_by().values(*FACILITY_FIELDS))


def _of_kind(rows, kind):
    return [row for row in rows if row["kind"] == kind]


def _largest(batch, kind, with_yard_or_square=False) -> dict[int, dict | None]:
    """The largest facility of the kind per community (None if none): the one facility whose area and
    activity space are judged. Equal areas: the one with more activity space, so the pick is stable."""

    def load():
        picked = {}
        for pk, rows in _facilities(batch).items():
            candidates = [
                row for row in _of_kind(rows, kind) if row["has_yard_or_square"] or not with_yard_or_square
            ]
            picked[pk] = max(
                candidates, key=lambda row: (row["area_m2"], row["activity_area_m2"]), default=None
            )
        return picked

    return batch.rows(f"facilities.largest:{kind}:{bool(with_yard_or_square)}", load)


def _union(batch, field, kind, posted=False) -> dict[int, list[str]]:
    """The codes of `field` over the facilities of the kind; with `posted`, `procedures_posted` too
    when one of them has its procedures on the wall."""
    found = {}
    for pk, rows in _facilities(batch).items():
        rows = _of_kind(rows, kind)
        codes = {code for row in rows for code in row[field]}
        if posted and any(row[POSTED] for row in rows):
            codes.add(POSTED)
        found[pk] = sorted(codes)
    return found


@register(
    "facilities",
    "服务站(中心)数",
    unit="个",
    params=KIND,
    param_codes=KIND_CODES,
    whole=True,
    reads=("facilities.Facility",),
)
def facilities(batch, kind=STATION):
    return {pk: len(_of_kind(rows, kind)) for pk, rows in _facilities(batch).items()}


@register(
    "station_area_m2",
    "服务站(中心)建筑面积",
    unit="平方米",
    params={**KIND, "with_yard_or_square": "须有院落或广场"},
    param_codes=KIND_CODES,
    reads=("facilities.Facility",),
)
def station_area_m2(batch, kind=STATION, with_yard_or_square=False):
    largest = _largest(batch, kind, with_yard_or_square)
    return {pk: row["area_m2"] if row else 0 for pk, row in largest.items()}


@register(
    "station_activity_area_m2",
    "居民活动用房面积",
    unit="平方米",
    params=KIND,
    param_codes=KIND_CODES,
    reads=("facilities.Facility",),
)
def station_activity_area_m2(batch, kind=STATION):
    # The same facility station_area_m2 picks, so U-SPACE compares the two areas of one building. No
    # facility is no data (U-SPACE fails and says so), not 0 m², which would meet "≥ 0 × 2/3".
    return {pk: row["activity_area_m2"] if row else None for pk, row in _largest(batch, kind).items()}


@register(
    "station_activity_share",
    "居民活动用房占服务站面积比例",
    params=KIND,
    param_codes=KIND_CODES,
    reads=("facilities.Facility",),
)
def station_activity_share(batch, kind=STATION):
    # Fraction(Decimal) is exact, so 200.00 of 300.00 is exactly 2/3.
    return {
        pk: Fraction(row["activity_area_m2"]) / Fraction(row["area_m2"]) if row else None
        for pk, row in _largest(batch, kind).items()
    }


@register(
    "station_rooms",
    "功能用房",
    kind=LIST,
    params=KIND,
    param_codes=KIND_CODES,
    codes=dict(ROOMS),
    reads=("facilities.Facility",),
)
def station_rooms(batch, kind=STATION):
    return _union(batch, "rooms", kind)


@register(
    "station_plaques",
    "服务站挂牌",
    kind=LIST,
    params=KIND,
    param_codes=KIND_CODES,
    codes=dict(PLAQUES),
    reads=("facilities.Facility",),
)
def station_plaques(batch, kind=STATION):
    return _union(batch, "plaques", kind)


@register(
    "station_windows",
    "服务窗口",
    kind=LIST,
    params=KIND,
    param_codes=KIND_CODES,
    codes={**dict(WINDOWS), **POSTED_LABEL},
    reads=("facilities.Facility",),
)
def station_windows(batch, kind=STATION):
    return _union(batch, "windows", kind, posted=True)


@register(
    "station_boards_met",
    "宣传栏、公开栏数量达标",
    kind=LIST,
    params={"publicity_boards": "宣传栏最少块数", "disclosure_boards": "公开栏最少块数"},
    codes={"publicity_boards": "宣传栏", "disclosure_boards": "公开栏"},
    reads=("facilities.Facility",),
)
def station_boards_met(batch, publicity_boards=1, disclosure_boards=2):
    minimum = {"publicity_boards": publicity_boards, "disclosure_boards": disclosure_boards}
    return {
        pk: sorted(field for field, least in minimum.items() if sum(row[field] for row in rows) >= least)
        for pk, rows in _facilities(batch).items()
    }


@register("electronic_screen", "电子显示屏", yes_no=True, reads=("facilities.Facility",))
def electronic_screen(batch):
    return {pk: int(any(row["electronic_screen"] for row in rows)) for pk, rows in _facilities(batch).items()}


@register(
    "hall_services",
    "便民服务大厅办理事项",
    kind=LIST,
    codes={**dict(ONE_STOP_SERVICES), **POSTED_LABEL},
    reads=("facilities.Facility",),
)
def hall_services(batch):
    return _union(batch, "one_stop_services", CENTER, posted=True)


@register(
    "center_stations", "服务中心下设服务站", kind=LIST, codes=dict(STATIONS), reads=("facilities.Facility",)
)
def center_stations(batch):
    return _union(batch, "stations", CENTER)


@register(
    "center_functions", "服务中心功能", kind=LIST, codes=dict(FUNCTIONS), reads=("facilities.Facility",)
)
def center_functions(batch):
    return _union(batch, "functions", CENTER)


@register("rural_boards", "农村社区三栏", kind=LIST, codes=dict(RURAL_BOARDS), reads=("facilities.Facility",))
def rural_boards(batch):
    return _union(batch, "rural_boards", CENTER)


@register(
    "environment_items",
    "环境检查已达到的项目",
    kind=LIST,
    params={"field": "检查表"},
    param_codes={"field": CHECKLISTS},
    codes=ENVIRONMENT_ITEMS,
    reads=("facilities.EnvironmentCheck",),
    within_year=True,
)
def environment_items(batch, field="five_ones"):
    if field not in CHECKLISTS:
        raise ValueError(f"未知的环境检查表:{field}")
    checks = batch.grouped(
        "facilities.environment_checks",
        EnvironmentCheck.objects.filter(year=batch.year).order_by().values("community_id", *CHECKLISTS),
    )
    # At most one check per community and year; none is missing data, not an empty checklist.
    return {pk: sorted(set(rows[0][field])) if rows else None for pk, rows in checks.items()}


@register(
    "rural_naming",
    "农村社区及服务中心名称规范",
    kind=LIST,
    codes={"community_name": "社区名称为“镇名+××社区”", "centre_name": "服务中心名称为“社区名+服务中心”"},
    reads=("facilities.Facility",),
)
def rural_naming(batch):
    found = {}
    for pk, rows in _facilities(batch).items():
        community = batch.communities[pk]
        codes = []
        if community.follows_rural_naming():
            codes.append("community_name")
        if any(row["name"] == f"{community.name}服务中心" for row in _of_kind(rows, CENTER)):
            codes.append("centre_name")
        found[pk] = sorted(codes)
    return found
