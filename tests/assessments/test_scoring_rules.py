"""Every scoring rule of a sheet at its boundaries, and the score and levels they make
(docs/scoring.md): all-or-nothing, proportional, deduction, bands on a measured value, graded by
reviewers (the mean of several), satisfaction from the visit's figure; bonus items and their cap,
items that do not apply, minimum scores met exactly, vetoes, and the proposed score."""

from decimal import Decimal

import pytest

from assessments.evaluator import EditionEvaluator
from communities.models import Community
from core.measures import Batch
from demo.factories import CommunityFactory, FacilityFactory, this_year
from standards.models import Indicator, StandardEdition

YEAR = this_year()
ROOMS = ["service_hall", "activity_room", "council_room", "library_archive", "rights_room", "police_room"]


def sheet(tenant, items, min_scores=None, bonus_cap=5) -> StandardEdition:
    """A city's urban sheet of `items` (Indicator fields; auto items read the community's households
    unless they say otherwise), as a new version of the city's code S."""
    edition = StandardEdition.objects.create(
        tenant=tenant,
        code="S",
        name="评分表",
        version=StandardEdition.objects.next_version(tenant.pk, "S"),
        applies_to="urban",
        levels=["qualified", "model"],
        min_scores=min_scores or {"qualified": 60, "model": 90},
        bonus_cap=bonus_cap,
    )
    for order, item in enumerate(items):
        fields = {
            "code": f"I{order}",
            "category": "测试",
            "requirement": "要求",
            "check_kind": "auto",
            "level": "qualified",
            "points": 10,
            "order": order,
            **item,
        }
        if fields["check_kind"] == "auto":
            fields.setdefault("measure", "households")
            fields.setdefault("operator", "gte")
            fields.setdefault("threshold", 2000)
            fields.setdefault("method", "system")
        indicator = Indicator(edition=edition, **fields)
        indicator.full_clean()  # every sheet here is one the editor would accept
        indicator.save()
    return edition


def evaluate(edition, community, judgements=None):
    community = Community.objects.select_related("unit__parent").get(pk=community.pk)
    return EditionEvaluator(edition).evaluate(Batch([community], YEAR), {community.pk: judgements or {}})[
        community.pk
    ]


def earned(edition, community, judgements=None, code="I0"):
    result = next(r for r in evaluate(edition, community, judgements).results if r["indicator"] == code)
    return result["earned"], result["passed"]


@pytest.fixture
def town(world):
    return world.t1


def households(town, number):
    return CommunityFactory(unit=town, households=number, residents=number * 3)


# ---- the rules, item by item ------------------------------------------------------------------------


@pytest.mark.django_db
def test_all_or_nothing_is_full_marks_from_the_threshold_on(world, town):
    edition = sheet(world.tenant, [{}])
    assert earned(edition, households(town, 2000)) == (10, True)
    assert earned(edition, households(town, 1999)) == (0, False)


@pytest.mark.django_db
def test_proportional_gives_the_share_reached_capped_at_full_marks(world, town):
    edition = sheet(world.tenant, [{"scoring": "proportional", "points": 4}])
    assert earned(edition, households(town, 1500)) == (3, False)  # 4 × 1500/2000
    assert earned(edition, households(town, 1999)) == (3.99, False)  # rounded down: never full marks unmet
    assert earned(edition, households(town, 2500)) == (4, True)  # capped


@pytest.mark.django_db
def test_proportional_over_a_range_and_over_a_list(world, town):
    between = sheet(
        world.tenant,
        [{"scoring": "proportional", "operator": "between", "threshold": {"min": 2000, "max": 3000}}],
    )
    assert earned(between, households(town, 1000)) == (5, False)  # 1000/2000 below the range
    assert earned(between, households(town, 6000)) == (5, False)  # 3000/6000 above it
    assert earned(between, households(town, 2500)) == (10, True)

    rooms = sheet(
        world.tenant,
        [
            {
                "scoring": "proportional",
                "measure": "station_rooms",
                "params": {"kind": "service_station"},
                "operator": "all_in",
                "threshold": ROOMS,
                "points": 6,
            }
        ],
    )
    community = households(town, 2400)
    FacilityFactory(community=community, rooms=ROOMS[:3])
    assert earned(rooms, community) == (3, False)  # 3 of 6 rooms


@pytest.mark.django_db
def test_deduction_counts_missing_items_and_units_and_stops_at_zero(world, town):
    rooms = sheet(
        world.tenant,
        [
            {
                "scoring": "deduction",
                "scoring_params": {"per": 1},
                "measure": "station_rooms",
                "params": {"kind": "service_station"},
                "operator": "all_in",
                "threshold": ROOMS,
                "points": 5,
            }
        ],
    )
    four = households(town, 2400)
    FacilityFactory(community=four, rooms=ROOMS[:4])
    assert earned(rooms, four) == (3, False)  # two rooms missing, one point each
    none = households(town, 2400)
    FacilityFactory(community=none, rooms=[])
    assert earned(rooms, none) == (0, False)  # six missing: never below 0

    units = sheet(world.tenant, [{"scoring": "deduction", "scoring_params": {"per": 1}, "points": 5}])
    assert earned(units, households(town, 1997)) == (2, False)  # 3 households short
    assert earned(units, households(town, 1995)) == (0, False)
    assert earned(units, households(town, 2000)) == (5, True)

    ceiling = sheet(
        world.tenant,
        [{"scoring": "deduction", "scoring_params": {"per": 0.5}, "operator": "lte", "points": 4}],
    )
    assert earned(ceiling, households(town, 2003)) == (2.5, False)  # 3 over, half a point each


@pytest.mark.django_db
def test_bands_on_a_measured_value(world, town):
    bands = {"bands": [{"min": 3000, "share": 1}, {"min": 2000, "share": 0.6}]}
    edition = sheet(world.tenant, [{"scoring": "bands", "scoring_params": bands, "points": 5}])
    assert earned(edition, households(town, 3000)) == (5, True)
    assert earned(edition, households(town, 2999)) == (3, False)
    assert earned(edition, households(town, 2000)) == (3, False)
    assert earned(edition, households(town, 1999)) == (0, False)


@pytest.mark.django_db
def test_graded_items_take_the_reviewers_points_and_the_mean_of_several(world, town):
    edition = sheet(
        world.tenant,
        [{"check_kind": "site", "method": "inspection", "scoring": "graded", "points": 4}],
    )
    community = households(town, 2400)
    assert earned(edition, community) == (None, None)  # unjudged
    assert earned(edition, community, {"I0": {"earned": 2.5, "note": "台账不全"}}) == (2.5, False)
    assert earned(edition, community, {"I0": {"earned": 4}}) == (4, True)
    officers = {"I0": {"scores": [{"by": 1, "earned": 3, "note": "缺"}, {"by": 2, "earned": 4}]}}
    result = evaluate(edition, community, officers).results[0]
    assert (result["earned"], result["passed"]) == (3.5, False)
    assert [judgement["earned"] for judgement in result["judgements"]] == [3, 4]


@pytest.mark.django_db
def test_satisfaction_is_scored_from_the_visits_figure_by_bands(world, town):
    bands = {"bands": [{"min": 90, "share": 1}, {"min": 80, "share": 0.6}]}
    edition = sheet(
        world.tenant,
        [{"check_kind": "site", "method": "satisfaction", "scoring": "bands", "scoring_params": bands}],
    )
    community = households(town, 2400)
    assert earned(edition, community) == (None, None)  # no visit recorded yet
    assert earned(edition, community, {"I0": {"value": 90}}) == (10, True)
    assert earned(edition, community, {"I0": {"value": 89.99}}) == (6, False)
    assert earned(edition, community, {"I0": {"value": 80}}) == (6, False)
    assert earned(edition, community, {"I0": {"value": 79.99}}) == (0, False)


# ---- score and levels -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_score_scales_over_applicable_items_and_adds_capped_bonus(world, town):
    edition = sheet(
        world.tenant,
        [
            {"points": 30},  # passes
            {"points": 10, "threshold": 9999},  # fails
            {
                "points": 20,
                "params": {"exempt_subtypes": ["unit"]},
                "threshold": 9999,
            },  # off the sheet for units
            {"points": 8, "bonus": True},  # bonus, passes: capped at 5
        ],
    )
    ordinary = evaluate(edition, households(town, 2400))
    assert ordinary.score == Decimal("55.00")  # 100 × 30/60 + 5
    unit = CommunityFactory(unit=town, households=2400, residents=7000, subtype="unit")
    outcome = evaluate(edition, unit)
    exempt = outcome.results[2]
    assert (exempt["applicable"], exempt["earned"], exempt["passed"]) == (False, None, True)
    assert outcome.score == Decimal("80.00")  # 100 × 30/40 + 5: the exempt item's points leave


@pytest.mark.django_db
def test_the_score_never_passes_100_and_rounds_half_up(world, town):
    full = sheet(world.tenant, [{"points": 10}, {"points": 3, "bonus": True}])
    assert evaluate(full, households(town, 2400)).score == Decimal("100.00")
    thirds = sheet(world.tenant, [{"points": 1}, {"points": 1}, {"points": 1, "threshold": 9999}])
    assert evaluate(thirds, households(town, 2400)).score == Decimal("66.67")


@pytest.mark.django_db
def test_a_level_needs_its_minimum_exactly_met_and_its_vetoes_at_full_marks(world, town):
    items = [{"points": 60}, {"points": 30, "threshold": 9999, "veto": ["model"]}, {"points": 10}]
    at_minimum = sheet(world.tenant, items, min_scores={"qualified": 70, "model": 71})
    outcome = evaluate(at_minimum, households(town, 2400))
    assert (outcome.score, outcome.level) == (Decimal("70.00"), "qualified")  # 70 meets 70

    high_bar = sheet(world.tenant, items, min_scores={"qualified": 70.01, "model": 80})
    assert evaluate(high_bar, households(town, 2400)).level == "none"

    veto_blocks = sheet(world.tenant, items, min_scores={"qualified": 10, "model": 20})
    assert evaluate(veto_blocks, households(town, 2400)).level == "qualified"  # score 70, veto short


@pytest.mark.django_db
def test_unjudged_items_earn_nothing_in_the_score_and_full_marks_in_the_proposed_one(world, town):
    edition = sheet(
        world.tenant,
        [
            {"points": 50},
            {"check_kind": "evidence", "method": "documents", "points": 50, "veto": ["model"]},
        ],
        min_scores={"qualified": 50, "model": 90},
    )
    community = households(town, 2400)
    pending = evaluate(edition, community)
    assert (pending.score, pending.level) == (Decimal("50.00"), "qualified")
    assert (pending.proposed_score, pending.proposed_level) == (Decimal("100.00"), "model")
    refused = evaluate(edition, community, {"I1": {"passed": False, "note": "材料不全"}})
    assert (refused.proposed_score, refused.proposed_level) == (Decimal("50.00"), "qualified")
    judged = evaluate(edition, community, {"I1": {"passed": True}})
    assert (judged.score, judged.level) == (Decimal("100.00"), "model")
