"""Every auto indicator of the shipped U, R and V editions, judged through the one evaluator: a
community that just meets it and one that just misses it, and the readable shortfall the failing one
is told. test_indicator_boundaries.py covers the indicators in its own COVERED set; this module covers
the rest, and the last test checks that together they cover every shipped auto indicator."""

import ast
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from demo.factories import (
    ActivityFactory,
    AppraisalFactory,
    CommunityFactory,
    DisclosureFactory,
    ElectionCandidateFactory,
    ElectionFactory,
    EnvironmentCheckFactory,
    FacilityFactory,
    MeetingFactory,
    MemberFactory,
    MemberVillageFactory,
    OrganizationFactory,
    PartyMemberCaseFactory,
    ResidentsGroupFactory,
    SubCommitteeFactory,
    TalkFactory,
    TownFactory,
    TrainingFactory,
)
from facilities.models import (
    FIVE_ONES,
    FUNCTIONS,
    ONE_STOP_SERVICES,
    PLAQUES,
    RURAL_BOARDS,
    RURAL_ROOMS,
    STATIONS,
    URBAN_ROOMS,
    WINDOWS,
)
from personnel.models import (
    BuildingLeader,
    Election,
    Member,
    SubCommittee,
    Training,
)
from standards.models import Indicator

from . import test_indicator_boundaries
from .judging import judge

YEAR = 2025

COVERED = {
    # urban (U)
    "U-NEW",
    "U-SETUP",
    "U-FILE",
    "U-ROSTER",
    "U-SUBC",
    "U-GROUP",
    "U-BLDG",
    "U-STATION",
    "U-SEATS",
    "U-SEATGUIDE",
    "U-PRO",
    "U-TRAIN",
    "U-CERT",
    "U-ELECT",
    "U-CAND",
    "U-VISIT",
    "U-BOARDS",
    "U-SCREEN",
    "U-ROOMS",
    "U-PLAQUES",
    "U-WINDOWS",
    "U-PARTY",
    "U-UNITS",
    "U-SOCORG",
    "U-VOLORG",
    "U-VOLACT",
    # rural (R)
    "R-SCOPE",
    "R-8HAVE",
    "R-FUNC",
    "R-HALL",
    "R-STATIONS",
    "R-BOARDS",
    "R-5YI",
    "R-PARTY",
    "R-ORGS",
    # village (V)
    "V-TWO",
    "V-CROSS",
    "V-ONE",
    "V-NOTICE",
    "V-DIRECT",
    "V-TRAIN",
    "V-APPRAISE",
    "V-TALK",
    "V-MEMBER",
    "V-MEMBERAPPR",
    "V-PAY",
    "V-DISC",
}

RC = Member.Body.RESIDENTS_COMMITTEE
PO = Member.Body.PARTY_ORGANIZATION
PB = Member.Body.PARTY_BRANCH
VC = Member.Body.VILLAGERS_COMMITTEE
STAFF = Member.Body.SERVICE_STATION


def day(month, day_of_month, year=YEAR):
    return date(year, month, day_of_month)


def codes(choices, *leaving_out):
    return [code for code, _label in choices if code not in leaving_out]


# ---- judging --------------------------------------------------------------------------------------
def passes(community, code):
    result = judge(community, code, YEAR)
    assert result["passed"] is True, result
    return result


def fails(community, code):
    result = judge(community, code, YEAR)
    assert result["passed"] is False, result
    assert result["note"], result
    return result


# ---- communities ----------------------------------------------------------------------------------
def urban(world, **fields):
    return CommunityFactory(
        **{"unit": world.t1, "kind": "urban", "households": 2400, "residents": 6800, **fields}
    )


def rural(world, label="新光", **fields):
    # Named 〈镇〉〈名〉社区 like the world's c3, in the same town 四十里镇.
    name = f"四十里镇{label}社区"
    defaults = {"unit": world.t3, "name": name, "kind": "rural", "households": 1000, "residents": 4000}
    return CommunityFactory(**{**defaults, **fields})


def village(world, **fields):
    defaults = {"unit": world.t3, "kind": "village", "households": 300, "residents": 900}
    return CommunityFactory(**{**defaults, **fields})


# ---- records --------------------------------------------------------------------------------------
def member(community, name, body=RC, role="member", **fields):
    return MemberFactory(community=community, name=name, body=body, role=role, **fields)


def members(community, count, body=RC, **fields):
    return [member(community, f"{body}{number}", body=body, **fields) for number in range(count)]


def election(community, held_on, body=RC, method=Election.Method.DIRECT, **fields):
    direct = fields.pop("direct", method == Election.Method.DIRECT)
    return ElectionFactory(
        community=community, body=body, held_on=held_on, method=method, direct=direct, voters=800, **fields
    )


def candidate(vote, name, resident_since=date(2000, 1, 1), **fields):
    return ElectionCandidateFactory(
        community=vote.community, election=vote, name=name, resident_since=resident_since, **fields
    )


def training(community, name, tier=Training.Tier.DISTRICT, held_on=date(YEAR, 5, 1), days="1", **fields):
    return TrainingFactory(
        community=community,
        trainee_name=name,
        organiser_tier=tier,
        held_on=held_on,
        days=Decimal(days),
        topic="业务培训",
        **fields,
    )


def station(community, **fields):
    defaults = {"kind": "service_station", "name": "社区服务站", "area_m2": 300, "activity_area_m2": 200}
    return FacilityFactory(community=community, **{**defaults, **fields})


def centre(community, **fields):
    defaults = {
        "kind": "service_center",
        "name": f"{community.name}服务中心",
        "area_m2": 600,
        "activity_area_m2": 300,
        "has_yard_or_square": True,
    }
    return FacilityFactory(community=community, **{**defaults, **fields})


def meeting(community, kind, held_on):
    return MeetingFactory(community=community, kind=kind, held_on=held_on, topic="会议")


def organizations(community, kind, count, registered_on=date(YEAR, 1, 10)):
    for number in range(count):
        OrganizationFactory(
            community=community, kind=kind, name=f"{kind}{number}", registered_on=registered_on
        )


def activities(community, kind, count):
    for number in range(count):
        ActivityFactory(community=community, kind=kind, held_on=day(number + 1, 15), title="活动")


def appraisals(community, *items):
    for item in items:
        subject, half = item.rsplit("-", 1)
        held_on = day(3, 1) if half == "1" else day(9, 1)
        AppraisalFactory(community=community, year=YEAR, half=int(half), subject=subject, held_on=held_on)


# ==== U: organisation ==============================================================================
@pytest.mark.django_db
def test_u_new_a_new_area_warrants_a_committee_from_3000_households_half_occupied(world):
    warranted = urban(world, subtype="new_residential", households=3000, residents=9000, occupancy_percent=50)
    too_small = urban(world, subtype="new_residential", households=2999, residents=9000, occupancy_percent=80)
    too_empty = urban(
        world, subtype="new_residential", households=5000, residents=15000, occupancy_percent=Decimal("49.99")
    )
    ordinary = urban(world, households=2400, occupancy_percent=10)

    assert passes(warranted, "U-NEW")["value"] == 1
    for community in (too_small, too_empty):
        failing = fails(community, "U-NEW")
        assert failing["value"] == 0
        assert "3000户且入住率50%" in failing["note"] and "居民小组" in failing["note"]
    assert passes(ordinary, "U-NEW")["note"] == "不适用"  # only new residential areas


@pytest.mark.django_db
@pytest.mark.parametrize(("elected_on", "passed"), [(day(6, 15), True), (day(6, 16), False)])
def test_u_setup_committee_elected_within_three_months_of_approval(world, elected_on, passed):
    community = urban(world, established_on=day(3, 15))
    election(community, elected_on)

    result = judge(community, "U-SETUP", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["note"] == "新成立社区应在批准后3个月内完成社区居委会组建。"


@pytest.mark.django_db
@pytest.mark.parametrize(("filed_on", "passed"), [(day(11, 30), True), (day(12, 1), False), (None, False)])
def test_u_file_new_community_filed_with_the_city_by_30_november(world, filed_on, passed):
    community = urban(world, established_on=day(3, 15), filed_on=filed_on)

    result = judge(community, "U-FILE", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert "11月30日前报市民政局备案" in result["note"]


@pytest.mark.django_db
def test_u_file_a_community_approved_in_december_is_due_by_next_year_s_deadline(world):
    community = urban(world, established_on=day(12, 5, YEAR - 1), filed_on=day(12, 5, YEAR - 1))
    community.full_clean()  # a valid record: filed the day it was approved
    late = urban(world, name="晚备案社区", established_on=day(12, 5, YEAR - 1), filed_on=day(12, 1))

    # Its founding year's deadline had passed: it is judged against the next one.
    assert judge(community, "U-FILE", YEAR - 1)["value"] == "n/a"
    assert judge(community, "U-FILE", YEAR)["passed"] is True
    assert judge(late, "U-FILE", YEAR)["passed"] is False
    assert judge(community, "U-FILE", YEAR + 1)["value"] == "n/a"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roster_filed_on", "passed"), [(day(12, 31), True), (day(1, 1, YEAR + 1), False), (None, False)]
)
def test_u_roster_new_term_roster_filed_by_31_december(world, roster_filed_on, passed):
    community = urban(world)
    election(community, day(6, 1), roster_filed_on=roster_filed_on)

    result = judge(community, "U-ROSTER", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert "名录应在年底前报市民政局备案" in result["note"]


def subcommittees(community, representatives, leader):
    for kind, count in representatives.items():
        SubCommitteeFactory(community=community, kind=kind, leader=leader, resident_representatives=count)


@pytest.mark.django_db
def test_u_subc_five_subcommittees_led_by_a_committee_member_with_3_to_5_representatives(world):
    formed, malformed = urban(world), urban(world)
    five = {"mediation": 3, "security": 5, "public_health": 4, "family_planning": 3, "culture": 5}
    subcommittees(formed, five, leader=member(formed, "王芳"))
    leader = member(malformed, "王芳")
    subcommittees(malformed, {**five, "mediation": 2, "culture": 6}, leader=leader)
    departed = member(malformed, "李强")
    SubCommittee.objects.filter(community=malformed, kind="security").update(leader=departed)
    departed.delete()  # the sub-committee stays, without a leader

    passes(formed, "U-SUBC")
    failing = fails(malformed, "U-SUBC")
    assert failing["note"] == "以下下属委员会尚未设立或组成不符合要求:人民调解、治安保卫、群众文化。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("groups", "share"),
    [
        ([(200, True), (300, True)], 1),
        ([(200, True), (301, True)], 0.5),
        ([(199, True)], 0),
        ([(250, False)], 0),
    ],
)
def test_u_group_every_residents_group_200_to_300_households_with_an_elected_leader(world, groups, share):
    community = urban(world)
    for number, (households, elected) in enumerate(groups):
        ResidentsGroupFactory(
            community=community,
            name=f"第{number + 1}居民小组",
            households=households,
            leader_name=f"组长{number + 1}",
            leader_elected_by_group=elected,
            term_start=day(1, 1, 2023),
            term_end=day(12, 31, 2027),
        )

    result = judge(community, "U-GROUP", YEAR)

    assert (result["passed"], result["value"]) == (share == 1, share)
    if share != 1:
        assert result["note"] == "居民小组应按200—300户设立,组长由本组居民推选产生。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("leaders", "passed", "shown"),
    [(20, True, None), (30, True, None), (19, False, "31.58"), (31, False, "19.35")],
)
def test_u_bldg_one_building_leader_per_20_to_30_households(world, leaders, passed, shown):
    community = urban(world, households=600, residents=1800)
    BuildingLeader.objects.bulk_create(
        BuildingLeader(community=community, name=f"门栋长{n}", building=f"{n}栋", households=25)
        for n in range(leaders)
    )

    result = judge(community, "U-BLDG", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["note"] == f"门栋长平均联系{shown}户,应为每20—30户1名。"


@pytest.mark.django_db
def test_u_station_needs_a_service_station_not_a_rural_centre(world):
    with_station, with_centre_only = urban(world), urban(world)
    station(with_station)
    centre(with_centre_only)

    assert passes(with_station, "U-STATION")["value"] == 1
    failing = fails(with_centre_only, "U-STATION")
    assert (failing["value"], failing["note"]) == (0, "尚未登记社区服务站。")


@pytest.mark.django_db
@pytest.mark.parametrize(("full_time", "passed"), [(4, False), (5, True), (7, True), (8, False)])
def test_u_seats_5_to_7_full_time_members(world, full_time, passed):
    community = urban(world, households=2400, residents=7200)
    members(community, full_time, full_time=True)
    member(community, "兼职委员", full_time=False)  # part-time members take no seat

    result = judge(community, "U-SEATS", YEAR)

    assert result["passed"] is passed
    assert (result["value"], result["expected"]) == (full_time, [5, 7])
    if not passed:
        assert result["note"] == f"居委会现有专职成员{full_time}人,原则上应为5人—7人。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("households", "full_time", "earned", "seats"),
    [(3249, 6, 2, 6), (3250, 6, 1, 7), (3250, 7, 2, 7), (3250, 5, 0, 7), (1250, 4, 1, 5), (2600, 6, 1, 5)],
)
def test_u_seatguide_one_seat_per_500_households_one_seat_off_half_marks(
    world, households, full_time, earned, seats
):
    community = urban(world, households=households, residents=households * 3)
    members(community, full_time, full_time=True)
    member(community, "兼职委员", full_time=False)  # part-time members take no seat

    result = judge(community, "U-SEATGUIDE", YEAR)

    assert (result["earned"], result["points"]) == (earned, 2)
    assert (result["value"], result["expected"]) == (full_time, [seats, seats])
    if earned < 2:
        gap = abs(full_time - seats)
        assert (
            result["note"] == f"居委会现有专职成员{full_time}人,与按户数(约500户1人)应设的职数相差{gap}人。"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "households", "staff", "passed", "bounds"),
    [
        ("central", 2400, 5, True, None),
        ("central", 2400, 6, False, "1人—5人"),
        ("outer", 2400, 4, True, None),
        ("outer", 2400, 5, False, "1人—4人"),
        ("central", 1001, 0, False, "1人—5人"),
        ("central", 1000, 0, True, None),
    ],
)
def test_u_pro_professional_staff_by_zone_cap_and_1000_household_floor(
    world, zone, households, staff, passed, bounds
):
    town = world.t1 if zone == "central" else TownFactory(parent=world.d2, name="青山街道")
    community = urban(world, unit=town, households=households, residents=households * 3)
    members(community, staff, body=STAFF, role="staff")

    result = judge(community, "U-PRO", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["note"] == f"社区专职工作人员{staff}人,应在{bounds}之间。"


@pytest.mark.django_db
def test_u_train_director_once_members_twice_at_district_new_director_at_city(world):
    trained, member_short, new_director_untrained, new_director_trained = (urban(world) for _ in range(4))
    for community in (trained, member_short, new_director_untrained, new_director_trained):
        member(community, "主任", role="director")
        member(community, "委员")
        training(community, "主任")
        training(community, "委员", held_on=day(3, 1))
        if community is not member_short:
            training(community, "委员", held_on=day(9, 1))
    for community in (new_director_untrained, new_director_trained):
        election(community, day(4, 1))
    training(new_director_trained, "主任", tier=Training.Tier.CITY, held_on=day(6, 1))

    passes(trained, "U-TRAIN")
    passes(new_director_trained, "U-TRAIN")
    for community, share in ((member_short, 0.5), (new_director_untrained, 0.5)):
        failing = fails(community, "U-TRAIN")
        assert failing["value"] == share
        assert "主任每年区级培训1次、其他成员2次,新任主任参加市级培训" in failing["note"]


@pytest.mark.django_db
def test_u_cert_at_least_one_member_holds_a_social_work_certificate(world):
    certified, uncertified = urban(world), urban(world)
    member(certified, "王芳", body=STAFF, role="staff", social_worker_certificate=True)
    member(uncertified, "王芳", body=STAFF, role="staff", certificates="会计证")

    passes(certified, "U-CERT")
    assert fails(uncertified, "U-CERT")["note"] == "尚无成员持有社会工作者职业水平证书。"


@pytest.mark.django_db
def test_u_elect_the_latest_committee_election_was_direct(world):
    direct, no_longer_direct = urban(world), urban(world)
    election(direct, day(5, 1, 2022), method=Election.Method.REPRESENTATIVES)
    election(direct, day(5, 1))
    election(no_longer_direct, day(5, 1, 2022))
    election(no_longer_direct, day(5, 1), method=Election.Method.REPRESENTATIVES)

    passes(direct, "U-ELECT")
    assert fails(no_longer_direct, "U-ELECT")["note"] == "最近一次居委会换届未实行直接选举。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resident_since", "on_election_committee", "passed"),
    [
        (day(6, 1, YEAR - 1), False, True),
        (day(6, 2, YEAR - 1), False, False),
        (day(6, 1, 2000), True, False),
    ],
)
def test_u_cand_candidates_lived_here_a_year_and_left_the_election_committee(
    world, resident_since, on_election_committee, passed
):
    community = urban(world)
    vote = election(community, day(6, 1))
    candidate(vote, "张三")
    candidate(vote, "李四", resident_since=resident_since, on_election_committee=on_election_committee)

    result = judge(community, "U-CAND", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["value"] == 0.5
        assert result["note"] == "有候选人居住不满一年或未退出居民选举委员会。"


@pytest.mark.django_db
@pytest.mark.parametrize(("households", "part_time", "earned"), [(2500, 0, 2), (2600, 0, 1.92), (2600, 1, 2)])
def test_u_visit_one_member_full_or_part_time_per_500_households_in_proportion(
    world, households, part_time, earned
):
    community = urban(world, households=households, residents=households * 3)
    members(community, 5, full_time=True)
    for number in range(part_time):
        member(community, f"兼职委员{number}", full_time=False)

    result = judge(community, "U-VISIT", YEAR)

    assert result["earned"] == earned
    if earned < 2:
        assert result["note"] == "居委会成员(含兼职)5人,按500户一人应有5.2人。"


# ==== U: the service station =======================================================================
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("publicity", "disclosure", "missing"),
    [(1, 2, None), (1, 1, "公开栏"), (0, 2, "宣传栏")],
)
def test_u_boards_one_publicity_board_and_two_disclosure_boards(world, publicity, disclosure, missing):
    community = urban(world)
    station(community, publicity_boards=publicity, disclosure_boards=disclosure)

    result = judge(community, "U-BOARDS", YEAR)

    assert result["passed"] is (missing is None)
    if missing:
        assert result["note"] == f"{missing}数量不足(宣传栏至少1块、公开栏至少2块)。"


@pytest.mark.django_db
def test_u_screen_an_electronic_screen(world):
    with_screen, without = urban(world), urban(world)
    station(with_screen, electronic_screen=True)
    station(without)

    passes(with_screen, "U-SCREEN")
    assert fails(without, "U-SCREEN")["note"] == "尚未设立电子显示屏。"


@pytest.mark.django_db
def test_u_rooms_one_hall_and_five_rooms(world):
    complete, short = urban(world), urban(world)
    station(complete, rooms=list(URBAN_ROOMS))
    station(short, rooms=[room for room in URBAN_ROOMS if room != "police_room"])

    passes(complete, "U-ROOMS")
    assert fails(short, "U-ROOMS")["note"] == "还缺少:警务室。"


@pytest.mark.django_db
def test_u_plaques_all_four_plaques(world):
    complete, short = urban(world), urban(world)
    station(complete, plaques=codes(PLAQUES))
    station(short, plaques=codes(PLAQUES, "service_station"))

    passes(complete, "U-PLAQUES")
    assert fails(short, "U-PLAQUES")["note"] == "还缺少牌子:社区服务站。"


@pytest.mark.django_db
def test_u_windows_seven_windows_and_procedures_on_the_wall(world):
    complete, unposted, short = urban(world), urban(world), urban(world)
    station(complete, windows=codes(WINDOWS), procedures_posted=True)
    station(unposted, windows=codes(WINDOWS), procedures_posted=False)
    station(short, windows=codes(WINDOWS, "family_planning"), procedures_posted=True)

    passes(complete, "U-WINDOWS")
    assert fails(unposted, "U-WINDOWS")["note"] == "还缺少:办事程序、制度上墙公示。"
    assert fails(short, "U-WINDOWS")["note"] == "还缺少:人口计生。"


# ==== U: community life ============================================================================
@pytest.mark.django_db
def test_u_party_joint_meetings_in_every_quarter(world):
    every_quarter, third_missed = urban(world), urban(world)
    for held_on in (day(3, 31), day(6, 30), day(9, 30), day(12, 31)):
        meeting(every_quarter, "party_joint", held_on)
    for held_on in (day(1, 1), day(6, 30), day(10, 1), day(12, 31)):
        meeting(third_missed, "party_joint", held_on)
    meeting(third_missed, "units_joint", day(8, 1))  # another kind of meeting

    passes(every_quarter, "U-PARTY")
    failing = fails(third_missed, "U-PARTY")
    assert failing["value"] == [1, 2, 4]
    assert failing["note"] == "第三季度未召开党组织与居委会联席会议。"


@pytest.mark.django_db
def test_u_units_a_joint_meeting_with_resident_units_this_year(world):
    this_year, last_year = urban(world), urban(world)
    meeting(this_year, "units_joint", day(1, 1))
    meeting(last_year, "units_joint", day(12, 31, YEAR - 1))
    meeting(last_year, "party_joint", day(5, 1))

    assert passes(this_year, "U-UNITS")["value"] == 1
    failing = fails(last_year, "U-UNITS")
    assert (failing["value"], failing["note"]) == (0, "本年度未召开驻区单位联席会议。")


@pytest.mark.django_db
def test_u_socorg_ten_social_organisations_by_year_end(world):
    ten, nine = urban(world), urban(world)
    # Cultural teams, associations and volunteer teams are all 社区社会组织.
    organizations(ten, "social", 8)
    organizations(ten, "association", 1)
    organizations(ten, "volunteer", 1, registered_on=day(12, 31))
    organizations(nine, "social", 9)
    organizations(nine, "social", 1, registered_on=day(1, 1, YEAR + 1))  # registered next year
    organizations(nine, "owners_committee", 1)  # not a social organisation

    assert passes(ten, "U-SOCORG")["value"] == 10
    assert fails(nine, "U-SOCORG")["note"] == "社区社会组织9个,还需1个。"


@pytest.mark.django_db
def test_u_volorg_a_volunteer_organisation(world):
    with_volunteers, social_only = urban(world), urban(world)
    organizations(with_volunteers, "volunteer", 1)
    organizations(social_only, "social", 3)

    passes(with_volunteers, "U-VOLORG")
    assert fails(social_only, "U-VOLORG")["note"] == "尚未建立社区志愿者组织。"


@pytest.mark.django_db
def test_u_volact_six_volunteer_or_mutual_aid_activities(world):
    six, five = urban(world), urban(world)
    activities(six, "volunteer", 3)
    activities(six, "mutual_aid", 3)
    activities(five, "volunteer", 3)
    activities(five, "mutual_aid", 2)
    activities(five, "culture", 4)
    ActivityFactory(community=five, kind="volunteer", held_on=day(12, 31, YEAR - 1), title="去年")

    assert passes(six, "U-VOLACT")["value"] == 6
    assert fails(five, "U-VOLACT")["note"] == "本年度互助、志愿服务活动5次,还需1次。"


# ==== R: rural (central-village) communities =======================================================
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("villages", "residents", "farthest_km", "missing"),
    [
        (5, 3000, "3.0", None),
        (10, 6000, "3.0", None),
        (4, 4000, "2.0", "涵盖村数"),
        # Dense areas may exceed the upper limits: the shipped allowance is 20%.
        (12, 7200, "2.0", None),
        (13, 4000, "2.0", "涵盖村数"),
        (6, 2999, "2.0", "服务人口"),
        (6, 7201, "2.0", "服务人口"),
        (6, 4000, "3.1", "服务半径"),
    ],
)
def test_r_scope_5_to_10_villages_3000_to_6000_people_within_3_km(
    world, villages, residents, farthest_km, missing
):
    community = rural(world, residents=residents)
    for number in range(villages):
        distance = Decimal(farthest_km) if number == 0 else Decimal("1.0")
        MemberVillageFactory(community=community, name=f"村{number}", distance_km=distance, population=500)

    result = judge(community, "R-SCOPE", YEAR)

    assert result["passed"] is (missing is None)
    if missing:
        assert result["note"] == f"服务范围不符合要求:{missing}。"


@pytest.mark.django_db
def test_r_scope_fails_without_member_villages(world):
    failing = fails(rural(world, residents=4000), "R-SCOPE")
    assert failing["note"] == "服务范围不符合要求:涵盖村数、服务半径。"


@pytest.mark.django_db
def test_r_8have_eight_rooms_of_the_service_centre(world):
    complete, short = rural(world, label="新光"), rural(world, label="红星")
    centre(complete, rooms=list(RURAL_ROOMS))
    centre(short, rooms=[room for room in RURAL_ROOMS if room != "shop"])

    passes(complete, "R-8HAVE")
    assert fails(short, "R-8HAVE")["note"] == "还缺少:便民超市。"


@pytest.mark.django_db
def test_r_func_eight_functions_of_the_service_centre(world):
    complete, short = rural(world, label="新光"), rural(world, label="红星")
    centre(complete, functions=codes(FUNCTIONS))
    centre(short, functions=codes(FUNCTIONS, "shopping"))

    passes(complete, "R-FUNC")
    assert fails(short, "R-FUNC")["note"] == "还缺少功能:商贸超市。"


@pytest.mark.django_db
def test_r_hall_one_stop_services_and_rules_posted(world):
    complete, unposted, short = (
        rural(world, label="新光"),
        rural(world, label="红星"),
        rural(world, label="东风"),
    )
    centre(complete, one_stop_services=codes(ONE_STOP_SERVICES), procedures_posted=True)
    centre(unposted, one_stop_services=codes(ONE_STOP_SERVICES))
    centre(short, one_stop_services=codes(ONE_STOP_SERVICES, "party_transfer"), procedures_posted=True)

    passes(complete, "R-HALL")
    assert fails(unposted, "R-HALL")["note"] == "还缺少:办事程序、制度上墙公示。"
    assert fails(short, "R-HALL")["note"] == "还缺少:党员关系转接。"


@pytest.mark.django_db
def test_r_stations_seven_stations_under_the_centre(world):
    complete, short = rural(world, label="新光"), rural(world, label="红星")
    centre(complete, stations=codes(STATIONS))
    centre(short, stations=codes(STATIONS, "volunteer"))

    passes(complete, "R-STATIONS")
    assert fails(short, "R-STATIONS")["note"] == "还缺少:志愿者服务站。"


@pytest.mark.django_db
def test_r_boards_three_boards(world):
    complete, short = rural(world, label="新光"), rural(world, label="红星")
    centre(complete, rural_boards=codes(RURAL_BOARDS))
    centre(short, rural_boards=codes(RURAL_BOARDS, "science"))

    passes(complete, "R-BOARDS")
    assert fails(short, "R-BOARDS")["note"] == "还缺少:科普宣传栏。"


@pytest.mark.django_db
def test_r_5yi_the_five_ones_in_this_years_environment_check(world):
    complete, short, last_year_only = (rural(world, label=label) for label in ("新光", "红星", "东风"))
    EnvironmentCheckFactory(community=complete, year=YEAR, five_ones=codes(FIVE_ONES))
    EnvironmentCheckFactory(community=short, year=YEAR, five_ones=codes(FIVE_ONES, "green_space"))
    EnvironmentCheckFactory(community=last_year_only, year=YEAR - 1, five_ones=codes(FIVE_ONES))

    passes(complete, "R-5YI")
    assert fails(short, "R-5YI")["note"] == "“五个一”还缺少:一片绿地。"
    missing = fails(last_year_only, "R-5YI")
    assert missing["value"] is None and missing["note"].startswith("尚无")


@pytest.mark.django_db
def test_r_party_a_community_party_organisation(world):
    with_party, without = rural(world, label="新光"), rural(world, label="红星")
    member(with_party, "书记", body=PO, role="secretary")
    member(without, "主任", body=RC, role="director")

    passes(with_party, "R-PARTY")
    assert fails(without, "R-PARTY")["note"] == "尚未登记社区党组织成员。"


@pytest.mark.django_db
def test_r_orgs_a_cooperative_and_an_association(world):
    both, cooperative_only = rural(world, label="新光"), rural(world, label="红星")
    organizations(both, "cooperative", 1)
    organizations(both, "association", 1)
    organizations(cooperative_only, "cooperative", 2)
    organizations(cooperative_only, "association", 1, registered_on=day(1, 1, YEAR + 1))

    passes(both, "R-ORGS")
    assert fails(cooperative_only, "R-ORGS")["note"] == "还没有:协会。"


# ==== V: administrative villages ===================================================================
def two_committees(community, branch=(), committee=()):
    """Branch members and committee members by name; the first of each leads (secretary, director)."""
    for number, name in enumerate(branch):
        member(community, name, body=PB, role="secretary" if number == 0 else "member")
    for number, name in enumerate(committee):
        member(community, name, body=VC, role="director" if number == 0 else "member")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("branch", "committee", "size", "passed"),
    [
        ("甲乙", "甲丙", 3, True),
        ("甲乙丙丁戊", "甲乙丙己庚", 7, True),
        ("甲", "甲乙", 2, False),
        ("甲乙丙丁", "戊己庚辛", 8, False),
    ],
)
def test_v_two_three_to_seven_distinct_two_committee_members(world, branch, committee, size, passed):
    community = village(world)
    two_committees(community, branch=branch, committee=committee)

    result = judge(community, "V-TWO", YEAR)

    assert (result["passed"], result["value"]) == (passed, size)
    if not passed:
        assert result["note"].startswith(f"村“两委”成员{size}人,应为3—5人")


@pytest.mark.django_db
def test_v_cross_four_fifths_of_two_committee_members_cross_appointed(world):
    four_of_five, three_of_four = village(world), village(world)
    two_committees(four_of_five, branch="甲乙丙丁戊", committee="甲乙丙丁")
    two_committees(three_of_four, branch="甲乙丙丁", committee="甲乙丙")

    assert passes(four_of_five, "V-CROSS")["value"] == 0.8
    assert fails(three_of_four, "V-CROSS")["note"] == "“两委”成员交叉任职比例为75%,应不低于80%。"


def town_of_villages(world, name, one_person, two_persons):
    """A town whose villages have one person as branch secretary and committee director, or two."""
    town = TownFactory(parent=world.d2, name=name)
    villages = []
    for number in range(one_person + two_persons):
        community = village(world, unit=town, name=f"{name}第{number + 1}村")
        two_committees(community, branch=["书记"], committee=["书记" if number < one_person else "主任"])
        villages.append(community)
    return villages


@pytest.mark.django_db
def test_v_one_three_fifths_of_the_towns_villages_have_one_secretary_director(world):
    # Judged on a village whose own leaders are two persons: the town's share is what counts.
    three_of_five = town_of_villages(world, "青山镇", one_person=3, two_persons=2)[-1]
    three_of_six = town_of_villages(world, "白水镇", one_person=3, two_persons=3)[-1]

    assert passes(three_of_five, "V-ONE")["value"] == 0.6
    assert fails(three_of_six, "V-ONE")["note"] == "本乡镇“一人兼”比例为50%,应不低于60%。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("notice_started_on", "passed"), [(day(6, 1), True), (day(6, 2), False), (None, False)]
)
def test_v_notice_branch_candidates_noticed_7_days_before_the_election(world, notice_started_on, passed):
    community = village(world)
    vote = election(community, day(6, 8), body=PB, method=Election.Method.TWO_RECOMMENDATIONS)
    candidate(vote, "张三", notice_started_on=day(5, 1))
    candidate(vote, "李四", notice_started_on=notice_started_on)

    result = judge(community, "V-NOTICE", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["value"] == 0.5
        assert result["note"] == "有村党支部候选人未按规定公示7天。"


@pytest.mark.django_db
def test_v_direct_committee_elected_directly_and_branch_by_two_recommendations(world):
    both, branch_other, committee_indirect = village(world), village(world), village(world)
    for community in (both, branch_other, committee_indirect):
        election(community, day(3, 1, 2022), body=PB, method=Election.Method.TWO_RECOMMENDATIONS)
        election(community, day(3, 1, 2022), body=VC)
    election(branch_other, day(4, 1), body=PB, method=Election.Method.OTHER)
    election(committee_indirect, day(4, 1), body=VC, method=Election.Method.REPRESENTATIVES)

    passes(both, "V-DIRECT")
    assert fails(branch_other, "V-DIRECT")["note"] == "选举方式不符合要求:党支部“两推一选”。"
    assert fails(committee_indirect, "V-DIRECT")["note"] == "选举方式不符合要求:村委会直接选举。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("leader_days", "other_days", "techniques", "passed"),
    [("7", "3", 2, True), ("6.5", "3", 2, False), ("7", "2.5", 2, False), ("7", "3", 1, False)],
)
def test_v_train_leaders_7_days_others_3_and_two_practical_techniques(
    world, leader_days, other_days, techniques, passed
):
    community = village(world)
    two_committees(community, branch=["书记"], committee=["主任", "委员"])
    for name, days in (("书记", leader_days), ("主任", leader_days), ("委员", other_days)):
        training(community, name, tier=Training.Tier.TOWN, days=days, practical_techniques=2)
    Training.objects.filter(community=community, trainee_name="委员").update(practical_techniques=techniques)

    result = judge(community, "V-TRAIN", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["note"] == "有村干部培训时间不足(书记、主任7天,其他3天)或掌握实用技术不足2门。"


@pytest.mark.django_db
def test_v_appraise_cadres_appraised_and_accounts_audited_each_half_year(world):
    complete, short = village(world), village(world)
    appraisals(complete, "cadres-1", "cadres-2", "audit-1", "audit-2")
    appraisals(short, "cadres-1", "cadres-2", "audit-1", "party_members-2")

    passes(complete, "V-APPRAISE")
    assert fails(short, "V-APPRAISE")["note"] == "还缺少:财务审计(下半年)。"


@pytest.mark.django_db
def test_v_talk_a_talk_with_the_village_leaders_every_quarter(world):
    every_quarter, second_missed = village(world), village(world)
    for community, days in (
        (every_quarter, (day(3, 31), day(4, 1), day(9, 30), day(10, 1))),
        (second_missed, (day(3, 31), day(7, 1), day(12, 31), day(6, 30, YEAR - 1))),
    ):
        for held_on in days:
            TalkFactory(
                community=community,
                held_on=held_on,
                township_leader="镇党委书记",
                village_leaders="书记、主任",
                topic="谈心谈话",
            )

    passes(every_quarter, "V-TALK")
    assert fails(second_missed, "V-TALK")["note"] == "第二季度没有谈心谈话记录。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("approval", "exam_passed", "passed"),
    [("60.01", True, True), ("60.00", True, False), ("90.00", False, False)],
)
def test_v_member_new_party_members_above_60_percent_approval_and_exam_passed(
    world, approval, exam_passed, passed
):
    community = village(world)
    PartyMemberCaseFactory(
        community=community,
        name="发展对象",
        appraisal_approval_percent=Decimal(approval),
        exam_passed=exam_passed,
        notice_start=day(5, 1),
        notice_end=day(5, 7),
    )

    result = judge(community, "V-MEMBER", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["note"] == "有党员发展对象未达到赞成率、考试或公示要求。"


@pytest.mark.django_db
def test_v_memberappr_party_members_appraised_each_half_year(world):
    complete, short = village(world), village(world)
    appraisals(complete, "party_members-1", "party_members-2")
    appraisals(short, "party_members-1", "cadres-2")

    passes(complete, "V-MEMBERAPPR")
    assert fails(short, "V-MEMBERAPPR")["note"] == "还缺少:党员评议(下半年)。"


@pytest.mark.django_db
@pytest.mark.parametrize(("member_pay", "passed"), [("per_day", True), ("fixed", False), ("", False)])
def test_v_pay_leaders_and_accountant_fixed_other_cadres_per_day(world, member_pay, passed):
    community = village(world)
    member(community, "书记", body=PB, role="secretary", pay_type="fixed")
    member(community, "书记", body=VC, role="director", pay_type="fixed")  # one person, both posts
    member(community, "会计", body=VC, role="accountant", pay_type="fixed")
    member(community, "委员", body=VC, role="member", pay_type=member_pay)

    result = judge(community, "V-PAY", YEAR)

    assert result["passed"] is passed
    if not passed:
        assert result["value"] == pytest.approx(2 / 3, abs=1e-4)
        assert result["note"] == "有村干部的报酬方式不符合规定。"


@pytest.mark.django_db
def test_v_disc_quarterly_disclosures_with_the_finances_and_every_topic(world):
    complete, short = village(world), village(world)
    for community in (complete, short):
        for month in (2, 5, 8, 11):
            DisclosureFactory(community=community, published_on=day(month, 10), topics=["finances", "major"])
    DisclosureFactory(
        community=complete,
        published_on=day(7, 1),
        topics=["family_planning", "homestead", "utilities", "audit"],
    )
    DisclosureFactory(community=short, published_on=day(7, 1), topics=["family_planning", "homestead"])

    passes(complete, "V-DISC")
    failing = fails(short, "V-DISC")
    assert failing["note"] == "村务公开尚缺:水电费收缴、审计结果。"
    assert (failing["earned"], failing["points"]) == (7, 10)  # 1.5 points per missing part


# ==== every shipped auto indicator is covered =====================================================
JUDGING_CALLS = {"judge", "passes", "fails"}


def judged_codes(module) -> set[str]:
    """The indicator codes a test module passes as literals to judge() (or passes()/fails())."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    return {
        node.args[1].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in JUDGING_CALLS
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    }


@pytest.mark.django_db
def test_every_shipped_auto_indicator_is_judged_by_a_boundary_test():
    shipped = set(
        Indicator.objects.filter(edition__tenant__isnull=True, check_kind=Indicator.Check.AUTO).values_list(
            "code", flat=True
        )
    )
    boundaries = test_indicator_boundaries.COVERED

    assert shipped, "the shipped editions are loaded by a migration"
    # Each module's COVERED says exactly which codes its tests judge.
    assert judged_codes(test_indicator_boundaries) == boundaries
    assert judged_codes(sys.modules[__name__]) == COVERED
    assert not boundaries & COVERED, "an indicator is covered twice"
    assert shipped - (boundaries | COVERED) == set(), "shipped auto indicators without a boundary test"
    assert (boundaries | COVERED) - shipped == set(), "covered codes that no shipped edition has"
