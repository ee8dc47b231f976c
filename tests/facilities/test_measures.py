"""The facilities measures (docs/measures.md, "Facilities"): values at the standard's boundaries, and a
constant number of queries per batch."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from core import measures
from core.measures import Batch
from demo.factories import CommunityFactory, EnvironmentCheckFactory, FacilityFactory

YEAR = 2024
STATION = "service_station"
CENTER = "service_center"
KEYS = [
    "facilities",
    "station_area_m2",
    "station_activity_area_m2",
    "station_activity_share",
    "station_rooms",
    "station_plaques",
    "station_windows",
    "station_boards_met",
    "electronic_screen",
    "hall_services",
    "center_stations",
    "center_functions",
    "rural_boards",
    "environment_items",
    "rural_naming",
]


def batch(*communities, year=YEAR):
    queryset = Community.objects.filter(pk__in=[c.pk for c in communities]).select_related("unit__parent")
    return Batch(queryset, year)


def value(key, community, **params):
    return measures.get(key)(batch(community), params)[community.pk]


def facility(community, kind=STATION, area=300, activity=0, **fields):
    fields.setdefault("name", f"{community.name}{'服务站' if kind == STATION else '服务中心'}")
    return FacilityFactory(
        community=community,
        kind=kind,
        area_m2=Decimal(str(area)),
        activity_area_m2=Decimal(str(activity)),
        **fields,
    )


# ---- registry -------------------------------------------------------------------------------------


def test_every_key_is_registered_and_works_with_its_defaults(world):
    b = batch(world.c1, world.c3)
    for key in KEYS:
        assert set(measures.get(key)(b)) == {world.c1.pk, world.c3.pk}, key


def test_activity_area_is_a_number_in_square_metres_of_the_facility_kind():
    measure = measures.get("station_activity_area_m2")
    assert (measure.label, measure.unit, measure.kind) == ("居民活动用房面积", "平方米", measures.NUMBER)
    assert measure.params == {"kind": "设施类别"}
    assert measure.param_codes["kind"] == {STATION: "社区服务站", CENTER: "农村社区服务中心"}


# ---- facilities (U-STATION) -----------------------------------------------------------------------


def test_facilities_counts_only_the_kind(world):
    facility(world.c1)
    facility(world.c1, name="第二服务站")
    facility(world.c1, kind=CENTER)
    assert value("facilities", world.c1) == 2
    assert value("facilities", world.c1, kind=CENTER) == 1
    assert value("facilities", world.c2) == 0


# ---- station_area_m2 (U-AREA ≥ 300, R-AREA ≥ 500 with a yard or square) ----------------------------


@pytest.mark.parametrize(("area", "passes"), [(299, False), (300, True)])
def test_station_area_at_the_urban_boundary(world, area, passes):
    facility(world.c1, area=area)
    measured = value("station_area_m2", world.c1, kind=STATION)
    assert measured == Decimal(area)
    assert (measured >= 300) is passes


def test_station_area_is_the_largest_facility_of_the_kind(world):
    facility(world.c1, area=250)
    facility(world.c1, area=320, name="新服务站")
    facility(world.c1, kind=CENTER, area=900)
    assert value("station_area_m2", world.c1, kind=STATION) == Decimal(320)
    assert value("station_area_m2", world.c2, kind=STATION) == 0


@pytest.mark.parametrize(
    ("area", "yard", "passes"), [(499, True, False), (500, True, True), (500, False, False)]
)
def test_station_area_at_the_rural_boundary_with_a_yard_or_square(world, area, yard, passes):
    facility(world.c3, kind=CENTER, area=area, has_yard_or_square=yard)
    measured = value("station_area_m2", world.c3, kind=CENTER, with_yard_or_square=True)
    assert (measured >= 500) is passes
    # Without the yard condition the building counts whatever its grounds.
    assert value("station_area_m2", world.c3, kind=CENTER) == Decimal(area)


def test_station_area_with_a_yard_skips_a_larger_centre_without_one(world):
    facility(world.c3, kind=CENTER, area=800, has_yard_or_square=False)
    facility(world.c3, kind=CENTER, area=520, has_yard_or_square=True, name="老服务中心")
    assert value("station_area_m2", world.c3, kind=CENTER, with_yard_or_square=True) == Decimal(520)
    assert value("station_area_m2", world.c3, kind=CENTER, with_yard_or_square=False) == Decimal(800)


# ---- station_activity_area_m2 / station_activity_share (U-SPACE ≥ 2/3) ------------------------------


def test_activity_area_of_exactly_two_thirds_passes(world):
    facility(world.c1, area=300, activity=200)
    area = value("station_area_m2", world.c1)
    activity = value("station_activity_area_m2", world.c1)
    share = value("station_activity_share", world.c1)
    assert activity == Decimal(200)
    assert Fraction(activity) >= Fraction(area) * Fraction(2, 3)
    assert share == Fraction(2, 3)


def test_activity_area_just_below_two_thirds_fails(world):
    facility(world.c1, area=300, activity=199)
    area = value("station_area_m2", world.c1)
    activity = value("station_activity_area_m2", world.c1)
    assert activity == Decimal(199)
    assert Fraction(activity) < Fraction(area) * Fraction(2, 3)
    assert value("station_activity_share", world.c1) == Fraction(199, 300)


def test_activity_area_and_share_are_of_the_facility_the_area_measure_picks(world):
    facility(world.c1, area=300, activity=200)
    facility(world.c1, area=250, activity=250, name="小服务站")  # more activity space, but smaller
    assert value("station_area_m2", world.c1) == Decimal(300)
    assert value("station_activity_area_m2", world.c1) == Decimal(200)
    assert value("station_activity_share", world.c1) == Fraction(2, 3)


def test_activity_measures_without_a_facility_of_the_kind(world):
    facility(world.c1, kind=CENTER, area=600, activity=600)
    assert value("station_activity_area_m2", world.c1) is None
    assert value("station_activity_share", world.c1) is None
    assert value("station_activity_share", world.c1, kind=CENTER) == 1


# ---- lists of codes ---------------------------------------------------------------------------------


def test_station_rooms_are_the_union_over_the_facilities_of_the_kind(world):
    facility(world.c1, rooms=["service_hall", "activity_room", "police_room"])
    facility(world.c1, name="分站", rooms=["council_room", "library_archive", "rights_room", "activity_room"])
    facility(world.c1, kind=CENTER, rooms=["clinic"])
    assert value("station_rooms", world.c1, kind=STATION) == [
        "activity_room",
        "council_room",
        "library_archive",
        "police_room",
        "rights_room",
        "service_hall",
    ]
    assert value("station_rooms", world.c1, kind=CENTER) == ["clinic"]
    assert value("station_rooms", world.c2) == []


def test_station_plaques_are_the_union_of_the_kind(world):
    facility(world.c1, plaques=["party_org", "service_station"])
    facility(world.c1, name="分站", plaques=["residents_committee"])
    assert value("station_plaques", world.c1) == ["party_org", "residents_committee", "service_station"]
    assert value("station_plaques", world.c1, kind=CENTER) == []


def test_station_windows_include_procedures_posted_when_posted(world):
    facility(world.c1, windows=["employment", "party_service"], procedures_posted=True)
    facility(world.c2, windows=["employment", "party_service"], procedures_posted=False)
    facility(world.c2, kind=CENTER, procedures_posted=True)  # another kind's wall does not count
    assert value("station_windows", world.c1) == ["employment", "party_service", "procedures_posted"]
    assert value("station_windows", world.c2) == ["employment", "party_service"]


@pytest.mark.parametrize(
    ("boards", "met"),
    [
        ([(1, 0), (0, 2)], ["disclosure_boards", "publicity_boards"]),  # added up over two facilities
        ([(1, 2)], ["disclosure_boards", "publicity_boards"]),
        ([(0, 1)], []),
        ([(1, 1)], ["publicity_boards"]),
        ([(0, 2)], ["disclosure_boards"]),
    ],
)
def test_station_boards_at_the_minimum_counts(world, boards, met):
    for number, (publicity, disclosure) in enumerate(boards):
        facility(world.c1, name=f"服务站{number}", publicity_boards=publicity, disclosure_boards=disclosure)
    assert value("station_boards_met", world.c1) == met


def test_station_boards_follow_the_minimum_counts_given(world):
    facility(world.c1, publicity_boards=1, disclosure_boards=2)
    assert value("station_boards_met", world.c1, publicity_boards=2, disclosure_boards=3) == []


def test_electronic_screen(world):
    facility(world.c1, electronic_screen=True)
    facility(world.c2, electronic_screen=False)
    assert value("electronic_screen", world.c1) == 1
    assert value("electronic_screen", world.c2) == 0


def test_hall_services_with_posted_rules_come_from_service_centres(world):
    facility(world.c3, kind=CENTER, one_stop_services=["labour", "assistance"], procedures_posted=True)
    facility(world.c3, kind=STATION, one_stop_services=["land_transfer"])
    assert value("hall_services", world.c3) == ["assistance", "labour", "procedures_posted"]


def test_hall_services_without_posted_rules(world):
    facility(world.c3, kind=CENTER, one_stop_services=["labour"], procedures_posted=False)
    assert value("hall_services", world.c3) == ["labour"]


def test_centre_stations_functions_and_boards_are_unions_over_service_centres(world):
    facility(world.c3, kind=CENTER, stations=["health"], functions=["office"], rural_boards=["science"])
    facility(
        world.c3,
        kind=CENTER,
        name="分中心",
        stations=["volunteer", "health"],
        functions=["labour"],
        rural_boards=["village_affairs"],
    )
    facility(world.c3, stations=["policing"], functions=["shopping"], rural_boards=["community_affairs"])
    assert value("center_stations", world.c3) == ["health", "volunteer"]
    assert value("center_functions", world.c3) == ["labour", "office"]
    assert value("rural_boards", world.c3) == ["science", "village_affairs"]


# ---- environment_items (R-5YI) ---------------------------------------------------------------------


def test_environment_items_come_only_from_the_years_check(world):
    EnvironmentCheckFactory(community=world.c3, year=YEAR - 1, five_ones=["paved_street", "green_space"])
    EnvironmentCheckFactory(
        community=world.c3, year=YEAR, five_ones=["night_lighting"], four_links=["road", "water"]
    )
    assert value("environment_items", world.c3) == ["night_lighting"]
    assert value("environment_items", world.c3, field="four_links") == ["road", "water"]
    assert value("environment_items", world.c3, field="five_improvements") == []
    c3 = Community.objects.select_related("unit__parent").get(pk=world.c3.pk)
    last_year = measures.get("environment_items")(Batch([c3], YEAR - 1))
    assert last_year[c3.pk] == ["green_space", "paved_street"]


def test_environment_items_without_the_years_check_are_missing_data(world):
    EnvironmentCheckFactory(community=world.c3, year=YEAR - 1, five_ones=["paved_street"])
    assert value("environment_items", world.c3) is None


def test_environment_items_refuse_an_unknown_checklist(world):
    with pytest.raises(ValueError, match="未知的环境检查表"):
        value("environment_items", world.c3, field="six_ones")


# ---- rural_naming (R-NAME) ---------------------------------------------------------------------------


def test_rural_naming_both_codes(world):
    facility(world.c3, kind=CENTER, name="四十里镇红光社区服务中心")
    assert value("rural_naming", world.c3) == ["centre_name", "community_name"]


def test_rural_naming_only_the_community_name(world):
    facility(world.c3, kind=CENTER, name="红光服务中心")
    facility(world.c3, kind=STATION, name="四十里镇红光社区服务中心")  # a station is not the centre
    assert value("rural_naming", world.c3) == ["community_name"]


def test_rural_naming_none(world):
    village = CommunityFactory(unit=world.t3, name="红旗社区", kind="rural")
    assert value("rural_naming", village) == []


def test_rural_naming_only_the_centre_name(world):
    village = CommunityFactory(unit=world.t3, name="红旗村", kind="rural")
    facility(village, kind=CENTER, name="红旗村服务中心")
    assert value("rural_naming", village) == ["centre_name"]


# ---- queries -------------------------------------------------------------------------------------


def _queries(communities):
    b = batch(*communities)
    with CaptureQueriesContext(connection) as captured:
        for key in KEYS:
            measures.get(key)(b)
        measures.get("station_area_m2")(b, {"kind": CENTER, "with_yard_or_square": True})
        measures.get("environment_items")(b, {"field": "four_links"})
    return len(captured)


def test_queries_do_not_grow_with_the_batch(world):
    many = [world.c1, world.c2, world.c3] + [CommunityFactory(unit=world.t1) for _ in range(27)]
    for number, community in enumerate(many):
        facility(community, area=300 + number, activity=200, rooms=["service_hall"])
        facility(community, kind=CENTER, area=500, has_yard_or_square=True)
        EnvironmentCheckFactory(community=community, year=YEAR, five_ones=["green_space"])
    one = _queries(many[:1])
    assert one == _queries(many)
    # One query for the facilities and one for the environment checks, shared by every measure.
    assert one == 2
