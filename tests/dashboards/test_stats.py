"""`stats/`: each figure against the hand-computed `programme` fixture (its docstring works the numbers
out), the scope, and the cache that never outlives its data."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from assessments import runs
from assessments.models import SelfCheck
from communities.models import VillageRecognition
from core import changes
from core.roles import Role
from dashboards import stats
from demo.factories import (
    CommunityFactory,
    FacilityFactory,
    TownRecognitionFactory,
    UserFactory,
    VillageRecognitionFactory,
    WorkFundFactory,
    shipped_edition,
)
from designations import enrolments

from .programme import designate

YEAR = timezone.localdate().year


def get(api, user, path="overview", **params):
    response = api.as_user(user).get(f"/api/v1/stats/{path}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def targets(body):
    return {row["code"]: row for row in body["targets"]}


@pytest.mark.django_db
def test_city_overview_matches_the_hand_count(api, programme):
    body = get(api, programme.officer, year=YEAR)

    assert body["communities"] == {
        "total": 9,
        "by_kind": {"urban": 3, "rural": 3, "village": 3},
        "by_subtype": {"ordinary": 9, "unit": 0, "market_town": 0, "new_residential": 0},
    }
    assert body["self_checks"]["total"] == 9
    assert body["self_checks"]["by_status"] == {
        "draft": 3,
        "submitted": 1,
        "returned": 1,
        "district_approved": 1,
        "accepted": 3,
        "rejected": 0,
    }
    assert body["self_checks"]["by_level"] == {
        "none": 5,
        "qualified": 1,
        "standardized": 0,
        "model": 2,
        "premium": 1,
    }
    assert body["designations"] == {
        "by_title": {"qualified": 1, "standardized": 0, "model": 1, "premium": 1, "model_district": 0},
        "by_district": {"东城区": {"qualified": 1}, "青山县": {"model": 1, "premium": 1}},
    }
    assert body["work_funds"] == {
        "due": "100000.00",
        "paid": "80000.00",
        "district_share": "50000.00",
        "paid_percent": 80.0,
    }


@pytest.mark.django_db
def test_programme_targets_match_the_hand_count(api, programme):
    found = targets(get(api, programme.officer, year=YEAR))

    def pick(code, *keys):
        return tuple(found[code][key] for key in ("percent", "of", "target", "met", *keys))

    assert pick("ENROL", "enrolled") == (22.2, 9, 20.0, True, 2)
    assert pick("U-ELECT") == (33.3, 3, 60.0, False)
    assert pick("V-CROSS", "passing", "towns", "towns_meeting") == (70.0, 3, 80.0, False, 1, 1, 0)
    assert pick("V-ONE", "towns", "towns_meeting") == (66.7, 3, 60.0, True, 1, 1)
    assert pick("V-5GOOD", "count") == (33.3, 3, 85.0, False, 1)
    assert pick("T-6GOOD", "count") == (100.0, 1, 100.0, True, 1)
    assert pick("R-NEW", "count", "towns", "towns_meeting") == (100.0, 1, 100.0, True, 2, 1, 1)
    assert pick("R-321", "counts", "window", "towns_meeting") == (
        0.0,
        1,
        100.0,
        False,
        {"model": 1, "standardized": 1, "premium": 1},
        [YEAR - 2, YEAR],
        0,
    )


@pytest.mark.django_db
def test_three_two_one_is_met_by_a_town_with_three_years_of_titles(api, programme):
    w = programme
    extra = [CommunityFactory(unit=w.t3, name=f"四十里镇{n}社区", kind="rural") for n in "甲乙丙"]
    designate(w, extra[0], YEAR - 2, "model", "CODE00000010")
    designate(w, extra[1], YEAR - 1, "model", "CODE00000011")
    designate(w, extra[2], YEAR - 2, "standardized", "CODE00000012")
    stats.invalidate()
    r321 = targets(get(api, w.officer, year=YEAR))["R-321"]
    assert r321["counts"] == {"model": 3, "standardized": 2, "premium": 1}
    assert (r321["towns_meeting"], r321["met"]) == (1, True)
    # Three years back from last year, the premium of this year is not yet there.
    earlier = targets(get(api, w.officer, year=YEAR - 1))["R-321"]
    assert earlier["counts"] == {"model": 2, "standardized": 2, "premium": 0} and earlier["met"] is False


@pytest.mark.django_db
def test_most_failed_and_commonest_gaps(api, programme):
    body = get(api, programme.officer, year=YEAR)
    failed = {row["indicator"]: (row["failures"], row["of"], row["percent"]) for row in body["most_failed"]}
    assert failed == {
        "U-ELECT": (2, 3, 66.7),
        "U-STATION": (2, 3, 66.7),
        "V-CROSS": (2, 3, 66.7),
        "V-PAY": (1, 3, 33.3),
        "R-AREA": (1, 3, 33.3),
    }
    gaps = {row["indicator"]: row["failures"] for row in body["commonest_gaps"]}
    # no failing community stands at the top level and no failed item is a 加分项: every failure is a gap
    assert gaps == {"U-ELECT": 2, "U-STATION": 2, "V-CROSS": 2, "V-PAY": 1, "R-AREA": 1}
    assert body["most_failed"][0]["requirement"]
    # each gap row names the level its item belongs to on the sheet (U-ELECT 示范, U-STATION 合格)
    levels = {row["indicator"]: row["level"] for row in body["commonest_gaps"]}
    assert levels == {code: shipped_edition(code[0]).indicators.get(code=code).level for code in levels} and {
        levels["U-ELECT"],
        levels["U-STATION"],
    } == {"model", "qualified"}
    assert body["self_checks_counted"] == 9


@pytest.mark.django_db
def test_units_of_the_city_and_of_a_district(api, programme):
    city = {row["name"]: row for row in get(api, programme.officer, "units", year=YEAR)["rows"]}
    assert list(city) == ["东城区", "青山县"]
    east, hills = city["东城区"], city["青山县"]
    assert east["communities"]["total"] == 3 and hills["communities"]["total"] == 6
    assert (
        east["self_checks"]["by_status"]["submitted"] == 1
        and east["self_checks"]["by_status"]["returned"] == 1
    )
    assert hills["self_checks"]["by_status"]["accepted"] == 2
    assert east["titles"]["qualified"] == 1 and hills["titles"]["premium"] == 1
    assert targets(east)["U-ELECT"]["percent"] == 33.3 and targets(hills)["U-ELECT"]["percent"] is None
    assert targets(hills)["V-ONE"]["percent"] == 66.7
    assert east["work_funds"] == {
        "due": "100000.00",
        "paid": "80000.00",
        "district_share": "50000.00",
        "paid_percent": 80.0,
    }

    towns = {row["name"]: row for row in get(api, programme.reviewer, "units", year=YEAR)["rows"]}
    assert set(towns) == {"东华街道", "建设街道"}  # the reviewer's district only
    assert towns["东华街道"]["communities"]["total"] == 2
    assert targets(towns["东华街道"])["ENROL"]["percent"] == 100.0
    assert targets(towns["建设街道"])["U-ELECT"]["percent"] == 0.0


@pytest.mark.django_db
def test_communities_of_a_town(api, programme):
    body = get(api, programme.officer, "communities", year=YEAR, unit=programme.t1.pk)
    rows = {row["name"]: row for row in body["rows"]}
    assert set(rows) == {"幸福社区", "直选社区"}
    c1, u2 = rows["幸福社区"], rows["直选社区"]
    assert (c1["status"], c1["level"], c1["failed"], c1["enrolled"], c1["title"]) == (
        "submitted",
        "none",
        2,
        True,
        None,
    )
    assert (u2["status"], u2["title"]) == ("accepted", "qualified")
    assert c1["self_check"] == SelfCheck.objects.get(community=programme.c1, year=YEAR).pk
    assert (
        c1["work_funds"] == {"due": "50000.00", "paid": "30000.00", "paid_percent": 60.0}
        and u2["work_funds"] is None
    )


@pytest.mark.django_db
def test_trend_rows_per_year(api, programme):
    body = get(api, programme.officer, "trend", year=YEAR)
    assert body["years"] == list(range(YEAR - 4, YEAR + 1))
    last, this = body["rows"][-2], body["rows"][-1]
    assert (this["communities"], this["self_checks"], this["by_status"]["accepted"]) == (9, 9, 3)
    # r2 and r3 were founded this year: last year's end had the 7 others.
    assert last["communities"] == 7
    assert (last["self_checks"], last["by_status"]["accepted"], last["direct_election_percent"]) == (
        1,
        1,
        100.0,
    )
    assert last["titles"]["standardized"] == 1 and this["titles"]["standardized"] == 0
    assert (this["enrol_percent"], this["five_good_percent"], this["direct_election_percent"]) == (
        22.2,
        33.3,
        33.3,
    )
    assert this["work_funds"] == {"due": "100000.00", "paid": "80000.00", "paid_percent": 80.0}
    assert body["rows"][0]["self_checks"] == 0


@pytest.mark.django_db
def test_a_district_sees_its_own_and_a_unit_narrows(api, programme):
    district = get(api, programme.reviewer, year=YEAR)
    assert district["communities"]["total"] == 3 and district["communities"]["by_kind"]["rural"] == 0
    assert targets(district)["R-NEW"]["of"] == 0 and targets(district)["R-NEW"]["percent"] is None
    town = get(api, programme.officer, year=YEAR, unit=programme.t1.pk)
    assert town["communities"]["total"] == 2 and town["self_checks"]["by_status"]["submitted"] == 1
    assert town["designations"]["by_title"]["qualified"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "path", "params", "code", "field"),
    [
        ("anon", "overview", {}, 401, None),
        ("other_officer", "overview", {"unit": "city"}, 400, "unit"),
        ("reviewer", "overview", {"unit": "city"}, 400, "unit"),
        ("reviewer", "units", {"unit": "t3"}, 400, "unit"),
        ("reader", "overview", {"year": 1999}, 400, "year"),
        ("reader", "trend", {"year": YEAR + 1}, 400, "year"),
        ("reader", "overview", {"year": "x"}, 400, "year"),
        ("reader", "units", {"unit": "t1"}, 400, "unit"),  # a town has no units below it
        ("reader", "communities", {}, 400, "unit"),  # the city is not a town
        ("clerk", "communities", {}, 200, None),  # the clerk's own town
        ("reader_d1", "units", {}, 200, None),
        ("anon", "trend", {}, 401, None),
    ],
)
def test_refusals(world, api, user, path, params, code, field):
    params = {
        key: getattr(world, value).pk if value in ("city", "t1", "t3") else value
        for key, value in params.items()
    }
    client = api if user == "anon" else api.as_user(getattr(world, user))
    response = client.get(f"/api/v1/stats/{path}/", params)
    assert response.status_code == code, response.content
    if field:
        assert set(response.json()) == {field}


@pytest.mark.django_db
def test_the_other_city_sees_nothing_of_this_one(api, programme):
    body = get(api, programme.other_officer, year=YEAR)
    assert body["communities"]["total"] == 1  # its own 乙社区 only
    assert body["designations"]["by_title"]["qualified"] == 0 and body["self_checks"]["total"] == 0


@pytest.mark.django_db(transaction=True)
def test_cached_answers_end_when_their_data_changes(world, api):
    first = get(api, world.officer, year=YEAR)
    assert get(api, world.officer, year=YEAR) == first

    CommunityFactory(unit=world.t1, name="新社区")  # a committed change
    after = get(api, world.officer, year=YEAR)
    assert after["communities"]["total"] == first["communities"]["total"] + 1

    TownRecognitionFactory(unit=world.t3, year=YEAR, recognised=True, confirmed_by_district=True)
    village = CommunityFactory(unit=world.t3, name="新村", kind="village")
    before = targets(get(api, world.officer, year=YEAR))["V-5GOOD"]["count"]
    VillageRecognitionFactory(community=village, year=YEAR, recognised=True, confirmed_by_district=True)
    assert targets(get(api, world.officer, year=YEAR))["V-5GOOD"]["count"] == before + 1


@pytest.mark.django_db
def test_a_cached_answer_is_served_without_queries(api, programme):
    get(api, programme.officer, year=YEAR)
    with CaptureQueriesContext(connection) as queries:
        get(api, programme.officer, year=YEAR)
    stats_queries = [q for q in queries if "assessments_selfcheck" in q["sql"]]
    assert stats_queries == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["overview", "units", "trend"])
def test_queries_do_not_grow_with_communities(world, api, path):
    get(api, world.officer, path, year=YEAR)  # the token and the compiled editions, made once
    counts = []
    for batch in range(2):
        ids = [
            CommunityFactory(unit=unit, name=f"{kind}{batch}-{n}", kind=kind).pk
            for n in range(2 + batch * 10)
            for unit, kind in ((world.t1, "urban"), (world.t3, "village"), (world.t3, "rural"))
        ]
        runs.evaluate_communities(ids, YEAR)
        stats.invalidate()
        with CaptureQueriesContext(connection) as queries:
            get(api, world.officer, path, year=YEAR)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db(transaction=True)
def test_a_change_in_one_town_leaves_the_other_towns_cached(world, api):
    east = get(api, world.officer, year=YEAR, unit=world.t1.pk)
    hills = get(api, world.officer, year=YEAR, unit=world.t3.pk)
    city = get(api, world.officer, year=YEAR)
    district = get(api, world.officer, year=YEAR, unit=world.d2.pk)
    CommunityFactory(unit=world.t3, name="新村", kind="village")

    with CaptureQueriesContext(connection) as queries:
        assert get(api, world.officer, year=YEAR, unit=world.t1.pk) == east
    assert not [q for q in queries if "GROUP BY" in q["sql"]]  # nothing counted: served from the cache
    assert get(api, world.officer, year=YEAR, unit=world.t3.pk)["communities"]["total"] == (
        hills["communities"]["total"] + 1
    )
    # The town's district and city are on its path: their answers end too.
    assert get(api, world.officer, year=YEAR)["communities"]["total"] == city["communities"]["total"] + 1
    after = get(api, world.officer, year=YEAR, unit=world.d2.pk)
    assert after["communities"]["total"] == district["communities"]["total"] + 1


@pytest.mark.django_db(transaction=True)
def test_changes_that_move_no_figure_leave_the_figures_cached(world, api):
    city = get(api, world.officer, year=YEAR)
    rows = get(api, world.officer, "communities", year=YEAR, unit=world.t1.pk)["rows"]

    world.c1.phone = "0471-7654321"  # read by no indicator and no figure
    world.c1.save()
    runs.evaluate_communities([world.c1.pk], YEAR)  # the same results again
    with CaptureQueriesContext(connection) as queries:
        assert get(api, world.officer, year=YEAR) == city
    assert not [q for q in queries if "assessments_selfcheck" in q["sql"]]  # served from the cache

    # A record that moves a result the figures read (U-AREA leaves the failed list) ends them.
    with transaction.atomic():
        FacilityFactory(
            community=world.c1, kind="service_station", name="服务站", area_m2=320, activity_area_m2=200
        )
    after = get(api, world.officer, "communities", year=YEAR, unit=world.t1.pk)["rows"]
    assert after[0]["failed"] < rows[0]["failed"]

    world.c1.subtype = "unit"  # counted by subtype
    world.c1.save()
    assert get(api, world.officer, year=YEAR)["communities"]["by_subtype"]["unit"] == 1


@pytest.mark.django_db(transaction=True)
def test_enrolments_saved_on_their_page_end_the_cached_figures(world, api, client):
    """The page saves enrolments in one bulk insert, which sends no post_save of its own."""
    before = targets(get(api, world.officer, year=YEAR))["ENROL"]["enrolled"]
    client.force_login(world.reviewer)
    shown = [world.c1.pk, world.c2.pk]
    response = client.post(f"/enrolments/?year={YEAR}", {"year": YEAR, "shown": shown, "enrolled": shown})
    assert response.status_code == 302
    assert targets(get(api, world.officer, year=YEAR))["ENROL"]["enrolled"] == before + 2


def counted(queries) -> list[str]:
    """The statements that counted self-checks (an answer added up from cached counts sends none)."""
    return [q["sql"] for q in queries if "assessments_selfcheck" in q["sql"]]


def every_answer(api, user, unit=None):
    params = {"year": YEAR, **({"unit": unit.pk} if unit else {})}
    below = "communities" if unit is not None and unit.tier == "town" else "units"
    return {path: get(api, user, path, **params) for path in ("overview", below, "trend")}


@pytest.mark.django_db
def test_callers_of_one_unit_share_an_answer(api, programme):
    """A unit's figures count the unit's rows: a named grant outside it adds nothing to them, so its
    holder shares the unit's answer too."""
    colleague = UserFactory(username="reviewer2", unit=programme.d1, role=Role.DISTRICT_REVIEWER)
    inspector = UserFactory(username="inspector", unit=programme.d1, role=Role.DISTRICT_REVIEWER)
    assign_perm("view_community", inspector, programme.v3)  # a village of the other district
    first = get(api, programme.reviewer, year=YEAR)
    for caller in (colleague, inspector):
        with CaptureQueriesContext(connection) as queries:
            assert get(api, caller, year=YEAR) == first
        assert not [q for q in queries if "GROUP BY" in q["sql"]]  # the reviewer's answer, not recounted
    stats.invalidate()
    assert get(api, inspector, year=YEAR) == first  # counted by the inspector: the same


@pytest.mark.django_db
def test_a_unit_adds_up_the_towns_another_caller_counted(api, programme):
    every_answer(api, programme.officer)  # the city: every town counted
    with CaptureQueriesContext(connection) as queries:
        district = every_answer(api, programme.reviewer)
        town = get(api, programme.officer, year=YEAR, unit=programme.t3.pk)
    assert counted(queries) == []  # added up from the towns' counts
    stats.invalidate()
    assert every_answer(api, programme.reviewer) == district
    assert get(api, programme.officer, year=YEAR, unit=programme.t3.pk) == town


@pytest.mark.django_db
def test_counts_added_up_after_a_change_equal_counts_taken_whole(
    api, programme, django_capture_on_commit_callbacks
):
    """Every kind of figure source changes in T3; the city, its district and T3 are recounted from
    T3's new counts and the other towns' cached ones, and must equal a count of everything anew."""
    units = (None, programme.d2, programme.t3)
    for unit in units:
        every_answer(api, programme.officer, unit)
    with django_capture_on_commit_callbacks(execute=True):
        check = SelfCheck.objects.get(community=programme.v2, year=YEAR)
        check.status, check.level, check.failed = "accepted", "model", []
        check.save()
        designate(programme, programme.c3, YEAR, "qualified", "T3-NEW")
        enrolments.enrol(programme.officer, programme.v3, YEAR)  # the enrolment service
        recognition = VillageRecognition.objects.get(community=programme.v2, year=YEAR)
        recognition.confirmed_by_district = True
        recognition.save()
        WorkFundFactory(community=programme.r2, year=YEAR, due=1000, paid=500)
        CommunityFactory(unit=programme.t3, name="新村", kind="village")
    added_up = {unit: every_answer(api, programme.officer, unit) for unit in units}
    stats.invalidate()
    assert {unit: every_answer(api, programme.officer, unit) for unit in units} == added_up
    city = added_up[None]["overview"]
    assert city["communities"]["total"] == 10 and city["self_checks"]["by_status"]["accepted"] == 4
    assert targets(city)["ENROL"]["enrolled"] == 3 and targets(city)["V-5GOOD"]["count"] == 2


@pytest.mark.django_db
def test_a_community_moved_to_another_town_leaves_the_town_it_left(
    api, programme, django_capture_on_commit_callbacks
):
    city = get(api, programme.officer, year=YEAR)
    t1 = get(api, programme.officer, year=YEAR, unit=programme.t1.pk)
    with django_capture_on_commit_callbacks(execute=True):
        programme.c1.unit = programme.t3
        programme.c1.save()
    assert get(api, programme.officer, year=YEAR)["communities"] == city["communities"]  # not twice
    after = get(api, programme.officer, year=YEAR, unit=programme.t1.pk)
    assert after["communities"]["total"] == t1["communities"]["total"] - 1


@pytest.mark.django_db
def test_count_figures_counts_every_town_ahead(api, programme):
    call_command("count_figures", year=[YEAR], stdout=io.StringIO())
    with CaptureQueriesContext(connection) as queries:
        ahead = every_answer(api, programme.officer)
    assert counted(queries) == []
    stats.invalidate()
    assert every_answer(api, programme.officer) == ahead


@pytest.mark.django_db
def test_a_restored_database_ends_every_figure(world):
    before = stats.generations([world.t1, world.d2])
    changes.everything_changed()  # what a restore calls (core.backups.restore)
    after = stats.generations([world.t1, world.d2])
    assert all(after[pk] != before[pk] for pk in before)


@pytest.mark.django_db
def test_count_figures_refuses_a_year_out_of_range(world):
    with pytest.raises(CommandError, match="年度须在"):
        call_command("count_figures", year=[1999], stdout=io.StringIO())
    assert stats.count_ahead(world.city, YEAR) == 3  # the city's three towns, each counted


@pytest.mark.django_db
def test_chart_rows_carry_chinese_short_names(api, programme):
    """The charts label their axes with `short` (targets) and `title` (indicators), never with codes."""
    body = get(api, programme.officer, year=YEAR)
    shorts = {row["code"]: row["short"] for row in body["targets"]}
    assert shorts["ENROL"] == "创建活动比例" and shorts["R-321"] == "三二一工程"
    assert all(re.search(r"[\u4e00-\u9fff]", short) and len(short) <= 8 for short in shorts.values())
    for row in body["most_failed"] + body["commonest_gaps"]:
        indicator = shipped_edition(row["indicator"][0]).indicators.get(code=row["indicator"])
        assert row["title"] == indicator.short_title and row["title"] != row["indicator"]
        assert len(row["title"].rstrip("…")) <= 14 and row["requirement"].startswith(row["title"].rstrip("…"))


def test_an_indicator_s_short_title_is_its_first_clause():
    from standards.models import Indicator

    assert (
        Indicator(code="U-X", requirement="社区志愿者注册率占居民人口10%以上。").short_title
        == "社区志愿者注册率占居民人口1…"
    )
    assert (
        Indicator(code="U-X", requirement="随机发放调查问卷,了解居民群众").short_title == "随机发放调查问卷"
    )
    assert Indicator(code="U-X", requirement="").short_title == "U-X"
