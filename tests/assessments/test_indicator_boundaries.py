"""Every boundary the documents draw, judged through the one evaluator against the shipped editions:
a community just passing and one just failing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from communities.models import Community
from demo.factories import (
    CommunityFactory,
    DisclosureFactory,
    FacilityFactory,
    MeetingFactory,
    MemberFactory,
    VolunteerRegistrationFactory,
    WorkFundFactory,
)

from .judging import judge

YEAR = 2025

# The indicators this module judges at their boundaries; test_every_indicator.py covers the rest and
# checks that the two sets together cover every shipped auto indicator.
COVERED = {
    "U-FUND",
    "U-FULLTIME",
    "U-SPACE",
    "U-AREA",
    "U-VOLREG",
    "V-BRANCH",
    "V-VC",
    "U-MEET",
    "U-DISC",
    "U-SIZE",
    "R-AREA",
    "R-NAME",
}


def urban(world, **fields):
    defaults = {"unit": world.t1, "kind": "urban", "households": 2400, "residents": 6800}
    return CommunityFactory(**{**defaults, **fields})


def village(world, **fields):
    defaults = {"unit": world.t3, "kind": "village", "households": 300, "residents": 900}
    return CommunityFactory(**{**defaults, **fields})


def members(community, body, count, full_time=True, first_role="director"):
    for number in range(count):
        MemberFactory(
            community=community,
            name=f"{body}{number}",
            body=body,
            role=first_role if number == 0 else "member",
            full_time=full_time if not isinstance(full_time, list) else full_time[number],
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("households", "paid", "passed", "due"),
    [
        (1999, 40000, True, 40000),
        (2000, 40000, False, 50000),
        (2000, 50000, True, 50000),
        (3000, 50000, True, 50000),
        (3001, 50000, False, 60000),
        (3001, 60000, True, 60000),
    ],
)
def test_u_fund_tiers_at_1999_2000_3000_3001_households(world, households, paid, passed, due):
    community = urban(world, households=households, residents=households * 3)
    WorkFundFactory(community=community, year=YEAR, paid=Decimal(paid))

    result = judge(community, "U-FUND", YEAR)

    assert result["passed"] is passed
    assert result["expected"] == due
    if not passed:
        assert f"应拨{due}元" in result["note"] and f"还差{due - paid}元" in result["note"]


@pytest.mark.django_db
def test_u_fulltime_exactly_two_thirds_passes_and_three_fifths_fails(world):
    exact, short = urban(world, name="甲社区"), urban(world, name="乙社区")
    members(exact, "residents_committee", 6, full_time=[True, True, True, True, False, False])
    members(short, "residents_committee", 5, full_time=[True, True, True, False, False])

    assert judge(exact, "U-FULLTIME", YEAR)["passed"] is True
    failing = judge(short, "U-FULLTIME", YEAR)
    assert failing["passed"] is False
    assert "60%" in failing["note"]


@pytest.mark.django_db
@pytest.mark.parametrize(("activity", "passed"), [(200, True), (199, False)])
def test_u_space_activity_area_exactly_two_thirds_of_300(world, activity, passed):
    community = urban(world)
    FacilityFactory(
        community=community, kind="service_station", name="服务站", area_m2=300, activity_area_m2=activity
    )

    result = judge(community, "U-SPACE", YEAR)

    assert result["passed"] is passed
    assert result["expected"] == 200
    if not passed:
        assert "还差1平方米" in result["note"]


@pytest.mark.django_db
def test_u_space_fails_without_a_service_station(world):
    result = judge(urban(world), "U-SPACE", YEAR)

    assert (result["passed"], result["value"]) == (False, None)
    assert result["note"] == "尚无“居民活动用房面积”的相关记录。"


@pytest.mark.django_db
@pytest.mark.parametrize(("area", "passed"), [(299, False), (300, True)])
def test_u_area_at_299_and_300_square_metres(world, area, passed):
    community = urban(world)
    FacilityFactory(
        community=community, kind="service_station", name="服务站", area_m2=area, activity_area_m2=100
    )

    result = judge(community, "U-AREA", YEAR)

    assert result["passed"] is passed
    assert result["value"] == area
    if not passed:
        assert "还差1平方米" in result["note"]


@pytest.mark.django_db
@pytest.mark.parametrize(("registered", "passed"), [(400, True), (399, False)])
def test_u_volreg_exactly_ten_percent_of_residents(world, registered, passed):
    community = urban(world, residents=4000)
    VolunteerRegistrationFactory(community=community, year=YEAR, registered=registered)

    result = judge(community, "U-VOLREG", YEAR)

    assert result["passed"] is passed
    assert result["expected"] == 400
    if not passed:
        assert "还差1人" in result["note"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("party_members", "branch", "passed"),
    [(7, 3, True), (6, 3, False), (6, 1, True), (7, 1, False)],
)
def test_v_branch_committee_from_seven_party_members(world, party_members, branch, passed):
    community = village(world, party_members=party_members)
    members(community, "party_branch", branch, first_role="secretary")

    assert judge(community, "V-BRANCH", YEAR)["passed"] is passed


@pytest.mark.django_db
def test_v_branch_without_a_party_member_count_is_missing_data(world):
    community = village(world)
    members(community, "party_branch", 3, first_role="secretary")

    result = judge(community, "V-BRANCH", YEAR)

    assert result["passed"] is False
    assert result["value"] is None
    assert "尚无" in result["note"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("residents", "size", "passed"),
    [(999, 3, True), (999, 5, False), (1000, 5, True), (1000, 3, False)],
)
def test_v_vc_three_members_under_1000_people_five_from_1000(world, residents, size, passed):
    community = village(world, residents=residents)
    members(community, "villagers_committee", size)

    result = judge(community, "V-VC", YEAR)

    assert result["passed"] is passed
    assert result["expected"] == (3 if residents < 1000 else 5)


def meeting(community, kind, day, minutes=True):
    return MeetingFactory(
        community=community,
        kind=kind,
        held_on=day,
        topic="会议",
        minutes=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf") if minutes else None,
    )


@pytest.mark.django_db
def test_u_meet_needs_minuted_residents_meetings_in_q1_and_q4(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    both, first_only, unminuted = urban(world, name="甲"), urban(world, name="乙"), urban(world, name="丙")
    for community in (both, first_only, unminuted):
        meeting(community, "residents", date(YEAR, 3, 31))
    meeting(both, "residents", date(YEAR, 10, 1))
    meeting(unminuted, "residents", date(YEAR, 12, 31), minutes=False)
    meeting(first_only, "residents", date(YEAR + 1, 1, 5))  # next year's Q1 is not this year's Q4

    assert judge(both, "U-MEET", YEAR)["passed"] is True
    for community in (first_only, unminuted):
        result = judge(community, "U-MEET", YEAR)
        assert result["passed"] is False
        assert result["value"] == [1]
        assert "第四季度" in result["note"] and "第一季度" not in result["note"]


@pytest.mark.django_db
def test_u_disc_names_the_quarter_without_disclosure(world):
    community = urban(world)
    for month in (2, 5, 8):
        DisclosureFactory(
            community=community, published_on=date(YEAR, month, 1), topics=["finances"], channel="board"
        )

    result = judge(community, "U-DISC", YEAR)

    assert result["passed"] is False
    assert result["note"] == "第四季度没有居务公开记录。"


@pytest.mark.django_db
def test_u_size_exempts_unit_type_communities(world):
    small = urban(world, name="小社区", households=1999, residents=5000)
    unit_type = urban(world, name="单位社区", households=800, residents=2000, subtype="unit")

    assert judge(small, "U-SIZE", YEAR)["passed"] is False
    exempt = judge(unit_type, "U-SIZE", YEAR)
    assert exempt == {
        "indicator": "U-SIZE",
        "passed": True,
        "value": "n/a",
        "expected": None,
        "note": "不适用",
        "earned": None,
        "points": exempt["points"],
        "applicable": False,
    }


@pytest.mark.django_db
def test_rural_community_is_judged_by_the_rural_edition(world):
    community = Community.objects.get(pk=world.c3.pk)
    FacilityFactory(
        community=community,
        kind="service_center",
        name="四十里镇红光社区服务中心",
        area_m2=499,
        activity_area_m2=200,
        has_yard_or_square=True,
    )

    area = judge(community, "R-AREA", YEAR)
    naming = judge(community, "R-NAME", YEAR)

    assert area["passed"] is False and "还差1平方米" in area["note"]
    assert naming["passed"] is True
