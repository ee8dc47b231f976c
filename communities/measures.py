"""Measures read off the community record and its community-life records (see docs/measures.md).

Each measure loads its table once per batch under a shared cache name ("communities.meetings", …)
with every kind of row the year holds, and filters by its parameters in Python, so that the
indicators naming the same table with different kinds cost one query per chunk between them.
"""

from datetime import date
from fractions import Fraction

from core import measures
from core.measures import LIST, NOT_APPLICABLE, QUARTERS, exact, quarter

from .models import Activity, Disclosure, Meeting, MemberVillage, Organization, VolunteerRegistration

SCOPE_CODES = {"villages": "涵盖村数", "population": "服务人口", "radius": "服务半径"}


def kinds_of(kind) -> set | None:
    """A `kind` parameter (one code or a list) as a set of codes; None means every kind."""
    if kind is None:
        return None
    return {kind} if isinstance(kind, str) else set(kind)


def of_kind(rows, kind) -> list:
    kinds = kinds_of(kind)
    return rows if kinds is None else [row for row in rows if row["kind"] in kinds]


# ---- the community record ------------------------------------------------------------------------


@measures.register("households", "户数", unit="户", whole=True, reads=())
def households(batch):
    return batch.each(lambda community: community.households)


@measures.register("residents", "社区人口", unit="人", whole=True, reads=())
def residents(batch):
    return batch.each(lambda community: community.residents)


@measures.register(
    "new_area_committee_warranted",
    "新建住宅区达到单独成立居委会条件",
    yes_no=True,
    params={
        "min_households": "最低户数",
        "min_occupancy": "最低入住率",
        "group_min_households": "成立居民小组的最低户数",
    },
    reads=(),
)
def new_area_committee_warranted(
    batch, min_households=3000, min_occupancy=Fraction(1, 2), group_min_households=300
):
    """1 if the area has `min_households` and its occupancy reaches `min_occupancy`, else 0; None
    while the occupancy is not recorded. `group_min_households` only chooses between the two
    alternatives the indicator's advice names (a residents' group or a neighbour's management);
    both are "not warranted", so it cannot change the yes/no value."""
    floor = exact(min_occupancy)

    def warranted(community):
        if community.occupancy_percent is None:
            return None
        occupied = Fraction(community.occupancy_percent) / 100
        return int(community.households >= min_households and occupied >= floor)

    return batch.each(warranted)


@measures.register(
    "new_community_filed_on_time",
    "新社区按期报市备案",
    yes_no=True,
    params={"deadline_month": "截止月", "deadline_day": "截止日"},
    param_dates={"截止日期": ("deadline_month", "deadline_day")},
    reads=(),
)
def new_community_filed_on_time(batch, deadline_month=11, deadline_day=30):
    """A community is judged in the year of its first deadline: its founding year's, or the next
    year's when it was approved after that date (December). Other years: not applicable."""
    # An impossible deadline (the document's "11月31日") is refused when the edition is saved; one that
    # slipped in raises here rather than being moved silently (the evaluator then flags the indicator).
    deadline = date(batch.year, deadline_month, deadline_day)
    last_year_deadline = date(batch.year - 1, deadline_month, deadline_day)

    def on_time(community):
        founded = community.established_on
        due_this_year = (batch.in_year(founded) and founded <= deadline) or (
            founded.year == batch.year - 1 and founded > last_year_deadline
        )
        if not due_this_year:
            return NOT_APPLICABLE
        return int(community.filed_on is not None and community.filed_on <= deadline)

    return batch.each(on_time)


@measures.register(
    "service_scope_met",
    "中心村社区服务范围",
    kind=LIST,
    params={
        "min_villages": "最少村数",
        "max_villages": "最多村数",
        "min_population": "最少人口",
        "max_population": "最多人口",
        "radius_km": "服务半径(公里)",
        "allowance": "村庄密集地区上限可增加的比例",
    },
    codes=SCOPE_CODES,
    reads=("communities.MemberVillage",),
)
def service_scope_met(
    batch,
    min_villages=5,
    max_villages=10,
    min_population=3000,
    max_population=6000,
    radius_km=MemberVillage.SERVICE_RADIUS_KM,
    allowance=Fraction(0),
):
    """The scope's parts met. The seed lets villages and people exceed the upper limits "where villages
    are dense" (村庄密集度高的可以适当增加): density is not recorded, so `allowance` raises both upper
    limits by that share for every community (0 = the limits as written)."""
    villages = batch.grouped(
        "communities.member_villages", MemberVillage.objects.order_by().values("community_id", "distance_km")
    )
    radius = exact(radius_km)
    raised = 1 + exact(allowance)
    village_range = (exact(min_villages), exact(max_villages) * raised)
    population_range = (exact(min_population), exact(max_population) * raised)

    def met(pk):
        rows = villages[pk]
        codes = []
        if village_range[0] <= len(rows) <= village_range[1]:
            codes.append("villages")
        if population_range[0] <= batch.communities[pk].residents <= population_range[1]:
            codes.append("population")
        if rows and all(Fraction(row["distance_km"]) <= radius for row in rows):
            codes.append("radius")
        return sorted(codes)

    return {pk: met(pk) for pk in batch.ids}


# ---- community life --------------------------------------------------------------------------------

MEETING_PARAMS = {"kind": "会议类别", "with_minutes": "须有会议记录"}
MEETING_KINDS = {"kind": dict(Meeting.Kind.choices)}


def meetings_held(batch, kind, with_minutes) -> dict[int, list]:
    """The year's meetings of `kind` per community (only minuted ones when `with_minutes`)."""
    year = Meeting.objects.filter(held_on__range=(batch.start, batch.end)).order_by()
    rows = batch.grouped("communities.meetings", year.values("community_id", "kind", "held_on", "minutes"))
    return {
        pk: [row for row in of_kind(rows[pk], kind) if row["minutes"] or not with_minutes] for pk in batch.ids
    }


@measures.register(
    "meetings",
    "会议次数",
    unit="次",
    params=MEETING_PARAMS,
    param_codes=MEETING_KINDS,
    whole=True,
    reads=("communities.Meeting",),
    within_year=True,
)
def meetings(batch, kind=None, with_minutes=False):
    return {pk: len(rows) for pk, rows in meetings_held(batch, kind, with_minutes).items()}


@measures.register(
    "meeting_quarters",
    "召开会议的季度",
    kind=LIST,
    params=MEETING_PARAMS,
    param_codes=MEETING_KINDS,
    codes=QUARTERS,
    reads=("communities.Meeting",),
    within_year=True,
)
def meeting_quarters(batch, kind=None, with_minutes=False):
    return {
        pk: sorted({quarter(row["held_on"]) for row in rows})
        for pk, rows in meetings_held(batch, kind, with_minutes).items()
    }


def year_disclosures(batch):
    """The year's disclosures per community, one query shared by the disclosure measures."""
    year = Disclosure.objects.filter(published_on__range=(batch.start, batch.end)).order_by()
    return batch.grouped("communities.disclosures", year.values("community_id", "published_on", "topics"))


@measures.register(
    "disclosure_quarters",
    "居务公开的季度",
    kind=LIST,
    codes=QUARTERS,
    reads=("communities.Disclosure",),
    within_year=True,
)
def disclosure_quarters(batch):
    rows = year_disclosures(batch)
    return {pk: sorted({quarter(row["published_on"]) for row in rows[pk]}) for pk in batch.ids}


VILLAGE_DISCLOSURE_CODES = {
    "quarterly": "每季度公开",
    "finances": "财务定期公开",
    "family_planning": "计划生育",
    "homestead": "宅基地审批",
    "utilities": "水电费收缴",
    "major": "重大事项",
    "audit": "审计结果",
}
# The topics V-DISC wants disclosed at least once in the year (the finances have their own rhythm).
VILLAGE_DISCLOSURE_TOPICS = ("family_planning", "homestead", "utilities", "major", "audit")


@measures.register(
    "village_disclosure_met",
    "村务公开(两公开一监督)",
    kind=LIST,
    params={"finances_monthly": "财务按月公开"},
    codes=VILLAGE_DISCLOSURE_CODES,
    reads=("communities.Disclosure",),
    within_year=True,
)
def village_disclosure_met(batch, finances_monthly=False):
    """The parts of 村务公开 met in the year: `quarterly` (a disclosure in each quarter), `finances`
    (the finances in each quarter, or each month with `finances_monthly`), and each topic of
    `VILLAGE_DISCLOSURE_TOPICS` disclosed at least once."""
    rows = year_disclosures(batch)
    finance_periods = set(range(1, 13)) if finances_monthly else set(QUARTERS)

    def period(day: date) -> int:
        return day.month if finances_monthly else quarter(day)

    def met(disclosures) -> list[str]:
        codes = []
        if {quarter(row["published_on"]) for row in disclosures} >= set(QUARTERS):
            codes.append("quarterly")
        finances = {period(row["published_on"]) for row in disclosures if "finances" in (row["topics"] or [])}
        if finances >= finance_periods:
            codes.append("finances")
        topics = {topic for row in disclosures for topic in row["topics"] or []}
        codes += [topic for topic in VILLAGE_DISCLOSURE_TOPICS if topic in topics]
        return codes

    return {pk: met(rows[pk]) for pk in batch.ids}


def organizations_existing(batch) -> dict[int, list]:
    """Organisations registered by the end of the year, or with no registration date recorded."""
    rows = batch.grouped(
        "communities.organizations",
        Organization.objects.order_by().values("community_id", "kind", "registered_on"),
    )
    return {
        pk: [row for row in rows[pk] if row["registered_on"] is None or row["registered_on"] <= batch.end]
        for pk in batch.ids
    }


@measures.register(
    "organizations",
    "社区组织数",
    unit="个",
    params={"kind": "组织类别"},
    param_codes={"kind": dict(Organization.Kind.choices)},
    whole=True,
    reads=("communities.Organization",),
)
def organizations(batch, kind=None):
    return {pk: len(of_kind(rows, kind)) for pk, rows in organizations_existing(batch).items()}


@measures.register(
    "organization_kinds",
    "已有的组织类别",
    kind=LIST,
    codes=dict(Organization.Kind.choices),
    reads=("communities.Organization",),
)
def organization_kinds(batch):
    # "Present" in the judged year: the same organisations `organizations` counts.
    return {pk: sorted({row["kind"] for row in rows}) for pk, rows in organizations_existing(batch).items()}


@measures.register(
    "registered_volunteers",
    "注册志愿者人数",
    unit="人",
    whole=True,
    reads=("communities.VolunteerRegistration",),
    within_year=True,
)
def registered_volunteers(batch):
    rows = batch.grouped(
        "communities.volunteer_registrations",
        VolunteerRegistration.objects.filter(year=batch.year).order_by().values("community_id", "registered"),
    )
    # One registration per community and year (a unique constraint); none recorded counts as 0.
    return {pk: sum(row["registered"] for row in rows[pk]) for pk in batch.ids}


@measures.register(
    "activities",
    "活动次数",
    unit="次",
    params={"kind": "活动类别"},
    param_codes={"kind": dict(Activity.Kind.choices)},
    whole=True,
    reads=("communities.Activity",),
    within_year=True,
)
def activities(batch, kind=None):
    year = Activity.objects.filter(held_on__range=(batch.start, batch.end)).order_by()
    rows = batch.grouped("communities.activities", year.values("community_id", "kind"))
    return {pk: len(of_kind(rows[pk], kind)) for pk in batch.ids}
