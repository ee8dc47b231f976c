"""`stats/overview/`: each figure against a hand-computed fixture, the scope, and the cache that
never outlives its data."""

from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import selfchecks
from assessments.models import Designation, Enrolment, SelfCheck
from funding.models import WorkFund

from ..factories import CommunityFactory

YEAR = timezone.localdate().year


@pytest.fixture
def fixture(world):
    """D1: c1 (urban, 2400 households), c2 (urban) and a new unit-type urban community in T2;
    D2: c3 (rural). c1 submitted, c2 returned, the new one draft; c3 district-approved. c1 enrolled.
    Work funds: c1 paid 30,000 of 50,000; c2 paid 50,000 of 50,000. One 合格 designation for c2."""
    extra = CommunityFactory(unit=world.t2, name="单位社区", subtype="unit", households=900, residents=2500)
    selfchecks.evaluate_communities([world.c1.pk, world.c2.pk, extra.pk, world.c3.pk], YEAR)
    status = {world.c1: "submitted", world.c2: "returned", world.c3: "district_approved"}
    for community, value in status.items():
        SelfCheck.objects.filter(community=community, year=YEAR).update(status=value)
    Enrolment.objects.create(community=world.c1, year=YEAR)
    WorkFund.objects.create(community=world.c1, year=YEAR, paid=Decimal("30000"))
    WorkFund.objects.create(community=world.c2, year=YEAR, paid=Decimal("50000"))
    c2_check = SelfCheck.objects.get(community=world.c2, year=YEAR)
    Designation.objects.create(
        community=world.c2,
        scope_unit=world.t2,
        self_check=c2_check,
        year=YEAR,
        title="qualified",
        issued_on=timezone.localdate(),
        valid_until=timezone.localdate(),
        issued_by=world.officer,
        code="TESTCODE0001",
    )
    return extra


def get(api, user, **params):
    return api.as_user(user).get("/api/v1/stats/overview/", params)


@pytest.mark.django_db
def test_city_figures_match_the_hand_count(world, api, fixture):
    body = get(api, world.officer, year=YEAR).json()

    assert body["communities"] == {
        "total": 4,
        "by_kind": {"urban": 3, "rural": 1, "village": 0},
        "by_subtype": {"ordinary": 3, "unit": 1, "market_town": 0, "new_residential": 0},
    }
    assert body["self_checks"]["total"] == 4
    assert body["self_checks"]["by_status"] == {
        "draft": 1,
        "submitted": 1,
        "returned": 1,
        "district_approved": 1,
        "accepted": 0,
        "rejected": 0,
    }
    assert body["self_checks"]["by_level"]["none"] == 4
    assert body["designations"] == {
        "by_title": {"qualified": 1, "standardized": 0, "model": 0, "premium": 0, "model_district": 0},
        "by_district": {"东城区": {"qualified": 1}},
    }
    assert body["work_funds"] == {"due": "100000.00", "paid": "80000.00", "district_share": "50000.00"}
    targets = {row["code"]: row for row in body["targets"]}
    assert (targets["ENROL"]["percent"], targets["ENROL"]["of"]) == (25.0, 4)
    assert (targets["U-ELECT"]["percent"], targets["U-ELECT"]["of"]) == (0.0, 3)
    failed = {row["indicator"]: row for row in body["most_failed"]}
    assert (
        failed["U-STATION"]["failures"] == 3 and failed["U-STATION"]["of"] == 3
    )  # no urban station anywhere
    assert body["self_checks_counted"] == 4


@pytest.mark.django_db
def test_a_district_sees_its_own_and_a_unit_narrows(world, api, fixture):
    district = get(api, world.reviewer, year=YEAR).json()
    assert district["communities"]["total"] == 3 and district["communities"]["by_kind"]["rural"] == 0
    town = get(api, world.officer, year=YEAR, unit=world.t1.pk).json()
    assert town["communities"]["total"] == 1 and town["self_checks"]["by_status"]["submitted"] == 1
    assert town["designations"]["by_title"]["qualified"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "params", "code"),
    [
        ("anon", {}, 401),
        ("other_officer", {"unit": "city"}, 400),
        ("reviewer", {"unit": "city"}, 400),
        ("reader", {"year": 1999}, 400),
        ("reader", {"year": "x"}, 400),
        ("reader_d1", {}, 200),
    ],
)
def test_refusals(world, api, fixture, user, params, code):
    params = {key: (world.city.pk if value == "city" else value) for key, value in params.items()}
    client = api if user == "anon" else api.as_user(getattr(world, user))
    response = client.get("/api/v1/stats/overview/", params)
    assert response.status_code == code, response.content
    if code == 400:
        assert set(response.json()) <= {"unit", "year"}


@pytest.mark.django_db
def test_the_other_city_sees_nothing_of_this_one(world, api, fixture):
    body = get(api, world.other_officer, year=YEAR).json()
    assert body["communities"]["total"] == 1  # its own 乙社区 only
    assert body["designations"]["by_title"]["qualified"] == 0


@pytest.mark.django_db(transaction=True)
def test_cached_answers_end_when_their_data_changes(world, api):
    first = get(api, world.officer, year=YEAR).json()
    again = get(api, world.officer, year=YEAR).json()
    assert again == first

    CommunityFactory(unit=world.t1, name="新社区")  # a committed change

    after = get(api, world.officer, year=YEAR).json()
    assert after["communities"]["total"] == first["communities"]["total"] + 1


@pytest.mark.django_db
def test_queries_do_not_grow_with_communities(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments import stats

    get(api, world.officer, year=YEAR)  # the token and the compiled editions, made once
    counts = []
    for batch in range(2):
        ids = [CommunityFactory(unit=world.t1, name=f"社区{batch}-{n}").pk for n in range(2 + batch * 20)]
        selfchecks.evaluate_communities(ids, YEAR)
        stats.invalidate()
        with CaptureQueriesContext(connection) as queries:
            assert get(api, world.officer, year=YEAR).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
