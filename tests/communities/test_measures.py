"""Measures of the community record and its community-life records (docs/measures.md), at the
standards' boundaries, and a constant number of queries whatever the size of the batch."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import (
    Activity,
    Community,
    Disclosure,
    Meeting,
    Organization,
)
from core import measures
from core.measures import NOT_APPLICABLE, Batch
from demo.factories import (
    ActivityFactory,
    CommunityFactory,
    DisclosureFactory,
    MeetingFactory,
    MemberVillageFactory,
    OrganizationFactory,
    VolunteerRegistrationFactory,
)

YEAR = 2024
KEYS = [
    "households",
    "residents",
    "new_area_committee_warranted",
    "new_community_filed_on_time",
    "service_scope_met",
    "meetings",
    "meeting_quarters",
    "disclosure_quarters",
    "village_disclosure_met",
    "organizations",
    "organization_kinds",
    "registered_volunteers",
    "activities",
]


def batch_of(*communities, year=YEAR):
    pks = [community.pk for community in communities]
    return Batch(Community.objects.filter(pk__in=pks).select_related("unit__parent"), year)


def value(key, community, year=YEAR, **params):
    return measures.get(key)(batch_of(community, year=year), params)[community.pk]


def day(month, day_of_month, year=YEAR):
    return datetime.date(year, month, day_of_month)


def meeting(community, held_on, kind=Meeting.Kind.RESIDENTS, minutes="evidence/2024/01/minutes.pdf"):
    return MeetingFactory(community=community, kind=kind, held_on=held_on, topic="议题", minutes=minutes)


def disclosure(community, published_on):
    return DisclosureFactory(
        community=community, published_on=published_on, topics=["finances"], channel=Disclosure.Channel.BOARD
    )


def organization(community, name, kind=Organization.Kind.SOCIAL, registered_on=None):
    return OrganizationFactory(community=community, name=name, kind=kind, registered_on=registered_on)


def villages(community, count, distance_km="2.0"):
    for n in range(count):
        MemberVillageFactory(
            community=community, name=f"村{n}", distance_km=Decimal(distance_km), population=500
        )


# ---- the community record ------------------------------------------------------------------------


def test_households_and_residents_are_read_off_the_record(world):
    assert value("households", world.c3) == 1500
    assert value("residents", world.c3) == 4800


@pytest.mark.parametrize(
    "households,occupancy,warranted",
    [
        (3000, "50", 1),
        (2999, "50", 0),
        (3000, "49.99", 0),
        (4000, "100", 1),
        (3000, None, None),  # occupancy not recorded: no data
    ],
)
def test_new_area_committee_needs_3000_households_and_half_occupied(world, households, occupancy, warranted):
    area = CommunityFactory(
        unit=world.t1,
        subtype=Community.Subtype.NEW_RESIDENTIAL,
        households=households,
        residents=households * 3,
        occupancy_percent=None if occupancy is None else Decimal(occupancy),
    )
    assert value("new_area_committee_warranted", area) == warranted


def test_new_area_committee_takes_the_edition_thresholds(world):
    area = CommunityFactory(unit=world.t1, households=2500, residents=7000, occupancy_percent=Decimal("40"))
    assert value("new_area_committee_warranted", area) == 0
    assert value("new_area_committee_warranted", area, min_households=2500, min_occupancy=0.4) == 1
    stricter = {"numerator": 2, "denominator": 5}
    assert value("new_area_committee_warranted", area, min_households=2500, min_occupancy=stricter) == 1
    assert value("new_area_committee_warranted", area, min_households=2501, min_occupancy=stricter) == 0
    assert (
        value("new_area_committee_warranted", area, min_households=2500, min_occupancy=Fraction(41, 100)) == 0
    )


@pytest.mark.parametrize(
    "filed_on,on_time",
    [(day(11, 30), 1), (day(12, 1), 0), (day(3, 1), 1), (None, 0)],
)
def test_new_community_filed_by_30_november(world, filed_on, on_time):
    new = CommunityFactory(unit=world.t1, established_on=day(3, 1), filed_on=filed_on)
    assert value("new_community_filed_on_time", new) == on_time


def test_filing_is_not_applicable_to_a_community_established_in_another_year(world):
    older = CommunityFactory(
        unit=world.t1, established_on=day(5, 1, YEAR - 1), filed_on=day(12, 20, YEAR - 1)
    )
    assert value("new_community_filed_on_time", older) == NOT_APPLICABLE


def test_filing_deadline_is_a_parameter(world):
    new = CommunityFactory(unit=world.t1, established_on=day(3, 1), filed_on=day(12, 15))
    assert value("new_community_filed_on_time", new, deadline_month=12, deadline_day=15) == 1
    assert value("new_community_filed_on_time", new, deadline_month=12, deadline_day=14) == 0
    with pytest.raises(ValueError):  # the document's "11月31日" is refused, not moved silently
        value("new_community_filed_on_time", new, deadline_month=11, deadline_day=31)


@pytest.mark.parametrize("count,met", [(4, False), (5, True), (10, True), (11, False)])
def test_service_scope_covers_5_to_10_villages(world, count, met):
    villages(world.c3, count)
    assert ("villages" in value("service_scope_met", world.c3)) is met


@pytest.mark.parametrize("residents,met", [(2999, False), (3000, True), (6000, True), (6001, False)])
def test_service_scope_serves_3000_to_6000_people(world, residents, met):
    Community.objects.filter(pk=world.c3.pk).update(residents=residents)
    assert ("population" in value("service_scope_met", world.c3)) is met


def test_service_scope_radius_is_3_km_for_every_village(world):
    assert value("service_scope_met", world.c3) == ["population"]  # no village: no radius either
    villages(world.c3, 5, distance_km="3.0")
    assert value("service_scope_met", world.c3) == ["population", "radius", "villages"]
    MemberVillageFactory(community=world.c3, name="远村", distance_km=Decimal("3.1"), population=400)
    assert value("service_scope_met", world.c3) == ["population", "villages"]


def test_service_scope_takes_the_edition_bounds(world):
    villages(world.c3, 5, distance_km="3.0")
    params = {"min_villages": 6, "max_population": 4000, "radius_km": 2.5}
    assert value("service_scope_met", world.c3, **params) == []
    params = {"min_villages": 3, "max_villages": 5, "min_population": 4800, "radius_km": 3}
    assert value("service_scope_met", world.c3, **params) == ["population", "radius", "villages"]


def test_service_scope_allowance_raises_both_upper_limits(world):
    villages(world.c3, 12)
    Community.objects.filter(pk=world.c3.pk).update(residents=7200)
    assert value("service_scope_met", world.c3) == ["radius"]  # 12 villages, 7,200 people: over
    allowed = value("service_scope_met", world.c3, allowance={"numerator": 1, "denominator": 5})
    assert allowed == ["population", "radius", "villages"]
    Community.objects.filter(pk=world.c3.pk).update(residents=7201)
    assert value("service_scope_met", world.c3, allowance=0.2) == ["radius", "villages"]


# ---- meetings and disclosures ----------------------------------------------------------------------


def test_meeting_quarters_at_the_start_and_end_of_the_year(world):
    meeting(world.c1, day(1, 10))
    meeting(world.c1, day(12, 20))
    meeting(world.c1, day(6, 1, YEAR - 1))  # another year
    meeting(world.c1, day(7, 1), kind=Meeting.Kind.PARTY_JOINT)  # another kind
    assert value("meeting_quarters", world.c1, kind="residents", with_minutes=True) == [1, 4]
    assert value("meeting_quarters", world.c1) == [1, 3, 4]


def test_meeting_quarters_with_minutes_excludes_unminuted_meetings(world):
    meeting(world.c1, day(3, 31))
    meeting(world.c1, day(10, 1), minutes="")
    assert value("meeting_quarters", world.c1, kind="residents", with_minutes=True) == [1]
    assert value("meeting_quarters", world.c1, kind="residents") == [1, 4]


def test_meetings_counts_the_year_by_kind(world):
    meeting(world.c1, day(1, 1), kind=Meeting.Kind.UNITS_JOINT, minutes="")
    meeting(world.c1, day(12, 31), kind=Meeting.Kind.UNITS_JOINT)
    meeting(world.c1, day(12, 31, YEAR - 1), kind=Meeting.Kind.UNITS_JOINT)
    meeting(world.c1, day(5, 5), kind=Meeting.Kind.PARTY_JOINT)
    assert value("meetings", world.c1, kind="units_joint") == 2
    assert value("meetings", world.c1, kind="units_joint", with_minutes=True) == 1
    assert value("meetings", world.c1, kind=["units_joint", "party_joint"]) == 3
    assert value("meetings", world.c2, kind="units_joint") == 0


def test_disclosure_quarters(world):
    for published_on in (day(2, 1), day(5, 1), day(9, 30), day(10, 1), day(11, 1), day(8, 1, YEAR + 1)):
        disclosure(world.c1, published_on)
    assert value("disclosure_quarters", world.c1) == [1, 2, 3, 4]
    disclosure(world.c2, day(1, 1))
    disclosure(world.c2, day(12, 31))
    disclosure(world.c2, day(7, 1, YEAR - 1))
    assert value("disclosure_quarters", world.c2) == [1, 4]
    assert value("disclosure_quarters", world.c3) == []


def test_village_disclosure_met_quarterly_finances_and_each_topic(world):
    village = CommunityFactory(unit=world.t3, kind="village", households=300, residents=900)
    assert value("village_disclosure_met", village) == []
    for month in (1, 4, 7):
        DisclosureFactory(community=village, published_on=day(month, 15), topics=["finances", "major"])
    DisclosureFactory(community=village, published_on=day(10, 15), topics=["homestead", "audit"])
    # three quarters with the finances: disclosed every quarter, but the finances not
    assert value("village_disclosure_met", village) == ["quarterly", "homestead", "major", "audit"]
    DisclosureFactory(community=village, published_on=day(12, 1), topics=["finances", "utilities"])
    DisclosureFactory(community=village, published_on=day(3, 1, YEAR + 1), topics=["family_planning"])
    met = value("village_disclosure_met", village)
    assert met == ["quarterly", "finances", "homestead", "utilities", "major", "audit"]  # not next year's
    # monthly finances, where a city's edition asks for them: 4 of 12 months
    assert "finances" not in value("village_disclosure_met", village, finances_monthly=True)
    for month in (2, 3, 5, 6, 8, 9, 10, 11):
        DisclosureFactory(community=village, published_on=day(month, 20), topics=["finances"])
    assert "finances" in value("village_disclosure_met", village, finances_monthly=True)


# ---- organisations, volunteers, activities -----------------------------------------------------------


@pytest.mark.parametrize("count", [9, 10])
def test_organizations_counts_those_of_the_kind(world, count):
    for n in range(count):
        organization(world.c1, f"社会组织{n}")
    organization(world.c1, "志愿队", kind=Organization.Kind.VOLUNTEER)
    assert value("organizations", world.c1, kind="social") == count
    assert value("organizations", world.c1, kind=["social", "volunteer"]) == count + 1


def test_organizations_registered_after_the_year_do_not_count(world):
    organization(world.c1, "年底登记", registered_on=day(12, 31))
    organization(world.c1, "未填日期")
    organization(world.c1, "次年登记", registered_on=day(1, 1, YEAR + 1))
    organization(world.c1, "志愿队", kind=Organization.Kind.VOLUNTEER, registered_on=day(1, 1, YEAR + 1))
    assert value("organizations", world.c1, kind="social") == 2
    assert value("organizations", world.c1, kind="volunteer") == 0
    assert value("organizations", world.c1, kind="volunteer", year=YEAR + 1) == 1


def test_organization_kinds_present(world):
    organization(world.c3, "合作社甲", kind=Organization.Kind.COOPERATIVE)
    organization(world.c3, "合作社乙", kind=Organization.Kind.COOPERATIVE)
    organization(world.c3, "老年协会", kind=Organization.Kind.ASSOCIATION, registered_on=day(6, 1))
    organization(
        world.c3, "次年业委会", kind=Organization.Kind.OWNERS_COMMITTEE, registered_on=day(1, 1, YEAR + 1)
    )
    assert value("organization_kinds", world.c3) == ["association", "cooperative"]


@pytest.mark.parametrize("registered", [399, 400])
def test_registered_volunteers_beside_ten_percent_of_residents(world, registered):
    community = CommunityFactory(unit=world.t1, households=1500, residents=4000)
    VolunteerRegistrationFactory(community=community, year=YEAR, registered=registered)
    VolunteerRegistrationFactory(community=community, year=YEAR - 1, registered=9000)
    # The lead compares registered_volunteers ≥ residents × 0.1: 400 of 4000 is exactly 10 %.
    assert value("registered_volunteers", community) == registered
    assert value("residents", community) == 4000


def test_registered_volunteers_is_0_without_a_registration(world):
    assert value("registered_volunteers", world.c1) == 0


@pytest.mark.parametrize("count", [5, 6])
def test_activities_counts_volunteer_and_mutual_aid_of_the_year(world, count):
    kinds = [Activity.Kind.VOLUNTEER, Activity.Kind.MUTUAL_AID]
    for n in range(count):
        ActivityFactory(community=world.c1, kind=kinds[n % 2], held_on=day(n + 1, 1), title=f"活动{n}")
    ActivityFactory(community=world.c1, kind=Activity.Kind.CULTURE, held_on=day(3, 3), title="文艺")
    ActivityFactory(community=world.c1, kind=Activity.Kind.VOLUNTEER, held_on=day(3, 3, YEAR - 1), title="旧")
    assert value("activities", world.c1, kind=["volunteer", "mutual_aid"]) == count
    assert value("activities", world.c1, kind="culture") == 1
    assert value("activities", world.c1) == count + 1


# ---- queries ---------------------------------------------------------------------------------------------


def with_records(community):
    meeting(community, day(2, 1))
    disclosure(community, day(2, 1))
    organization(community, "社会组织")
    VolunteerRegistrationFactory(community=community, year=YEAR, registered=10)
    ActivityFactory(community=community, kind=Activity.Kind.VOLUNTEER, held_on=day(2, 1), title="活动")
    return community


def queries_for(batch, key):
    with CaptureQueriesContext(connection) as captured:
        result = measures.get(key)(batch)
    assert set(result) == set(batch.ids)  # a value (possibly None) for every community
    return len(captured)


@pytest.mark.parametrize("key", KEYS)
def test_queries_do_not_grow_with_the_batch(world, key):
    many = [with_records(CommunityFactory(unit=world.t1, occupancy_percent=Decimal("60"))) for _ in range(30)]
    villages(many[0], 5)
    assert queries_for(batch_of(many[0]), key) == queries_for(batch_of(*many), key) <= 1


def test_measures_of_one_table_share_its_query(world):
    batch = batch_of(with_records(world.c1), with_records(world.c2))
    with CaptureQueriesContext(connection) as captured:
        measures.get("meetings")(batch, {"kind": "units_joint"})
        measures.get("meeting_quarters")(batch, {"kind": "residents", "with_minutes": True})
        measures.get("organizations")(batch, {"kind": "social"})
        measures.get("organization_kinds")(batch)
    assert len(captured) == 2
