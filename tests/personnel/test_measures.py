"""Measures of the personnel records (docs/measures.md, "Personnel"), at the standards'
boundaries, and a constant number of queries whatever the size of the batch."""

import datetime
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from core import measures
from core.measures import LIST, NOT_APPLICABLE, Batch
from demo.factories import (
    AppraisalFactory,
    BuildingLeaderFactory,
    CommunityFactory,
    ElectionCandidateFactory,
    ElectionFactory,
    MemberFactory,
    PartyMemberCaseFactory,
    ResidentsGroupFactory,
    SubCommitteeFactory,
    TalkFactory,
    TrainingFactory,
)
from personnel.models import (
    Election,
    Member,
    SubCommittee,
    Training,
)

YEAR = 2024
KEYS = [
    "committee_setup_on_time",
    "roster_filed_by_year_end",
    "subcommittee_kinds",
    "subcommittees_well_formed",
    "residents_groups_well_formed_share",
    "households_per_building_leader",
    "body_members",
    "committee_seats",
    "expected_committee_seats",
    "committee_full_time_share",
    "households_per_committee_member",
    "professional_staff",
    "professional_staff_allowed",
    "professional_staff_required",
    "committee_trained_share",
    "social_worker_certificates",
    "latest_election_direct",
    "candidates_eligible_share",
    "expected_villagers_committee_size",
    "party_branch_size_fits",
    "two_committees_size",
    "cross_appointment_share",
    "town_secretary_director_share",
    "branch_candidates_noticed_share",
    "village_election_methods",
    "cadres_training_met_share",
    "appraisals",
    "talk_quarters",
    "party_cases_compliant_share",
    "pay_type_compliance_share",
]
RC, PB, VC = Member.Body.RESIDENTS_COMMITTEE, Member.Body.PARTY_BRANCH, Member.Body.VILLAGERS_COMMITTEE


def batch_of(*communities, year=YEAR):
    pks = [community.pk for community in communities]
    return Batch(Community.objects.filter(pk__in=pks).select_related("unit__parent"), year)


def value(key, community, year=YEAR, **params):
    return measures.get(key)(batch_of(community, year=year), params)[community.pk]


def day(month, day_of_month, year=YEAR):
    return datetime.date(year, month, day_of_month)


def member(community, name, body=RC, role="member", **fields):
    return MemberFactory(community=community, name=name, body=body, role=role, **fields)


def election(community, held_on, body=RC, method=Election.Method.DIRECT, **fields):
    direct = fields.pop("direct", method == Election.Method.DIRECT)
    return ElectionFactory(
        community=community, body=body, held_on=held_on, method=method, direct=direct, voters=800, **fields
    )


def candidate(vote, name, resident_since=datetime.date(2000, 1, 1), **fields):
    return ElectionCandidateFactory(
        community=vote.community, election=vote, name=name, resident_since=resident_since, **fields
    )


MAY_DAY = datetime.date(YEAR, 5, 1)


def training(community, name, tier=Training.Tier.DISTRICT, held_on=MAY_DAY, days="1", **fields):
    return TrainingFactory(
        community=community,
        trainee_name=name,
        organiser_tier=tier,
        held_on=held_on,
        days=Decimal(days),
        topic="业务培训",
        **fields,
    )


def village(world, name, **fields):
    return CommunityFactory(unit=world.t3, name=name, kind=Community.Kind.VILLAGE, **fields)


# ---- the registry ---------------------------------------------------------------------------------
def test_every_personnel_key_is_registered_with_the_parameters_the_editions_pass():
    editions = Path(__file__).resolve().parents[2] / "standards" / "editions"
    passed = {}
    for edition in ("U", "R", "V"):
        for indicator in json.loads((editions / f"{edition}.json").read_text())["indicators"]:
            for ref in [indicator, *_refs(indicator.get("threshold"))]:
                if ref.get("measure") in KEYS:
                    passed.setdefault(ref["measure"], set()).update(ref.get("params", {}))
    for key in KEYS:
        measure = measures.get(key)
        assert measure is not None and measure.compute.__module__ == "personnel.measures", key
        # The lead removes probation_months from V.json: the records hold no probation.
        assert passed.get(key, set()) - {"probation_months"} <= set(measure.params), key
    assert "probation_months" not in measures.get("branch_candidates_noticed_share").params


def _refs(threshold):
    if isinstance(threshold, dict) and "measure" in threshold:
        return [threshold]
    if isinstance(threshold, dict) and "min" in threshold:
        return [bound for bound in (threshold["min"], threshold["max"]) if isinstance(bound, dict)]
    return []


def test_metadata_copied_from_the_old_key_list():
    assert measures.get("committee_setup_on_time").yes_no
    assert measures.get("expected_committee_seats").whole
    assert measures.get("committee_full_time_share").unit == ""
    assert measures.get("body_members").param_codes["body"]["party_branch"] == "村党支部"
    assert measures.get("appraisals").kind == LIST
    assert measures.get("appraisals").codes["cadres-1"] == "干部民主评议(上半年)"
    assert set(measures.get("subcommittees_well_formed").codes) == set(SubCommittee.Kind.values)


# ---- the committee and its organisation (U) -------------------------------------------------------
def test_committee_setup_within_three_calendar_months_of_approval(world):
    on_time = CommunityFactory(unit=world.t1, established_on=day(3, 15))
    late = CommunityFactory(unit=world.t1, established_on=day(3, 15))
    election(on_time, day(6, 15))
    election(late, day(6, 16))
    election(late, day(4, 1), body=Member.Body.PARTY_ORGANIZATION)  # another body's election
    assert value("committee_setup_on_time", on_time) == 1
    assert value("committee_setup_on_time", late) == 0
    assert value("committee_setup_on_time", late, months=4) == 1


def test_committee_setup_applies_to_the_year_of_approval_or_of_the_deadline(world):
    # Approved 30 Nov 2023: 30 Feb does not exist, the deadline rolls to 1 March 2024.
    last_year = CommunityFactory(unit=world.t1, established_on=day(11, 30, 2023))
    election(last_year, day(3, 1))
    assert value("committee_setup_on_time", last_year) == 1
    Election.objects.filter(community=last_year).update(held_on=day(3, 2))
    assert value("committee_setup_on_time", last_year) == 0
    assert value("committee_setup_on_time", world.c1) == NOT_APPLICABLE  # established 2010
    no_election = CommunityFactory(unit=world.t1, established_on=day(2, 1))
    assert value("committee_setup_on_time", no_election) == 0


def test_roster_filed_by_31_december(world):
    filed = election(world.c1, day(5, 1), roster_filed_on=day(12, 31))
    assert value("roster_filed_by_year_end", world.c1) == 1
    filed.roster_filed_on = day(1, 2, YEAR + 1)
    filed.save()
    assert value("roster_filed_by_year_end", world.c1) == 0
    filed.roster_filed_on = None
    filed.save()
    assert value("roster_filed_by_year_end", world.c1) == 0
    assert value("roster_filed_by_year_end", world.c1, year=YEAR - 1) == NOT_APPLICABLE
    # Another body's election is not this body's new term.
    assert value("roster_filed_by_year_end", world.c1, body=PB) == NOT_APPLICABLE


def test_roster_every_election_of_the_year_must_be_filed(world):
    election(world.c2, day(3, 1), roster_filed_on=day(4, 1))
    election(world.c2, day(9, 1))
    assert value("roster_filed_by_year_end", world.c2) == 0


def test_subcommittees_led_by_a_committee_member_with_3_to_5_representatives(world):
    leader = member(world.c1, "王芳")
    staff = member(world.c1, "李静", body=Member.Body.SERVICE_STATION, role="staff")
    for kind, reps, who in [
        ("mediation", 3, leader),
        ("security", 5, leader),
        ("public_health", 2, leader),
        ("family_planning", 6, leader),
        ("culture", 4, staff),
    ]:
        SubCommitteeFactory(community=world.c1, kind=kind, leader=who, resident_representatives=reps)
    assert value("subcommittee_kinds", world.c1) == sorted(SubCommittee.Kind.values)
    assert value("subcommittees_well_formed", world.c1) == ["mediation", "security"]
    assert value("subcommittees_well_formed", world.c1, min_representatives=2, max_representatives=6) == [
        "family_planning",
        "mediation",
        "public_health",
        "security",
    ]
    assert value("subcommittee_kinds", world.c2) == []


def test_residents_groups_of_200_to_300_households_with_an_elected_leader(world):
    for households, elected in [(200, True), (300, True), (199, True), (301, True), (250, False)]:
        ResidentsGroupFactory(
            community=world.c1,
            name=f"{households}{elected}",
            households=households,
            leader_name="陈静",
            leader_elected_by_group=elected,
            term_start=day(1, 1, 2021),
            term_end=day(12, 31, 2025),
        )
    assert value("residents_groups_well_formed_share", world.c1) == Fraction(2, 5)
    assert value("residents_groups_well_formed_share", world.c1, max_households=301) == Fraction(3, 5)
    assert value("residents_groups_well_formed_share", world.c2) is None


def test_households_per_building_leader(world):
    community = CommunityFactory(unit=world.t1, households=90, residents=200)
    for n in range(3):
        BuildingLeaderFactory(community=community, name=f"门栋长{n}", building=f"{n}号楼", households=30)
    assert value("households_per_building_leader", community) == 30
    BuildingLeaderFactory(community=community, name="门栋长9", building="9号楼", households=20)
    assert value("households_per_building_leader", community) == Fraction(45, 2)
    assert value("households_per_building_leader", world.c2) is None


def test_full_time_share_at_exactly_two_thirds_and_just_below(world):
    for n in range(6):
        member(world.c1, f"甲{n}", full_time=n < 4)  # 4 full-time of 6
    for n in range(5):
        member(world.c2, f"乙{n}", full_time=n < 3)  # 3 of 5
    member(world.c2, "党员", body=Member.Body.PARTY_ORGANIZATION, full_time=False)  # another body
    assert value("committee_full_time_share", world.c1) == Fraction(2, 3)
    assert value("committee_full_time_share", world.c2) == Fraction(3, 5) < Fraction(2, 3)
    assert value("committee_full_time_share", world.c3) is None
    assert value("committee_seats", world.c1) == 4  # part-time members take no seat
    assert value("body_members", world.c1) == 6
    assert value("body_members", world.c2, body="party_organization") == 1
    assert value("households_per_committee_member", world.c1) == 400  # 2400 households / 6
    assert value("households_per_committee_member", world.c2) == 480
    assert value("households_per_committee_member", world.c3) is None


@pytest.mark.parametrize(
    ("households", "seats"),
    [(1250, 5), (2749, 5), (2750, 6), (3249, 6), (3250, 7), (4000, 7)],
)
def test_expected_seats_round_half_up_and_stay_between_5_and_7(world, households, seats):
    community = CommunityFactory(unit=world.t1, households=households, residents=households * 3)
    assert value("expected_committee_seats", community) == seats


def test_expected_seats_follow_their_parameters(world):
    community = CommunityFactory(unit=world.t1, households=1250, residents=4000)
    assert value("expected_committee_seats", community, min=3) == 3  # 2.5 rounds up to 3
    assert value("expected_committee_seats", community, households_per_seat=200, max=9) == 6  # 6.25
    big = CommunityFactory(unit=world.t1, households=4000, residents=9000)
    assert value("expected_committee_seats", big, max=9) == 8


def test_professional_staff_cap_by_the_district_zone(world):
    assert world.d1.zone == "central" and world.d2.zone == "outer"
    assert value("professional_staff_allowed", world.c1) == 5
    assert value("professional_staff_allowed", world.c3) == 4
    assert value("professional_staff_allowed", world.c1, central=6) == 6
    assert value("professional_staff_allowed", world.c3, outer=3) == 3


def test_professional_staff_required_from_1000_households(world):
    small = CommunityFactory(unit=world.t1, households=999, residents=2000)
    large = CommunityFactory(unit=world.t1, households=1000, residents=2000)
    assert value("professional_staff_required", small) == 0
    assert value("professional_staff_required", large) == 1
    assert value("professional_staff_required", large, minimum=2) == 2
    assert value("professional_staff_required", large, from_households=1001) == 0


def test_professional_staff_and_certificates_count_members(world):
    member(world.c1, "站员一", body=Member.Body.SERVICE_STATION, role="staff", social_worker_certificate=True)
    member(world.c1, "站员二", body=Member.Body.SERVICE_STATION, role="staff")
    member(world.c1, "主任", role="director", social_worker_certificate=True)
    assert value("professional_staff", world.c1) == 2
    assert value("social_worker_certificates", world.c1) == 2
    assert value("social_worker_certificates", world.c2) == 0


def test_committee_training_director_once_others_twice(world):
    member(world.c1, "主任", role="director")
    member(world.c1, "委员甲")
    member(world.c1, "委员乙")
    training(world.c1, "主任")
    training(world.c1, "委员甲")
    training(world.c1, "委员甲", held_on=day(9, 1))
    training(world.c1, "委员乙")
    training(world.c1, "委员乙", tier=Training.Tier.TOWN)  # not a district training
    training(world.c1, "委员乙", held_on=day(9, 1, YEAR - 1))  # last year
    assert value("committee_trained_share", world.c1) == Fraction(2, 3)
    assert value("committee_trained_share", world.c1, member_district_trainings=1) == 1
    assert value("committee_trained_share", world.c1, director_district_trainings=2) == Fraction(1, 3)
    assert value("committee_trained_share", world.c2) is None


def test_a_new_director_also_needs_a_city_training(world):
    director = member(world.c1, "主任", role="director")
    training(world.c1, "主任")
    election(world.c1, day(4, 1))
    assert value("committee_trained_share", world.c1) == 0
    assert value("committee_trained_share", world.c1, new_director_city_training=False) == 1
    # Matched by name: the training was recorded against the same person's party-organisation row.
    cross = member(world.c1, director.name, body=Member.Body.PARTY_ORGANIZATION, role="secretary")
    TrainingFactory(
        community=world.c1,
        trainee=cross,
        organiser_tier=Training.Tier.CITY,
        held_on=day(6, 1),
        days=Decimal("2"),
        topic="新任主任培训",
    )
    assert value("committee_trained_share", world.c1) == 1


def test_latest_election_by_the_end_of_the_year(world):
    election(world.c1, day(5, 1, 2018))
    election(world.c1, day(5, 1, 2021), method=Election.Method.REPRESENTATIVES)
    assert value("latest_election_direct", world.c1) == 0
    election(world.c1, day(3, 1, YEAR + 1))  # after the year: not yet the latest
    assert value("latest_election_direct", world.c1) == 0
    assert value("latest_election_direct", world.c1, year=YEAR + 1) == 1
    assert value("latest_election_direct", world.c1, year=2019) == 1
    assert value("latest_election_direct", world.c2) is None


def test_candidates_lived_one_year_by_election_day(world):
    vote = election(world.c1, day(5, 10))
    candidate(vote, "满一年", resident_since=day(5, 10, YEAR - 1))
    candidate(vote, "差一天", resident_since=day(5, 11, YEAR - 1))
    assert value("candidates_eligible_share", world.c1) == Fraction(1, 2)
    assert value("candidates_eligible_share", world.c1, min_residence_years=2) == 0


def test_a_candidate_from_29_february_reaches_a_year_on_1_march(world):
    # The same reading as the candidate record's own warning (personnel.models._one_year_after).
    vote = election(world.c1, datetime.date(2021, 2, 28))
    candidate(vote, "闰日", resident_since=datetime.date(2020, 2, 29))
    assert value("candidates_eligible_share", world.c1, year=2021) == 0
    Election.objects.filter(pk=vote.pk).update(held_on=datetime.date(2021, 3, 1))
    assert value("candidates_eligible_share", world.c1, year=2021) == 1


def test_candidates_on_the_election_committee_and_older_elections(world):
    old = election(world.c1, day(5, 1, 2021))
    candidate(old, "往届", on_election_committee=True)
    assert value("candidates_eligible_share", world.c1) == 0
    vote = election(world.c1, day(5, 1))
    candidate(vote, "合格")
    candidate(vote, "未退出", on_election_committee=True)
    assert value("candidates_eligible_share", world.c1) == Fraction(1, 2)
    assert value("candidates_eligible_share", world.c1, body=VC) is None
    election(world.c2, day(5, 1))
    assert value("candidates_eligible_share", world.c2) is None  # an election without candidates


# ---- villages (V) ---------------------------------------------------------------------------------
def test_villagers_committee_size_by_population(world):
    small = village(world, "小村", households=300, residents=999)
    large = village(world, "大村", households=300, residents=1000)
    assert value("expected_villagers_committee_size", small) == 3
    assert value("expected_villagers_committee_size", large) == 5
    assert value("expected_villagers_committee_size", large, large_from_residents=1001, small=2) == 2
    assert value("expected_villagers_committee_size", large, large=7) == 7


def test_party_branch_size_with_6_or_7_party_members(world):
    six = village(world, "六党员村", households=300, residents=900, party_members=6)
    seven = village(world, "七党员村", households=300, residents=900, party_members=7)
    for community in (six, seven):
        for n, role in enumerate(["secretary", "deputy_secretary", "member"]):
            member(community, f"支委{n}", body=PB, role=role)
    assert value("party_branch_size_fits", six) == 0
    assert value("party_branch_size_fits", seven) == 1
    assert value("party_branch_size_fits", six, committee_from_party_members=6) == 1
    Member.objects.filter(community__in=[six, seven], role__in=["deputy_secretary", "member"]).delete()
    assert value("party_branch_size_fits", six) == 1  # a secretary only
    assert value("party_branch_size_fits", seven) == 0
    assert value("party_branch_size_fits", seven, committee_min=1) == 1


def test_party_branch_without_committee_keeps_at_most_a_deputy(world):
    six = village(world, "六党员村", households=300, residents=900, party_members=6)
    member(six, "书记", body=PB, role="secretary")
    member(six, "副书记", body=PB, role="deputy_secretary")
    assert value("party_branch_size_fits", six) == 1
    assert value("party_branch_size_fits", six, small_max=1) == 0
    unknown = village(world, "未填党员数村", households=300, residents=900)
    assert value("party_branch_size_fits", unknown) is None


def test_two_committees_counted_by_person(world):
    v = village(world, "交叉村", households=300, residents=900)
    for name in ["甲", "乙", "丙"]:
        member(v, name, body=PB)
        member(v, name, body=VC)
    member(v, "丁", body=PB)
    member(v, "戊", body=VC)
    member(v, "己", body=Member.Body.SERVICE_STATION)
    assert value("two_committees_size", v) == 5
    assert value("cross_appointment_share", v) == Fraction(3, 5)
    member(v, "丁", body=VC)
    assert value("cross_appointment_share", v) == Fraction(4, 5)
    assert value("cross_appointment_share", world.c3) is None
    assert value("two_committees_size", world.c3) == 0


def test_town_share_of_one_person_secretary_directors_over_every_village_of_the_town(world):
    villages = [village(world, f"村{n}", households=300, residents=900) for n in range(5)]
    for n, community in enumerate(villages[:3]):
        member(community, f"书记{n}", body=PB, role="secretary")
        member(community, f"书记{n}", body=VC, role="director")
    member(villages[3], "书记", body=PB, role="secretary")
    member(villages[3], "主任", body=VC, role="director")
    # villages[4] has no leaders recorded: it still counts against the town.
    elsewhere = CommunityFactory(unit=world.t1, kind=Community.Kind.VILLAGE, households=300, residents=900)
    member(elsewhere, "别镇", body=VC, role="director")
    member(elsewhere, "别镇", body=PB, role="secretary")
    in_batch = batch_of(villages[0], villages[3], world.c3)
    shares = measures.get("town_secretary_director_share")(in_batch)
    assert shares == {
        villages[0].pk: Fraction(3, 5),
        villages[3].pk: Fraction(3, 5),
        world.c3.pk: Fraction(3, 5),
    }
    assert value("town_secretary_director_share", villages[4]) == Fraction(3, 5)  # another batch
    assert value("town_secretary_director_share", elsewhere) == 1
    assert value("town_secretary_director_share", world.c2) is None  # a town without villages


def test_branch_candidates_noticed_7_days_before_the_vote(world):
    v = village(world, "公示村", households=300, residents=900)
    vote = election(v, day(6, 8), body=PB, method=Election.Method.TWO_RECOMMENDATIONS)
    candidate(vote, "七天", notice_started_on=day(6, 1))
    candidate(vote, "六天", notice_started_on=day(6, 2))
    candidate(vote, "未公示")
    candidate(election(v, day(6, 8), body=VC), "村委候选人")  # not a branch candidate
    assert value("branch_candidates_noticed_share", v) == Fraction(1, 3)
    assert value("branch_candidates_noticed_share", v, notice_days=6) == Fraction(2, 3)
    assert value("branch_candidates_noticed_share", v, year=YEAR - 1) == NOT_APPLICABLE
    assert value("branch_candidates_noticed_share", world.c3) == NOT_APPLICABLE


def test_village_election_methods_of_the_latest_elections(world):
    v = village(world, "选举村", households=300, residents=900)
    assert value("village_election_methods", v) == []
    election(v, day(3, 1), body=VC)
    election(v, day(3, 1), body=PB, method=Election.Method.TWO_RECOMMENDATIONS)
    assert value("village_election_methods", v) == [
        "party_branch_two_recommendations",
        "villagers_committee_direct",
    ]
    election(v, day(9, 1), body=PB, method=Election.Method.OTHER)
    assert value("village_election_methods", v) == ["villagers_committee_direct"]


def test_cadres_training_days_and_practical_techniques(world):
    v = village(world, "培训村", households=300, residents=900)
    member(v, "书记", body=PB, role="secretary")
    member(v, "书记", body=VC, role="member")
    member(v, "主任", body=VC, role="director")
    member(v, "委员", body=VC)
    training(v, "书记", days="4", practical_techniques=2)
    training(v, "书记", days="3", held_on=day(10, 1))
    training(v, "主任", days="6.5", practical_techniques=3)
    training(v, "委员", days="3")
    training(v, "委员", days="1", held_on=day(6, 1, YEAR - 1), practical_techniques=2)  # techniques last year
    assert value("cadres_training_met_share", v) == Fraction(2, 3)  # 主任 trained 6.5 of 7 days
    assert value("cadres_training_met_share", v, leader_days="6.5") == 1
    assert value("cadres_training_met_share", v, leader_days="6.5", practical_techniques=3) == Fraction(1, 3)
    assert value("cadres_training_met_share", v, other_days=4) == Fraction(1, 3)
    assert value("cadres_training_met_share", world.c3) is None


def test_appraisals_and_talks_of_the_year(world):
    v = village(world, "评议村", households=300, residents=900)
    for half, subject in [(1, "cadres"), (2, "cadres"), (1, "audit"), (2, "party_members")]:
        AppraisalFactory(community=v, year=YEAR, half=half, subject=subject, held_on=day(6 * half - 1, 1))
    AppraisalFactory(community=v, year=YEAR - 1, half=2, subject="audit", held_on=day(11, 1, YEAR - 1))
    assert value("appraisals", v) == ["audit-1", "cadres-1", "cadres-2", "party_members-2"]
    for held_on in [day(1, 5), day(3, 31), day(10, 1), day(12, 1, YEAR - 1)]:
        TalkFactory(
            community=v,
            held_on=held_on,
            township_leader="镇党委书记",
            village_leaders="书记、主任",
            topic="谈话",
        )
    assert value("talk_quarters", v) == [1, 4]


@pytest.mark.parametrize(("percent", "compliant"), [("60", 0), ("60.01", 1), ("61", 1)])
def test_party_case_approval_must_be_above_60_percent(world, percent, compliant):
    PartyMemberCaseFactory(
        community=world.c3,
        name="发展对象",
        appraisal_approval_percent=Decimal(percent),
        exam_passed=True,
        notice_start=day(3, 1),
        notice_end=day(3, 7),
    )
    assert value("party_cases_compliant_share", world.c3) == compliant


def test_party_cases_need_the_exam_and_a_notice_in_the_year(world):
    for name, passed in [("合格", True), ("未考", False)]:
        PartyMemberCaseFactory(
            community=world.c3,
            name=name,
            appraisal_approval_percent=Decimal("80"),
            exam_passed=passed,
            notice_start=day(3, 1),
            notice_end=day(3, 7),
        )
    assert value("party_cases_compliant_share", world.c3) == Fraction(1, 2)
    assert value("party_cases_compliant_share", world.c3, approval_above_percent=80) == 0
    assert value("party_cases_compliant_share", world.c3, year=YEAR - 1) == NOT_APPLICABLE


def test_pay_type_fixed_for_the_three_leaders_per_day_for_others(world):
    v = village(world, "报酬村", households=300, residents=900)
    member(v, "书记", body=PB, role="secretary", pay_type="fixed")
    member(v, "书记", body=VC, role="director", pay_type="fixed")  # one person, one pay
    member(v, "会计", body=VC, role="accountant", pay_type="per_day")
    member(v, "委员", body=VC, pay_type="per_day")
    member(v, "副书记", body=PB, role="deputy_secretary")  # no pay type recorded
    member(v, "站员", body=Member.Body.SERVICE_STATION, role="staff")  # not a village cadre
    assert value("pay_type_compliance_share", v) == Fraction(2, 4)
    Member.objects.filter(community=v, name="会计").update(pay_type="fixed")
    assert value("pay_type_compliance_share", v) == Fraction(3, 4)
    assert value("pay_type_compliance_share", world.c3) is None


# ---- queries --------------------------------------------------------------------------------------
def with_records(community):
    """A community with a row in every personnel table the measures read."""
    chair = member(community, "主任", role="director", pay_type="fixed")
    member(community, "书记", body=PB, role="secretary")
    member(community, "书记", body=VC, role="director")
    SubCommitteeFactory(community=community, kind="mediation", leader=chair, resident_representatives=4)
    ResidentsGroupFactory(
        community=community,
        name="一组",
        households=250,
        leader_name="陈静",
        term_start=day(1, 1, 2021),
        term_end=day(12, 31, 2025),
    )
    BuildingLeaderFactory(community=community, name="门栋长", building="1号楼", households=25)
    vote = election(community, day(4, 1), roster_filed_on=day(5, 1))
    election(community, day(4, 1), body=PB, method=Election.Method.TWO_RECOMMENDATIONS)
    candidate(vote, "候选人", notice_started_on=day(3, 1))
    training(community, "主任", practical_techniques=2)
    AppraisalFactory(community=community, year=YEAR, half=1, subject="cadres", held_on=day(5, 1))
    TalkFactory(
        community=community, held_on=day(2, 1), township_leader="镇长", village_leaders="书记", topic="谈话"
    )
    PartyMemberCaseFactory(
        community=community,
        name="对象",
        appraisal_approval_percent=Decimal("90"),
        exam_passed=True,
        notice_start=day(3, 1),
        notice_end=day(3, 7),
    )
    return community


def queries_for(batch, key):
    with CaptureQueriesContext(connection) as captured:
        result = measures.get(key)(batch)
    assert set(result) == set(batch.ids)  # a value (possibly None) for every community
    return len(captured)


@pytest.fixture
def thirty(world):
    towns = [world.t1, world.t2, world.t3]
    return [
        with_records(
            CommunityFactory(
                unit=towns[n % 3], kind=Community.Kind.VILLAGE, established_on=day(2, 1), party_members=8
            )
        )
        for n in range(30)
    ]


def test_queries_do_not_grow_with_the_batch(thirty):
    # Every measure against the one set of thirty communities: building them with their records is
    # what costs, not the reads. Fresh batches for each measure, as a batch shares the rows it read.
    counts = {
        key: (queries_for(batch_of(thirty[0]), key), queries_for(batch_of(*thirty), key)) for key in KEYS
    }
    assert {key: (one, all_) for key, (one, all_) in counts.items() if not one == all_ <= 3} == {}


def test_measures_share_their_rows_within_a_batch(thirty):
    batch = batch_of(*thirty)
    with CaptureQueriesContext(connection) as captured:
        for key in KEYS:
            measures.get(key)(batch)
    # members, elections, candidates, trainings, techniques, sub-committees, groups, building
    # leaders, appraisals, talks, party cases, and the town's villages with their leaders (2).
    assert len(captured) == 13
