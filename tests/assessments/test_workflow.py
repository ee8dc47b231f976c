"""The review state machine (docs/api.md): every step × every role — allowed, 401, 403, 404, 409 — and a
refused step changes nothing (the self-check row and its audit trail stay as they were)."""

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import runs
from assessments.evaluator import evaluator_for
from assessments.models import SelfCheck, SelfCheckEvent, SiteVisit
from assessments.steps import STEPS as STEP_TABLE
from demo.factories import EnrolmentFactory, FacilityFactory
from designations.models import Enrolment
from standards import sheet
from standards.models import Indicator

from .judging import codes_of, judge_all

YEAR = timezone.localdate().year
USERS = ["anon", "clerk", "clerk_t3", "reviewer", "officer", "reader", "reader_d1", "other_officer"]
OUTSIDE = {"clerk_t3": 404, "other_officer": 404, "anon": 401}
S = SelfCheck.Status

# (step, body, status it starts from, the status it reaches, {user: expected status code}, "*" = others)
STEPS = [
    ("submit", {}, S.DRAFT, S.SUBMITTED, {"clerk": 200, **OUTSIDE, "*": 403}),
    ("submit", {}, S.RETURNED, S.SUBMITTED, {"clerk": 200, **OUTSIDE, "*": 403}),
    (
        "review",
        {"decision": "approve"},
        S.SUBMITTED,
        S.DISTRICT_APPROVED,
        {"reviewer": 200, **OUTSIDE, "*": 403},
    ),
    (
        "review",
        {"decision": "return", "comment": "缺少会议记录"},
        S.SUBMITTED,
        S.RETURNED,
        {"reviewer": 200, **OUTSIDE, "*": 403},
    ),
    (
        "judge",
        {"indicator": "U-CHARTER", "passed": True, "note": "章程已审阅"},
        S.SUBMITTED,
        S.SUBMITTED,
        {"reviewer": 200, **OUTSIDE, "*": 403},
    ),
    (
        "judge",
        {"indicator": "U-PROPERTY", "passed": True, "note": "座谈会反映物业服务到位"},
        S.DISTRICT_APPROVED,
        S.DISTRICT_APPROVED,
        {"officer": 200, **OUTSIDE, "*": 403},
    ),
    (
        "accept",
        {"designation": "rejected", "comment": "未达到合格标准"},
        S.DISTRICT_APPROVED,
        S.REJECTED,
        {"officer": 200, **OUTSIDE, "*": 403},
    ),
    (
        "reopen",
        {"reason": "发现材料问题"},
        S.DISTRICT_APPROVED,
        S.SUBMITTED,
        {"reviewer": 200, "officer": 200, **OUTSIDE, "*": 403},
    ),
    (
        "reopen",
        {"reason": "复核"},
        S.REJECTED,
        S.DISTRICT_APPROVED,
        {"officer": 200, **OUTSIDE, "*": 403},
    ),
]


def _cases():
    for step, body, start, reached, expect in STEPS:
        for user in USERS:
            code = expect.get(user, expect["*"])
            yield pytest.param(step, body, start, reached, user, code, id=f"{step} from {start} as {user}")


@pytest.fixture
def check(world):
    EnrolmentFactory(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR)
    return SelfCheck.objects.get(community=world.c1, year=YEAR)


def state(check):
    row = SelfCheck.objects.get(pk=check.pk)
    return (row.status, row.judgements, row.score, row.level, row.snapshot, SelfCheckEvent.objects.count())


def post(api, world, user, check, step, body):
    client = api if user == "anon" else api.as_user(getattr(world, user))
    return client.post(f"/api/v1/self-checks/{check.pk}/{step}/", body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("step,body,start,reached,user,code", list(_cases()))
def test_every_step_for_every_role(world, api, check, step, body, start, reached, user, code):
    if STEP_TABLE[step].judged_first:  # approve and accept wait for their indicators to be judged
        judge_all(check, STEP_TABLE[step].judged_first)
    SelfCheck.objects.filter(pk=check.pk).update(status=start)
    before = state(check)

    response = post(api, world, user, check, step, body)

    assert response.status_code == code, response.content[:300]
    if code != 200:
        assert state(check) == before
        return
    row = SelfCheck.objects.get(pk=check.pk)
    assert response.json()["status"] == row.status == reached
    event = SelfCheckEvent.objects.get(self_check=check)
    assert (event.step, event.from_status, event.to_status, event.actor) == (
        {"review": body.get("decision"), "accept": "reject"}.get(step, step)
        if step in ("review", "accept")
        else step,
        start,
        reached,
        getattr(world, user),
    )


# The role that may take each step (judge: the district's evidence indicator, as the bodies below).
ALLOWED = {
    "submit": "clerk",
    "review": "reviewer",
    "judge": "reviewer",
    "accept": "officer",
    "reopen": "officer",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "step,body,wrong",
    [
        ("submit", {}, [S.SUBMITTED, S.DISTRICT_APPROVED, S.ACCEPTED, S.REJECTED]),
        ("review", {"decision": "approve"}, [S.DRAFT, S.RETURNED, S.DISTRICT_APPROVED, S.ACCEPTED]),
        (
            "judge",
            {"indicator": "U-CHARTER", "passed": False, "note": "缺公约"},
            [S.DRAFT, S.DISTRICT_APPROVED, S.ACCEPTED],
        ),
        (
            "accept",
            {"designation": "rejected", "comment": "不通过"},
            [S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.REJECTED],
        ),
        ("reopen", {"reason": "复核"}, [S.DRAFT, S.SUBMITTED, S.RETURNED]),
    ],
)
def test_a_step_out_of_order_is_409_and_changes_nothing(world, api, check, step, body, wrong):
    for status in wrong:
        SelfCheck.objects.filter(pk=check.pk).update(status=status)
        before = state(check)
        response = post(api, world, ALLOWED[step], check, step, body)
        assert response.status_code == 409, (status, response.content)
        assert "detail" in response.json()
        assert state(check) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,step,body,field",
    [
        ("reviewer", "review", {"decision": "return"}, "comment"),
        ("reviewer", "review", {"decision": "maybe"}, "decision"),
        ("reviewer", "judge", {"indicator": "U-AREA", "passed": True}, "indicator"),
        ("reviewer", "judge", {"indicator": "X-NONE", "passed": True}, "indicator"),
        ("reviewer", "judge", {"indicator": "U-ELECTED"}, "passed"),  # all-or-nothing
        ("reviewer", "judge", {"indicator": "U-CHARTER"}, "earned"),  # graded
        ("reviewer", "judge", {"indicator": "U-CHARTER", "earned": 1}, "note"),  # below full marks
        ("reviewer", "reopen", {}, "reason"),
    ],
)
def test_bad_input_is_400_by_field_and_changes_nothing(world, api, check, user, step, body, field):
    SelfCheck.objects.filter(pk=check.pk).update(
        status=S.DISTRICT_APPROVED if step == "reopen" else S.SUBMITTED
    )
    before = state(check)
    response = post(api, world, user, check, step, body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert state(check) == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"null", b"[]", b'"approve"'])
def test_a_body_that_is_no_object_names_no_field_and_keeps_the_refusal_order(world, api, check, raw):
    # Found by `make fuzz`: a JSON `null` body was a 500 at every step.
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    before = state(check)
    url = f"/api/v1/self-checks/{check.pk}/review/"
    response = api.as_user(world.reviewer).post(url, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["decision"]
    assert api.as_user(world.clerk_t3).post(url, raw, content_type="application/json").status_code == 404
    assert api.as_user(world.officer).post(url, raw, content_type="application/json").status_code == 403
    assert state(check) == before


@pytest.mark.django_db
@pytest.mark.parametrize("visited_on", [20240501, ["2024-05-01"], True])
def test_a_site_visit_date_that_is_no_string_is_a_400_on_the_field(world, api, check, visited_on):
    # Found by `make fuzz`: a number for the date reached Django's date parsing as a TypeError (a 500).
    SelfCheck.objects.filter(pk=check.pk).update(status=S.DISTRICT_APPROVED)
    before = state(check)
    body = {"visited_on": visited_on, "questionnaire_sample": 30, "satisfaction_score": "90"}
    response = post(api, world, "officer", check, "site-visit", body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["visited_on"]
    assert state(check) == before and not SiteVisit.objects.exists()


@pytest.mark.django_db
def test_submit_needs_the_community_enrolled_that_year(world, api, check):
    Enrolment.objects.all().delete()
    response = post(api, world, "clerk", check, "submit", {})
    assert response.status_code == 409
    assert response.json()["detail"] == f"该社区未列入{YEAR}年创建活动,不能提交审核。"
    assert SelfCheck.objects.get(pk=check.pk).status == S.DRAFT


@pytest.mark.django_db
def test_the_city_cannot_judge_evidence_nor_the_district_a_site_indicator(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    assert (
        post(api, world, "officer", check, "judge", {"indicator": "U-CHARTER", "passed": True}).status_code
        == 403
    )
    SelfCheck.objects.filter(pk=check.pk).update(status=S.DISTRICT_APPROVED)
    assert (
        post(api, world, "reviewer", check, "judge", {"indicator": "U-SATISF", "passed": True}).status_code
        == 403
    )


@pytest.mark.django_db
def test_judging_moves_the_score_and_the_proposed_level_at_once(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    before = SelfCheck.objects.get(pk=check.pk)

    body = post(
        api, world, "reviewer", check, "judge", {"indicator": "U-CHARTER", "passed": True, "note": "齐全"}
    ).json()
    charter = next(r for r in body["results"] if r["indicator"] == "U-CHARTER")
    assert charter == {
        "indicator": "U-CHARTER",
        "passed": True,
        "value": None,
        "expected": None,
        "note": "齐全",
        "earned": charter["points"],  # passed: full marks, whatever the sheet gives the item
        "points": charter["points"],
        "applicable": True,
    }
    assert charter["points"] > 0
    assert body["score"] > float(before.score)

    body = post(
        api, world, "reviewer", check, "judge", {"indicator": "U-CHARTER", "passed": False, "note": "缺公约"}
    ).json()
    assert body["score"] == float(before.score)
    assert "U-CHARTER" in SelfCheck.objects.get(pk=check.pk).failed
    assert body["proposed_level"] == "none"


# Real commits: the record change reaches the self-check when its transaction commits.
@pytest.mark.django_db(transaction=True)
def test_approval_keeps_a_snapshot_and_a_later_record_change_is_flagged(world, api, check):
    judge_all(check, Indicator.Check.EVIDENCE)
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    assert (
        post(api, world, "reviewer", check, "review", {"decision": "approve", "comment": "同意"}).status_code
        == 200
    )
    row = SelfCheck.objects.get(pk=check.pk)
    assert row.snapshot["results"] == row.results
    assert [c["fields"]["name"] for c in row.snapshot["records"]["community"]] == [world.c1.name]
    assert row.changed_since_approval is False

    with transaction.atomic():
        FacilityFactory(
            community=world.c1, kind="service_station", name="新站", area_m2=400, activity_area_m2=300
        )

    row = SelfCheck.objects.get(pk=check.pk)
    assert row.changed_since_approval is True
    assert row.results == row.snapshot["results"]  # locked: not re-evaluated
    assert row.status == S.DISTRICT_APPROVED


@pytest.mark.django_db
def test_returned_self_check_is_corrected_and_resubmitted(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    assert (
        post(
            api, world, "reviewer", check, "review", {"decision": "return", "comment": "补充材料"}
        ).status_code
        == 200
    )
    assert post(api, world, "clerk", check, "submit", {}).status_code == 200
    steps = list(SelfCheckEvent.objects.filter(self_check=check).values_list("step", "comment"))
    assert steps == [("return", "补充材料"), ("submit", "")]
    events = api.as_user(world.reader_d1).get(f"/api/v1/self-checks/{check.pk}/events/").json()
    assert [e["step"] for e in events] == ["return", "submit"]


@pytest.mark.django_db
def test_acceptance_refuses_a_title_above_the_level_and_asks_a_reason_below_the_proposal(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(
        status=S.DISTRICT_APPROVED, level="qualified", proposed_level="model"
    )
    above = post(api, world, "officer", check, "accept", {"designation": "model"})
    assert above.status_code == 400 and "designation" in above.json()
    below = post(api, world, "officer", check, "accept", {"designation": "qualified"})
    assert below.status_code == 400 and list(below.json()) == ["comment"]
    unknown = post(api, world, "officer", check, "accept", {"designation": "premium"})
    assert unknown.status_code == 400 and "designation" in unknown.json()
    assert SelfCheck.objects.get(pk=check.pk).status == S.DISTRICT_APPROVED


# ---- the steps that wait for judgements: approve (evidence indicators) and accept (site indicators) ----


def judge_by_api(api, user, check, codes):
    """Each item at full marks through the API: `judge/`, or for a satisfaction item (scored by the site
    visit's figure through its band table) a `site-visit/` whose figure is the top band's floor."""
    client = api.as_user(user)
    by_code = evaluator_for(check.edition).by_code
    for code in codes:
        indicator = by_code[code]
        if indicator.method == sheet.Method.SATISFACTION:
            top = max(band["min"] for band in indicator.scoring_params["bands"])
            body = {
                "visited_on": str(timezone.localdate()),
                "questionnaire_sample": 30,
                "satisfaction_score": top,
            }
            response = client.post(f"/api/v1/self-checks/{check.pk}/site-visit/", body, format="json")
        else:
            body = {"indicator": code, "passed": True}
            response = client.post(f"/api/v1/self-checks/{check.pk}/judge/", body, format="json")
        assert response.status_code == 200, response.content[:300]


@pytest.mark.django_db
def test_approve_is_409_naming_the_unjudged_evidence_indicators_and_changes_nothing(world, api, check):
    evidence = codes_of(check, Indicator.Check.EVIDENCE)
    assert len(evidence) > 1
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    before = state(check)

    refused = post(api, world, "reviewer", check, "review", {"decision": "approve", "comment": "同意"})

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"以下材料审核指标尚未判定,不能审核通过:{'、'.join(evidence)}。",
        "code": "unjudged",
        "indicators": evidence,
    }
    assert state(check) == before
    assert not SelfCheckEvent.objects.filter(self_check=check).exists()

    # One left unjudged still blocks, and is the only one named.
    judge_by_api(api, world.reviewer, check, evidence[:-1])
    refused = post(api, world, "reviewer", check, "review", {"decision": "approve"})
    assert refused.status_code == 409 and refused.json()["indicators"] == evidence[-1:]
    assert evidence[-1] in refused.json()["detail"]
    assert SelfCheck.objects.get(pk=check.pk).status == S.SUBMITTED

    # Judged (failed counts as judged): the approval goes through.
    client = api.as_user(world.reviewer)
    failed = client.post(
        f"/api/v1/self-checks/{check.pk}/judge/",
        {"indicator": evidence[-1], "passed": False, "note": "材料缺失"},
        format="json",
    )
    assert failed.status_code == 200, failed.content[:300]
    approved = post(api, world, "reviewer", check, "review", {"decision": "approve"})
    assert approved.status_code == 200 and approved.json()["status"] == S.DISTRICT_APPROVED
    assert SelfCheckEvent.objects.filter(self_check=check, step="approve").count() == 1


@pytest.mark.django_db
def test_return_goes_through_with_unjudged_evidence_indicators(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    response = post(api, world, "reviewer", check, "review", {"decision": "return", "comment": "补充材料"})
    assert response.status_code == 200 and response.json()["status"] == S.RETURNED


@pytest.mark.django_db
def test_the_unjudged_guard_comes_after_scope_role_input_and_status(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    assert post(api, world, "other_officer", check, "review", {"decision": "approve"}).status_code == 404
    assert post(api, world, "reader", check, "review", {"decision": "approve"}).status_code == 403
    assert post(api, world, "reviewer", check, "review", {"decision": "maybe"}).status_code == 400
    SelfCheck.objects.filter(pk=check.pk).update(status=S.DRAFT)
    out_of_order = post(api, world, "reviewer", check, "review", {"decision": "approve"})
    assert out_of_order.status_code == 409 and out_of_order.json() == {
        "detail": "自查当前为“草稿”,不能审核。"
    }


@pytest.mark.django_db
@pytest.mark.parametrize("designation", ["rejected", "reached"])
def test_accept_is_409_naming_the_unjudged_site_indicators_for_every_decision(world, api, check, designation):
    site = codes_of(check, Indicator.Check.SITE)
    assert site
    judge_all(check, Indicator.Check.EVIDENCE)
    SelfCheck.objects.filter(pk=check.pk).update(status=S.DISTRICT_APPROVED)
    if designation == "reached":  # a title the self-check has reached (c1's records reach none)
        designation = check.edition.levels[0]
        SelfCheck.objects.filter(pk=check.pk).update(level=designation, proposed_level=designation)
    row = SelfCheck.objects.get(pk=check.pk)
    before = state(check)

    body = {"designation": designation, "comment": "验收意见"}
    refused = post(api, world, "officer", check, "accept", body)

    assert refused.status_code == 409, (row.level, row.proposed_level, refused.content.decode())
    assert refused.json() == {
        "detail": f"以下实地评估指标尚未判定,不能验收:{'、'.join(site)}。",
        "code": "unjudged",
        "indicators": site,
    }
    assert state(check) == before
    assert not SelfCheckEvent.objects.filter(self_check=check).exists()

    judge_by_api(api, world.officer, check, site)
    row = SelfCheck.objects.get(pk=check.pk)
    if designation != "rejected":  # the title as high as the judged self-check reaches
        body["designation"] = row.level if row.level in row.edition.levels else "rejected"
    accepted = post(api, world, "officer", check, "accept", body)
    assert accepted.status_code == 200, accepted.content[:300]
    assert accepted.json()["status"] in (S.ACCEPTED, S.REJECTED)
