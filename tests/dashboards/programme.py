"""The programme fixture of the dashboards' tests: a city whose every figure is worked out by hand in
the fixture's docstring."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import runs
from assessments.models import SelfCheck
from demo.factories import (
    CommunityFactory,
    EnrolmentFactory,
    TownRecognitionFactory,
    VillageRecognitionFactory,
    WorkFundFactory,
)
from designations.models import Designation

YEAR = timezone.localdate().year
THIS_YEAR = datetime.date(YEAR, 1, 2)


def designate(world, community, year, title, code):
    return Designation.objects.create(
        community=community,
        scope_unit=community.unit,
        year=year,
        title=title,
        issued_on=datetime.date(year, 1, 1),
        valid_until=datetime.date(year + 3, 1, 1),
        issued_by=world.officer,
        code=code,
    )


def village_results(cross, one):
    return [
        {"indicator": "V-CROSS", "passed": cross >= 0.8, "value": cross, "expected": 0.8, "note": ""},
        {"indicator": "V-ONE", "passed": one >= 0.6, "value": one, "expected": 0.6, "note": ""},
    ]


@pytest.fixture
def programme(world):
    """Tenant A, this year:

    | town | community | kind    | status            | level     | failed               |
    |------|-----------|---------|-------------------|-----------|----------------------|
    | T1   | c1 幸福    | urban   | submitted         | none      | U-ELECT, U-STATION   |
    | T1   | u2 直选    | urban   | accepted          | qualified | U-STATION            |
    | T2   | c2 和平    | urban   | returned          | none      | U-ELECT              |
    | T3   | c3 红光    | rural   | draft             | none      | R-AREA               |
    | T3   | r2 (new)  | rural   | accepted          | model     |                      |
    | T3   | r3 (new)  | rural   | accepted          | premium   |                      |
    | T3   | v1        | village | district_approved | model     |                      |
    | T3   | v2        | village | draft             | none      | V-CROSS              |
    | T3   | v3        | village | draft             | none      | V-CROSS, V-PAY       |

    - U-ELECT: 3 urban, 2 failing → 33.3% (target 60).
    - V-CROSS shares 1.0, 0.5, 0.6 → mean 70.0% (edition target 80), 1 village passing; T3 misses.
    - V-ONE: T3's share 2/3 on each village → 66.7% (target 60); T3 meets.
    - Enrolled c1 and u2: 2 of 9 → 22.2% (target 20).
    - 五个好: v1 recognised and confirmed, v2 recognised but not confirmed → 1 of 3 → 33.3%.
    - 六个好: T3 recognised and confirmed; T3 is the only town with villages → 1 of 1.
    - R-NEW: r2, r3 founded this year in T3, the only rural town → 2 ≥ 2, met.
    - R-321 (three years): r2 示范, r3 精品 this year, c3 规范化 last year → 1/1/1 of 3/2/1, not met.
    - Titles this year: u2 合格 (东城区), r2 示范 and r3 精品 (青山县); c3's 规范化 is last year's.
    - Work funds: c1 paid 30,000 and c2 50,000 of 50,000 each → 100,000 due, 80,000 paid, 80%.
    - Failed: U-ELECT 2/3, U-STATION 2/3, V-CROSS 2/3, V-PAY 1/3, R-AREA 1/3 (each of its edition's).
    - Gaps (on a scoring sheet every failed item below full marks costs points toward the next level,
      unless the community stands at the top level or the item is a 加分项): none of the failing
      communities is at the top, so the gaps are the failures — U-ELECT 2, U-STATION 2 (c1, u2),
      V-CROSS 2, V-PAY 1, R-AREA 1.
    - Last year: c1 accepted with nothing failed → 1 self-check, 100% direct election.
    """
    w = world
    w.u2 = CommunityFactory(unit=w.t1, name="直选社区")
    w.r2 = CommunityFactory(unit=w.t3, name="四十里镇新一社区", kind="rural", established_on=THIS_YEAR)
    w.r3 = CommunityFactory(unit=w.t3, name="四十里镇新二社区", kind="rural", established_on=THIS_YEAR)
    w.v1, w.v2, w.v3 = (CommunityFactory(unit=w.t3, name=f"第{n}村", kind="village") for n in "一二三")
    rows = {
        w.c1: ("submitted", "none", ["U-ELECT", "U-STATION"]),
        w.u2: ("accepted", "qualified", ["U-STATION"]),
        w.c2: ("returned", "none", ["U-ELECT"]),
        w.c3: ("draft", "none", ["R-AREA"]),
        w.r2: ("accepted", "model", []),
        w.r3: ("accepted", "premium", []),
        w.v1: ("district_approved", "model", []),
        w.v2: ("draft", "none", ["V-CROSS"]),
        w.v3: ("draft", "none", ["V-CROSS", "V-PAY"]),
    }
    runs.evaluate_communities([community.pk for community in rows], YEAR)
    for community, (status, level, failed) in rows.items():
        SelfCheck.objects.filter(community=community, year=YEAR).update(
            status=status, level=level, proposed_level=level, failed=failed
        )
    for village, cross in ((w.v1, 1.0), (w.v2, 0.5), (w.v3, 0.6)):
        SelfCheck.objects.filter(community=village, year=YEAR).update(results=village_results(cross, 0.6667))
    runs.evaluate_communities([w.c1.pk], YEAR - 1)
    SelfCheck.objects.filter(community=w.c1, year=YEAR - 1).update(status="accepted", failed=[])

    EnrolmentFactory(community=w.c1, year=YEAR)
    EnrolmentFactory(community=w.u2, year=YEAR)
    VillageRecognitionFactory(community=w.v1, year=YEAR, recognised=True, confirmed_by_district=True)
    VillageRecognitionFactory(community=w.v2, year=YEAR, recognised=True)
    VillageRecognitionFactory(community=w.v3, year=YEAR, recognised=False)
    TownRecognitionFactory(unit=w.t3, year=YEAR, recognised=True, confirmed_by_district=True)
    WorkFundFactory(community=w.c1, year=YEAR, paid=Decimal("30000"))
    WorkFundFactory(community=w.c2, year=YEAR, paid=Decimal("50000"))
    designate(w, w.u2, YEAR, "qualified", "CODE00000001")
    designate(w, w.r2, YEAR, "model", "CODE00000002")
    designate(w, w.r3, YEAR, "premium", "CODE00000003")
    designate(w, w.c3, YEAR - 1, "standardized", "CODE00000004")
    revoked = designate(w, w.c2, YEAR, "qualified", "CODE00000005")
    revoked.revoked = True
    revoked.save()
    return w
