"""Measures of the funding records (docs/measures.md): the work fund paid and due by the
household tiers (U-FUND), at the tiers' boundaries, with a constant number of queries."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from core import measures
from core.measures import Batch
from demo.factories import CommunityFactory, WorkFundFactory

YEAR = 2024
STANDARDS = Path(__file__).resolve().parents[2] / "standards" / "editions"


def batch_of(*communities, year=YEAR):
    pks = [community.pk for community in communities]
    return Batch(Community.objects.filter(pk__in=pks).select_related("unit__parent"), year)


def value(key, community, **params):
    return measures.get(key)(batch_of(community), params)[community.pk]


def shipped_tiers():
    """The tiers edition U passes to work_fund_due in U-FUND's threshold."""
    edition = json.loads((STANDARDS / "U.json").read_text(encoding="utf-8"))
    fund = next(indicator for indicator in edition["indicators"] if indicator["code"] == "U-FUND")
    return fund["threshold"]["params"]["tiers"]


@pytest.mark.parametrize(
    "households,due", [(1, "40000"), (1999, "40000"), (2000, "50000"), (3000, "50000"), (3001, "60000")]
)
def test_work_fund_due_by_the_documented_tiers(world, households, due):
    community = CommunityFactory(unit=world.t1, households=households, residents=households * 3)
    assert value("work_fund_due", community) == Decimal(due)
    assert value("work_fund_due", community, tiers=shipped_tiers()) == Decimal(due)


@pytest.mark.parametrize("households,due", [(2500, "45000.5"), (2501, "70000")])
def test_work_fund_due_by_an_editions_own_tiers(world, households, due):
    community = CommunityFactory(unit=world.t1, households=households, residents=households * 3)
    tiers = [{"max_households": 2500, "amount": 45000.5}, {"max_households": None, "amount": 70000}]
    assert value("work_fund_due", community, tiers=tiers) == Decimal(due)


def test_work_fund_due_is_none_when_no_tier_reaches_the_households(world):
    community = CommunityFactory(unit=world.t1, households=3001, residents=9000)
    assert value("work_fund_due", community, tiers=[{"max_households": 3000, "amount": 50000}]) is None


def test_work_fund_paid_of_the_year(world):
    WorkFundFactory(community=world.c1, year=YEAR, paid=Decimal("49999.99"))
    WorkFundFactory(community=world.c1, year=YEAR - 1, paid=Decimal("60000"))
    assert value("work_fund_paid", world.c1) == Decimal("49999.99")
    assert value("work_fund_paid", world.c2) == Decimal("0")  # no record: nothing paid


@pytest.mark.parametrize("key,most", [("work_fund_paid", 1), ("work_fund_due", 0)])
def test_queries_do_not_grow_with_the_batch(world, key, most):
    many = [CommunityFactory(unit=world.t1) for _ in range(30)]
    for community in many:
        WorkFundFactory(community=community, year=YEAR, paid=Decimal("50000"))
    counts = []
    for batch in (batch_of(many[0]), batch_of(*many)):
        with CaptureQueriesContext(connection) as captured:
            result = measures.get(key)(batch)
        assert set(result) == set(batch.ids)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= most
