"""Reviewers score (docs/scoring.md, "Reviewers"; docs/api.md `self-checks/{id}/judge/`): a graded item
takes points 0…full marks in half points, an all-or-nothing item 达标/不达标; several city officers
score a visit item and their mean counts; the satisfaction item is scored by band from the site visit's
figure. The API's results carry earned points, full marks and applicability, also for a self-check
decided before items had points; the page judges an item in its row, in place with htmx."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from assessments import runs
from assessments.models import SelfCheck, SelfCheckEvent
from core.roles import Role
from demo.factories import EnrolmentFactory, SelfCheckFactory, UserFactory
from standards import editing
from standards.models import Indicator, StandardEdition

YEAR = timezone.localdate().year
S = SelfCheck.Status
BANDS = [{"min": 90, "share": 1}, {"min": 80, "share": 0.6}]


@pytest.fixture
def items(world):
    """The city's own urban sheet, copied from the shipped one: the first 材料审核 item graded (4
    points), the second all-or-nothing (2), a visit item graded (5) and a satisfaction item by bands (5)."""
    shipped = StandardEdition.objects.current_for(world.tenant.pk, "urban")
    draft = editing.copy_edition(shipped, world.officer)
    ordered = list(draft.indicators.order_by("order", "pk"))
    evidence = [item for item in ordered if item.check_kind == Indicator.Check.EVIDENCE]
    site = [item for item in ordered if item.check_kind == Indicator.Check.SITE]
    satisfaction = next((item for item in site if item.method == "satisfaction"), site[-1])
    visit = next(item for item in site if item.pk != satisfaction.pk)
    change = editing.update_indicator
    change(evidence[0], world.officer, scoring="graded", points=4, scoring_params={})
    change(evidence[1], world.officer, scoring="all_or_nothing", points=2, scoring_params={})
    change(visit, world.officer, method="inspection", scoring="graded", points=5, scoring_params={})
    change(
        satisfaction,
        world.officer,
        method="satisfaction",
        scoring="bands",
        points=5,
        scoring_params={"bands": BANDS},
    )
    editing.publish(draft, world.officer)
    return SimpleNamespace(
        edition=draft,
        graded=evidence[0].code,
        all_or_nothing=evidence[1].code,
        evidence=[item.code for item in evidence],
        visit=visit.code,
        satisfaction=satisfaction.code,
        site=[item.code for item in site],
    )


@pytest.fixture
def check(world, items):
    EnrolmentFactory(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR)
    found = SelfCheck.objects.get(community=world.c1, year=YEAR)
    assert found.edition_id == items.edition.pk
    return found


@pytest.fixture
def second_officer(world):
    return UserFactory(username="officer2", full_name="李评审", unit=world.city, role=Role.CITY_OFFICER)


def at(check, status):
    SelfCheck.objects.filter(pk=check.pk).update(status=status)


def judge(api, user, check, **body):
    return api.as_user(user).post(f"/api/v1/self-checks/{check.pk}/judge/", body, format="json")


def result(response_or_check, code):
    results = (
        response_or_check.results
        if isinstance(response_or_check, SelfCheck)
        else response_or_check.json()["results"]
    )
    return next(found for found in results if found["indicator"] == code)


def state(check):
    row = SelfCheck.objects.get(pk=check.pk)
    return (row.judgements, row.results, row.score, row.proposed_score, SelfCheckEvent.objects.count())


def record_visit(api, world, check, figure):
    body = {"visited_on": str(timezone.localdate()), "questionnaire_sample": 50, "satisfaction_score": figure}
    response = api.as_user(world.officer).post(
        f"/api/v1/self-checks/{check.pk}/site-visit/", body, format="json"
    )
    assert response.status_code == 200, response.content[:300]


# ---- the API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_graded_item_takes_half_points_with_a_note_below_full(world, api, check, items):
    at(check, S.SUBMITTED)
    before = SelfCheck.objects.get(pk=check.pk)

    response = judge(api, world.reviewer, check, indicator=items.graded, earned=3.5, note="缺一次会议记录")

    assert response.status_code == 200, response.content[:300]
    assert {
        key: result(response, items.graded)[key] for key in ("earned", "points", "passed", "applicable")
    } == {
        "earned": 3.5,
        "points": 4,
        "passed": False,
        "applicable": True,
    }
    row = SelfCheck.objects.get(pk=check.pk)
    assert row.judgements[items.graded]["earned"] == 3.5
    assert result(row, items.graded)["note"] == "缺一次会议记录"
    # 3.5 of 4 points: the score rises, the proposed score (which counted 4) falls.
    assert row.score > before.score and row.proposed_score < before.proposed_score
    assert response.json()["score"] == float(row.score)
    assert response.json()["proposed_score"] == float(row.proposed_score)

    full = judge(api, world.reviewer, check, indicator=items.graded, earned=4)
    assert full.status_code == 200 and result(full, items.graded)["passed"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"earned": 3.25, "note": "扣分"}, "earned"),
        ({"earned": -1, "note": "扣分"}, "earned"),
        ({"earned": 4.5}, "earned"),
        ({"earned": 3}, "note"),
        ({"earned": "三分", "note": "扣分"}, "earned"),
        ({"note": "未打分"}, "earned"),
    ],
)
def test_a_bad_score_is_a_400_on_its_field_and_changes_nothing(world, api, check, items, body, field):
    at(check, S.SUBMITTED)
    before = state(check)
    response = judge(api, world.reviewer, check, indicator=items.graded, **body)
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == [field]
    assert state(check) == before


@pytest.mark.django_db
def test_an_all_or_nothing_item_takes_passed_or_nothing_between(world, api, check, items):
    at(check, S.SUBMITTED)
    passed = judge(api, world.reviewer, check, indicator=items.all_or_nothing, passed=True)
    assert passed.status_code == 200
    assert (
        result(passed, items.all_or_nothing)["earned"],
        result(passed, items.all_or_nothing)["points"],
    ) == (2, 2)

    before = state(check)
    between = judge(api, world.reviewer, check, indicator=items.all_or_nothing, earned=1, note="部分")
    assert between.status_code == 400 and list(between.json()) == ["earned"]
    assert state(check) == before

    failed = judge(api, world.reviewer, check, indicator=items.all_or_nothing, earned=0)
    assert failed.status_code == 200
    assert (
        result(failed, items.all_or_nothing)["earned"],
        result(failed, items.all_or_nothing)["passed"],
    ) == (0, False)


@pytest.mark.django_db
def test_two_city_officers_score_a_visit_item_and_their_mean_counts(world, api, check, items, second_officer):
    at(check, S.DISTRICT_APPROVED)
    assert (
        judge(api, world.officer, check, indicator=items.visit, earned=4, note="台账不全").status_code == 200
    )
    response = judge(api, second_officer, check, indicator=items.visit, earned=3, note="公示栏未更新")

    assert response.status_code == 200
    scored = result(response, items.visit)
    assert scored["earned"] == 3.5 and scored["points"] == 5
    assert [
        (entry["by"], entry["by_name"], entry["earned"], entry["note"]) for entry in scored["judgements"]
    ] == [
        (world.officer.pk, str(world.officer), 4, "台账不全"),
        (second_officer.pk, "李评审", 3, "公示栏未更新"),
    ]
    assert all(entry["at"] for entry in scored["judgements"])

    # The same officer again: only his own score is replaced.
    again = result(judge(api, world.officer, check, indicator=items.visit, earned=5), items.visit)
    assert again["earned"] == 4
    assert sorted((entry["by"], entry["earned"]) for entry in again["judgements"]) == sorted(
        [(world.officer.pk, 5), (second_officer.pk, 3)]
    )
    # A result without several officers' scores carries no `judgements`.
    listed = api.as_user(world.officer).get(f"/api/v1/self-checks/{check.pk}/").json()
    assert "judgements" not in result_of(listed, items.graded)


def result_of(body, code):
    return next(found for found in body["results"] if found["indicator"] == code)


@pytest.mark.django_db
def test_the_district_judges_no_visit_item_and_the_city_no_evidence_item(world, api, check, items):
    at(check, S.DISTRICT_APPROVED)
    before = state(check)
    # The role comes before the input and the status (docs/api.md's refusal order).
    assert judge(api, world.reviewer, check, indicator=items.visit, earned=4, note="x").status_code == 403
    assert judge(api, world.reviewer, check, indicator=items.visit, earned=3.25).status_code == 403
    at(check, S.SUBMITTED)
    assert judge(api, world.reviewer, check, indicator=items.visit, earned=4, note="x").status_code == 403
    assert judge(api, world.officer, check, indicator=items.graded, earned=4).status_code == 403
    at(check, S.DISTRICT_APPROVED)
    assert judge(api, world.officer, check, indicator=items.graded, earned=4).status_code == 403
    assert state(check) == before


@pytest.mark.django_db
@pytest.mark.parametrize("figure,earned", [(95, 5), (85, 3), (70, 0)])
def test_the_satisfaction_item_is_scored_by_band_from_the_site_visit(
    world, api, check, items, figure, earned
):
    at(check, S.DISTRICT_APPROVED)
    assert result(SelfCheck.objects.get(pk=check.pk), items.satisfaction)["earned"] is None

    record_visit(api, world, check, figure)

    body = api.as_user(world.officer).get(f"/api/v1/self-checks/{check.pk}/").json()
    scored = result_of(body, items.satisfaction)
    assert (scored["earned"], scored["points"], scored["value"]) == (earned, 5, figure)
    assert scored["passed"] is (earned == 5)


@pytest.mark.django_db
def test_the_satisfaction_item_is_not_judged_by_hand(world, api, check, items):
    at(check, S.DISTRICT_APPROVED)
    before = state(check)
    for body in ({"passed": True}, {"earned": 5}):
        response = judge(api, world.officer, check, indicator=items.satisfaction, **body)
        assert response.status_code == 400 and list(response.json()) == ["indicator"]
        assert "满意度" in response.json()["indicator"][0]
    assert state(check) == before


@pytest.mark.django_db
def test_approval_waits_for_a_graded_item_and_a_score_below_full_counts_as_judged(world, api, check, items):
    at(check, S.SUBMITTED)
    for code in items.evidence:
        if code != items.graded:
            assert judge(api, world.reviewer, check, indicator=code, passed=True).status_code == 200
    url = f"/api/v1/self-checks/{check.pk}/review/"
    refused = api.as_user(world.reviewer).post(url, {"decision": "approve"}, format="json")
    assert refused.status_code == 409 and refused.json()["indicators"] == [items.graded]

    judge(api, world.reviewer, check, indicator=items.graded, earned=0, note="无材料")
    approved = api.as_user(world.reviewer).post(url, {"decision": "approve"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == S.DISTRICT_APPROVED


@pytest.mark.django_db
def test_acceptance_waits_for_the_visit_item_and_the_satisfaction_figure(world, api, check, items):
    at(check, S.DISTRICT_APPROVED)
    for code in items.site:
        if code not in (items.visit, items.satisfaction):
            assert judge(api, world.officer, check, indicator=code, passed=True).status_code == 200
    url = f"/api/v1/self-checks/{check.pk}/accept/"
    body = {"designation": "rejected", "comment": "不通过"}
    refused = api.as_user(world.officer).post(url, body, format="json")
    assert refused.status_code == 409
    assert refused.json()["indicators"] == [
        code for code in items.site if code in (items.visit, items.satisfaction)
    ]

    record_visit(api, world, check, 92)
    refused = api.as_user(world.officer).post(url, body, format="json")
    assert refused.status_code == 409 and refused.json()["indicators"] == [items.visit]

    judge(api, world.officer, check, indicator=items.visit, earned=2.5, note="现场秩序一般")
    accepted = api.as_user(world.officer).post(url, body, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == S.REJECTED


@pytest.mark.django_db
def test_every_result_carries_earned_points_and_applicability(world, api, check, items):
    body = api.as_user(world.officer).get(f"/api/v1/self-checks/{check.pk}/").json()
    points = {item.code: float(item.points) for item in items.edition.indicators.all()}
    assert body["proposed_score"] >= body["score"]
    for found in body["results"]:
        assert {"earned", "points", "applicable"} <= found.keys()
        assert found["points"] == points[found["indicator"]]
        if found["passed"] is None:
            assert found["earned"] is None
    assert result_of(body, items.graded)["points"] == 4


@pytest.mark.django_db
def test_a_self_check_decided_before_items_had_points_is_served_filled_and_kept_as_stored(
    world, api, client, items
):
    codes = list(items.edition.indicators.order_by("order", "pk").values_list("code", flat=True))
    stored = [
        {"indicator": codes[0], "passed": True, "value": 3, "expected": 2, "note": ""},
        {"indicator": codes[1], "passed": False, "value": 0, "expected": 2, "note": "未达到"},
        {"indicator": codes[2], "passed": True, "value": "n/a", "expected": None, "note": "不适用"},
        {
            "indicator": items.graded,
            "passed": None,
            "value": None,
            "expected": None,
            "note": "待区县审核材料",
        },
    ]
    decided = SelfCheckFactory(
        community=world.c1,
        edition=items.edition,
        status=S.ACCEPTED,
        results=stored,
        failed=[codes[1]],
    )
    points = {item.code: float(item.points) for item in items.edition.indicators.all()}

    body = api.as_user(world.officer).get(f"/api/v1/self-checks/{decided.pk}/").json()

    served = {found["indicator"]: found for found in body["results"]}
    assert (served[codes[0]]["earned"], served[codes[0]]["points"], served[codes[0]]["applicable"]) == (
        points[codes[0]],
        points[codes[0]],
        True,
    )
    assert (served[codes[1]]["earned"], served[codes[1]]["applicable"]) == (0, True)
    assert (served[codes[2]]["earned"], served[codes[2]]["applicable"]) == (None, False)
    assert (served[items.graded]["earned"], served[items.graded]["points"]) == (None, 4)
    assert SelfCheck.objects.get(pk=decided.pk).results == stored  # nothing written back

    client.force_login(world.officer)
    html = client.get(f"/self-checks/{decided.pk}/").content.decode()
    assert f'data-testid="earned-{codes[1]}">0' in html and f'data-testid="points-{items.graded}">4<' in html
    assert SelfCheck.objects.get(pk=decided.pk).results == stored


@pytest.mark.django_db
def test_the_schema_declares_the_scores(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    judge_body = schemas["JudgeRequest"]
    assert judge_body["properties"]["earned"]["type"] == "number"
    assert judge_body["properties"]["earned"]["nullable"] is True
    assert judge_body["required"] == ["indicator"]
    result_shape = schemas["Result"]
    assert {"earned", "points", "applicable"} <= set(result_shape["required"])
    assert result_shape["properties"]["earned"]["nullable"] is True
    assert "judgements" in result_shape["properties"] and "judgements" not in result_shape["required"]
    assert {"by", "by_name", "earned", "note", "at"} <= set(schemas["Judgement"]["properties"])
    assert "proposed_score" in schemas["SelfCheck"]["properties"]


# ---- the page -----------------------------------------------------------------------------------------


def page(client, user, check):
    client.force_login(user)
    return client.get(f"/self-checks/{check.pk}/")


@pytest.mark.django_db
def test_the_reviewer_scores_a_graded_item_in_its_row_with_htmx(world, client, check, items):
    at(check, S.SUBMITTED)
    html = page(client, world.reviewer, check).content.decode()
    # The alert names the unjudged items, each linked to its row, where its form is.
    assert f'href="#indicator-{items.graded}"' in html
    row = html.split(f'id="indicator-{items.graded}"', 1)[1].split("</tr>", 1)[0]
    assert 'name="earned"' in row and 'step="0.5"' in row and 'max="4"' in row and 'hx-post="' in row
    other = html.split(f'id="indicator-{items.all_or_nothing}"', 1)[1].split("</tr>", 1)[0]
    assert 'name="passed"' in other and '<option value="true">达标</option>' in other
    assert 'data-testid="proposed-score"' in html

    url = f"/self-checks/{check.pk}/judge/"
    response = client.post(
        url, {"indicator": items.graded, "earned": "3.5", "note": "缺一次会议记录"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    row = SelfCheck.objects.get(pk=check.pk)
    assert "<html" not in fragment and fragment.lstrip().startswith("<tr")
    assert f'data-testid="earned-{items.graded}">3.5' in fragment and "缺一次会议记录" in fragment
    assert 'id="score-header"' in fragment and f'data-testid="score">{row.score}<' in fragment
    assert 'id="workflow" hx-swap-oob="true"' in fragment
    assert result(row, items.graded)["earned"] == 3.5

    # A refusal is shown in the row; nothing changes.
    before = state(check)
    refused = client.post(
        url, {"indicator": items.graded, "earned": "3.25", "note": "x"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 200 and 'data-testid="judge-error"' in refused.content.decode()
    assert "以0.5分为一档" in refused.content.decode()
    assert state(check) == before


@pytest.mark.django_db
def test_without_htmx_a_judgement_posts_and_returns_to_its_row(world, client, check, items):
    at(check, S.SUBMITTED)
    client.force_login(world.reviewer)
    response = client.post(
        f"/self-checks/{check.pk}/judge/", {"indicator": items.graded, "earned": "2", "note": "材料不全"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/self-checks/{check.pk}/#indicator-{items.graded}"
    html = client.get(response["Location"]).content.decode()
    assert f'data-testid="earned-{items.graded}">2' in html and "已记录判定" in html


@pytest.mark.django_db
def test_the_page_shows_each_officers_score_the_mean_and_the_satisfaction_figure(
    world, api, client, check, items, second_officer
):
    at(check, S.DISTRICT_APPROVED)
    judge(api, world.officer, check, indicator=items.visit, earned=4, note="台账不全")
    judge(api, second_officer, check, indicator=items.visit, earned=3, note="公示栏未更新")
    html = page(client, world.officer, check).content.decode()
    scores = html.split(f'data-testid="judgements-{items.visit}"', 1)[1].split("</ul>", 1)[0]
    assert f"{str(world.officer)}:4分" in scores and "李评审:3分" in scores and "平均:3.5分" in scores
    satisfaction = html.split(f'id="indicator-{items.satisfaction}"', 1)[1].split("</tr>", 1)[0]
    assert (
        "按实地评估满意度得分计分" in satisfaction
        and f'data-testid="judge-{items.satisfaction}"' not in satisfaction
    )

    record_visit(api, world, check, 85)
    html = page(client, world.officer, check).content.decode()
    satisfaction = html.split(f'id="indicator-{items.satisfaction}"', 1)[1].split("</tr>", 1)[0]
    assert "满意度85" in satisfaction and f'data-testid="earned-{items.satisfaction}">3' in satisfaction
