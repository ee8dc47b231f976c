import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from communities.models import Community
from core.models import Unit, User
from core.roles import Role
from designations.models import Enrolment

DEMO = {
    "DEBUG": True,
    "DEMO_PASSWORD": "demo-pass-2026",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(scope="module")
def seeded_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, built once for this module (it takes seconds) and flushed after it. Its
    evidence (the meetings' minutes) is stored under a temporary MEDIA_ROOT, which is yielded."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(**DEMO, MEDIA_ROOT=media):
        call_command("seed_demo", stdout=io.StringIO())
    yield media
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(seeded_city, db, settings):
    settings.DEBUG, settings.DEMO_PASSWORD = True, DEMO["DEMO_PASSWORD"]
    settings.MEDIA_ROOT = seeded_city


def test_builds_a_city_of_every_kind(seeded):
    assert Unit.objects.filter(tier="city").count() == 1
    assert Unit.objects.filter(tier="district").count() >= 3
    assert set(Unit.objects.filter(tier="district").values_list("zone", flat=True)) == {"central", "outer"}
    assert Unit.objects.filter(tier="town").count() >= 10
    assert Community.objects.count() >= 120
    assert set(Community.objects.values_list("kind", flat=True)) == set(Community.Kind.values)
    assert set(Community.objects.values_list("subtype", flat=True)) == set(Community.Subtype.values)


def test_demo_users_match_the_contract(seeded):
    users = {u.username: u for u in User.objects.select_related("unit")}
    assert users["city_officer"].role == Role.CITY_OFFICER and users["city_officer"].unit.tier == "city"
    reviewer, clerk, other = users["district_reviewer"], users["town_clerk"], users["town_clerk_other"]
    assert reviewer.role == Role.DISTRICT_REVIEWER and reviewer.unit.tier == "district"
    assert clerk.unit.parent == reviewer.unit, "town_clerk works in the reviewer's district"
    assert other.unit.parent != reviewer.unit, "town_clerk_other works in another district"
    assert users["api_reader"].role == Role.API_READER and users["api_reader"].unit.tier == "city"
    assert all(
        users[name].check_password("demo-pass-2026")
        for name in ["city_officer", "district_reviewer", "town_clerk", "town_clerk_other", "api_reader"]
    )
    kinds = set(Community.objects.filter(unit=clerk.unit).values_list("kind", flat=True))
    assert kinds == set(Community.Kind.values)


def test_second_run_changes_nothing(seeded):
    before = {
        "communities": list(
            Community.objects.order_by("pk").values_list("pk", "name", "households", "updated_at")
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "unit_id", "role")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "path")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "community_id", "year")),
    }
    call_command("seed_demo", stdout=io.StringIO())
    after = {
        "communities": list(
            Community.objects.order_by("pk").values_list("pk", "name", "households", "updated_at")
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "unit_id", "role")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "path")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "community_id", "year")),
    }
    assert after == before


def test_demo_contains_a_rural_name_warning(seeded):
    flagged = [c for c in Community.objects.filter(kind="rural").select_related("unit") if c.warnings]
    assert flagged and all("R-NAME" in c.warnings[0] for c in flagged)


def test_every_demo_record_passes_its_own_validation(seeded):
    from django.core.exceptions import ValidationError

    from communities import records

    clerk_town = User.objects.get(username="town_clerk").unit
    problems = []
    for record_type in records.all_types():
        for obj in record_type.model.objects.filter(community__unit=clerk_town):
            try:
                obj.full_clean()
            except ValidationError as error:
                problems.append((record_type.slug, str(obj), error.message_dict))
    assert problems == []


def test_record_sets_vary_between_communities(seeded):
    from django.db.models import Count, Q

    from communities.models import Meeting
    from facilities.models import Facility
    from personnel.models import Member

    assert not Community.objects.annotate(n=Count("member")).filter(n=0).exists(), (
        "every community has members"
    )
    urban = Community.objects.filter(kind="urban")
    assert Facility.objects.filter(community__in=urban).count() == urban.count()
    areas = set(Facility.objects.filter(kind="service_station").values_list("area_m2", flat=True))
    assert min(areas) < 300 <= max(areas), "some stations fall short of 300 m², others meet it"
    this_year = Meeting.objects.order_by("-held_on").first().held_on.year
    q4 = urban.annotate(
        q4=Count(
            "meeting",
            filter=Q(
                meeting__kind="residents", meeting__held_on__year=this_year, meeting__held_on__month__gte=10
            ),
        )
    )
    assert {c.q4 for c in q4} >= {0, 1}, "most hold a fourth-quarter residents' meeting, some do not"
    assert Member.history.filter(history_type="+").count() == Member.objects.count(), (
        "records come with history"
    )


def test_journey_community_has_a_model_record_set(seeded):
    from facilities.models import Facility
    from personnel.models import BuildingLeader

    community = Community.objects.get(name="四十里集镇社区")
    assert community.unit.name == "四十里镇"
    station = Facility.objects.get(community=community)
    assert station.area_m2 >= 300 and station.electronic_screen
    assert BuildingLeader.objects.filter(community=community).count() == community.households // 25


# The level each profile promises, judged by the shipped sheets this year once every pending item is
# judged at full marks (`proposed_level`): rural communities have three levels.
PROMISED = {
    "model": {"urban": "model", "village": "model", "rural": "premium"},
    "middle": {"rural": "model"},
    "qualified": {"urban": "qualified", "village": "qualified", "rural": "standardized"},
    "gaps": {"urban": "none", "village": "none", "rural": "none"},
}


def test_every_demo_community_reaches_what_its_profile_promises(seeded):
    from assessments.evaluator import evaluator_for, gap_list
    from assessments.models import SelfCheck
    from demo.city import profile_for

    checks = {
        check.community_id: check
        for check in SelfCheck.objects.filter(year=timezone.localdate().year).select_related("edition")
    }
    communities = list(Community.objects.select_related("unit"))
    assert {c.pk for c in communities} <= set(checks), "every demo community has this year's self-check"
    profiles, levels = Counter(), Counter()
    wrong = []
    for community in communities:
        profile, _ = profile_for(community)
        profiles[profile] += 1
        check = checks[community.pk]
        edition = check.edition
        levels[(community.kind, check.proposed_level)] += 1
        lowest = edition.levels[0]
        failed = {result["indicator"] for result in check.results if result["passed"] is False}
        score = check.proposed_score
        promised = PROMISED[profile][community.kind]
        # Unjudged items earn nothing yet: before review no community stands above its lowest level
        # (a rural one may already be 规范化: its sheet's pending items are worth 24 of 100 points).
        allowed = {SelfCheck.NO_LEVEL} | ({lowest} if promised != SelfCheck.NO_LEVEL else set())
        ok = check.proposed_level == promised and check.level in allowed
        if profile == "model":
            ok = ok and not failed and score == 100
        elif profile in ("middle", "qualified"):
            above = edition.levels[edition.levels.index(promised) + 1]
            # Short of the next level by its vetoes, or (urban, village: the same vetoes) by points.
            by_veto = bool(set(edition.veto_codes(above)) & failed)
            by_points = edition.min_score(promised) <= score < edition.min_score(above)
            ok = ok and (by_veto if community.kind == "rural" else by_points and 10 <= 100 - score <= 30)
        else:
            vetoed = set(edition.veto_codes(lowest)) & failed
            texts = {gap["indicator"]: gap["text"] for gap in gap_list(check)}
            ok = ok and bool(vetoed or score < edition.min_score(lowest))
            ok = ok and all(texts.get(code) for code in vetoed)
        if not ok:
            wrong.append((community.name, profile, check.proposed_level, str(score), sorted(failed)))
    assert wrong == []
    assert min(profiles[name] for name in ("model", "qualified", "gaps")) >= 10, profiles
    every_level = {
        kind: set(evaluator_for(edition).levels) | {SelfCheck.NO_LEVEL}
        for kind, edition in {c.kind: checks[c.pk].edition for c in communities}.items()
    }
    for kind, expected in every_level.items():
        assert {level for k, level in levels if k == kind} == expected, (kind, levels)


def test_the_clerks_town_holds_communities_at_every_level(seeded):
    from assessments.models import SelfCheck

    town = User.objects.get(username="town_clerk").unit
    checks = SelfCheck.objects.filter(community__unit=town, year=timezone.localdate().year)
    reached = {(check.community.kind, check.proposed_level) for check in checks.select_related("community")}
    assert {level for _, level in reached} >= {"none", "qualified", "model"}, reached
    assert ("urban", "model") in reached


def test_journey_community_is_proposed_model_with_every_auto_indicator_passed(seeded):
    from assessments.models import SelfCheck

    check = SelfCheck.objects.get(community__name="四十里集镇社区", year=timezone.localdate().year)
    assert check.proposed_level == "model"
    assert [result for result in check.results if result["passed"] is False] == []
    assert check.failed == []


def test_about_a_fifth_is_enrolled_this_year_with_the_journey_community(seeded):
    year = timezone.localdate().year
    enrolled = Enrolment.objects.filter(year=year)
    share = enrolled.count() / Community.objects.count()
    assert 0.18 <= share <= 0.25, share
    assert enrolled.filter(community__name="四十里集镇社区").exists()
    for district in Unit.objects.filter(tier=Unit.Tier.DISTRICT):
        assert enrolled.filter(community__unit__parent=district).exists(), district
