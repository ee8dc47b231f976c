"""The review workflow in the browser's pages: the self-check page offers each role its steps, a
posted step goes through the same state machine (404 outside scope, 403 for a role that may not,
the reason shown again for bad input, 409 for a step out of order), and the trail is on the page."""

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments import runs
from assessments.evaluator import evaluator_for
from assessments.models import SelfCheck, SelfCheckEvent, SiteVisit
from core import exports
from demo.factories import EnrolmentFactory
from standards import sheet
from standards.models import Indicator

from .judging import codes_of, judge_all

YEAR = timezone.localdate().year
S = SelfCheck.Status


@pytest.fixture
def check(world):
    runs.evaluate_communities([world.c1.pk], YEAR)
    return SelfCheck.objects.get(community=world.c1, year=YEAR)


def page(client, user, check):
    client.force_login(user)
    return client.get(f"/self-checks/{check.pk}/")


def step(client, check, name, **data):
    return client.post(f"/self-checks/{check.pk}/{name}/", data)


@pytest.mark.django_db
def test_clerk_submits_only_an_enrolled_community(world, client, check):
    response = page(client, world.clerk, check)
    assert response.context["can_submit"] and not response.context["enrolled"]
    assert "未列入" in response.content.decode()
    refused = step(client, check, "submit")
    assert refused.status_code == 409 and "未列入" in refused.content.decode()

    EnrolmentFactory(community=world.c1, year=YEAR)
    assert "提交区县审核" in page(client, world.clerk, check).content.decode()
    assert step(client, check, "submit")["Location"] == f"/self-checks/{check.pk}/"
    assert SelfCheck.objects.get(pk=check.pk).status == S.SUBMITTED
    again = step(client, check, "submit")
    assert again.status_code == 409 and "已提交" in again.content.decode()


@pytest.mark.django_db
def test_reviewer_judges_evidence_then_returns_with_a_comment(world, client, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    response = page(client, world.reviewer, check)
    html = response.content.decode()
    assert 'data-testid="review-form"' in html and 'data-testid="judge-U-CHARTER"' in html
    assert 'data-testid="judge-U-SATISF"' not in html  # a site indicator is the city's

    step(client, check, "judge", indicator="U-CHARTER", passed="true", note="章程齐全")
    assert SelfCheck.objects.get(pk=check.pk).judgements["U-CHARTER"]["passed"] is True

    refused = step(client, check, "review", decision="return")
    assert refused.status_code == 302
    follow = client.get(refused["Location"])
    assert "退回时须填写意见" in follow.content.decode()
    assert SelfCheck.objects.get(pk=check.pk).status == S.SUBMITTED

    step(client, check, "review", decision="return", comment="补充居民公约")
    html = page(client, world.reviewer, check).content.decode()
    assert SelfCheck.objects.get(pk=check.pk).status == S.RETURNED
    assert "补充居民公约" in html and "退回" in html


@pytest.mark.django_db
def test_city_records_the_site_visit_and_rejects_with_a_reason(world, client, check):
    judge_all(check, Indicator.Check.SITE)
    SelfCheck.objects.filter(pk=check.pk).update(status=S.DISTRICT_APPROVED)
    html = page(client, world.officer, check).content.decode()
    assert 'data-testid="site-visit-form"' in html and 'data-testid="accept-form"' in html

    bad = step(
        client,
        check,
        "site-visit",
        visited_on=str(timezone.localdate()),
        questionnaire_sample="50",
        satisfaction_score="120",
    )
    assert "满意度得分须在0至100之间" in client.get(bad["Location"]).content.decode()
    assert not SiteVisit.objects.exists()

    step(
        client,
        check,
        "site-visit",
        visited_on=str(timezone.localdate()),
        forum_held="on",
        forum_participants="12",
        questionnaire_sample="50",
        satisfaction_score="91.5",
        note="居民评价较好",
    )
    visit = SiteVisit.objects.get(self_check=check)
    assert (visit.forum_held, visit.forum_participants, visit.satisfaction_score) == (True, 12, 91.5)

    step(client, check, "accept", designation="rejected", comment="服务站面积不足")
    assert SelfCheck.objects.get(pk=check.pk).status == S.REJECTED
    steps = list(SelfCheckEvent.objects.filter(self_check=check).values_list("step", flat=True))
    assert steps == ["site_visit", "reject"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "code"), [("clerk_t3", 404), ("other_officer", 404), ("reader", 403), ("reviewer", 403)]
)
def test_outsiders_get_404_and_other_roles_403(world, client, check, user, code):
    EnrolmentFactory(community=world.c1, year=YEAR)
    client.force_login(getattr(world, user))
    assert step(client, check, "submit").status_code == code
    assert SelfCheck.objects.get(pk=check.pk).status == S.DRAFT


@pytest.mark.django_db
def test_the_audit_trail_exports(world, client, check, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    EnrolmentFactory(community=world.c1, year=YEAR)
    client.force_login(world.clerk)
    step(client, check, "submit")
    client.force_login(world.reviewer)
    step(client, check, "review", decision="return", comment="补充材料")

    job, errors = exports.start_export(world.reviewer, "self-check-events", {"year": str(YEAR)})
    assert errors is None
    exports.write_workbook(job)
    job.refresh_from_db()
    rows = list(
        load_workbook(BytesIO(job.result.read()), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    header = list(rows[0])
    assert [(r[header.index("步骤")], r[header.index("意见")]) for r in rows[1:]] == [
        ("提交", None),  # an empty comment is an empty cell
        ("退回", "补充材料"),
    ]
    assert {r[header.index("操作人")] for r in rows[1:]} == {str(world.clerk), str(world.reviewer)}


@pytest.mark.django_db
def test_a_community_holding_a_designation_cannot_be_deleted(world, client, api, check):
    from designations import titles

    SelfCheck.objects.filter(pk=check.pk).update(status=S.ACCEPTED)
    titles.issue(
        title="qualified", year=YEAR, user=world.officer, self_check=SelfCheck.objects.get(pk=check.pk)
    )

    client.force_login(world.clerk)
    page_response = client.post(f"/communities/{world.c1.pk}/delete/")
    assert page_response.status_code == 409 and "不能删除" in page_response.content.decode()
    api_response = api.as_user(world.clerk).delete(f"/api/v1/communities/{world.c1.pk}/")
    assert api_response.status_code == 409 and "不能删除" in api_response.json()["detail"]
    assert SelfCheck.objects.filter(pk=check.pk).exists()


@pytest.mark.django_db
def test_reviewer_sees_the_unjudged_evidence_indicators_and_judges_them_in_place(world, client, check):
    evidence = codes_of(check, Indicator.Check.EVIDENCE)
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    response = page(client, world.reviewer, check)
    html = response.content.decode()
    blocked = response.context["unjudged"]["review"]
    assert [indicator.code for indicator in blocked["indicators"]] == evidence
    assert 'data-testid="review-blocked"' in html and blocked["reason"] in html
    for code in evidence:  # each listed with a link to its row, where its judge form is
        assert f'href="#indicator-{code}"' in html and f'id="indicator-{code}"' in html
        assert f'data-testid="judge-{code}"' in html
    assert 'value="approve" id="decision-approve" disabled' in html
    assert 'value="return" id="decision-return" required>' in html  # returning stays open, a choice required

    # Approving anyway (a stale page) is the 409 page naming them; nothing changes.
    refused = step(client, check, "review", decision="approve")
    assert refused.status_code == 409 and "、".join(evidence) in refused.content.decode()
    assert SelfCheck.objects.get(pk=check.pk).status == S.SUBMITTED
    assert not SelfCheckEvent.objects.filter(self_check=check).exists()

    for code in evidence:
        step(client, check, "judge", indicator=code, passed="true", note="材料齐全")
    response = page(client, world.reviewer, check)
    html = response.content.decode()
    assert "review" not in response.context["unjudged"] and 'data-testid="review-blocked"' not in html
    assert 'value="approve" id="decision-approve">' in html
    step(client, check, "review", decision="approve", comment="同意")
    assert SelfCheck.objects.get(pk=check.pk).status == S.DISTRICT_APPROVED


@pytest.mark.django_db
def test_officer_sees_the_unjudged_site_indicators_and_the_accept_button_is_disabled(world, client, check):
    site = codes_of(check, Indicator.Check.SITE)
    judge_all(check, Indicator.Check.EVIDENCE)
    SelfCheck.objects.filter(pk=check.pk).update(status=S.DISTRICT_APPROVED)
    response = page(client, world.officer, check)
    html = response.content.decode()
    blocked = response.context["unjudged"]["accept"]
    assert [indicator.code for indicator in blocked["indicators"]] == site
    assert 'data-testid="accept-blocked"' in html and "不能验收" in blocked["reason"]
    # A satisfaction item waits for the site visit's figure; the others have their judge form.
    by_code = evaluator_for(check.edition).by_code
    satisfaction = [code for code in site if by_code[code].method == sheet.Method.SATISFACTION]
    judged = [code for code in site if code not in satisfaction]
    assert satisfaction and judged
    assert all(f'href="#indicator-{code}"' in html for code in site)
    assert all(f'data-testid="judge-{code}"' in html for code in judged)
    assert not any(f'data-testid="judge-{code}"' in html for code in satisfaction)
    assert 'data-testid="site-visit-form"' in html and "记录实地评估的满意度得分后计分" in html
    assert 'type="submit" disabled aria-describedby="accept-blocked"' in html

    refused = step(client, check, "accept", designation="rejected", comment="不通过")
    assert refused.status_code == 409 and "、".join(site) in refused.content.decode()
    assert SelfCheck.objects.get(pk=check.pk).status == S.DISTRICT_APPROVED

    for code in judged:
        step(client, check, "judge", indicator=code, passed="false", note="实地未见")
    step(
        client,
        check,
        "site-visit",
        visited_on=str(timezone.localdate()),
        questionnaire_sample=30,
        satisfaction_score=50,
    )
    assert SiteVisit.objects.filter(self_check=check).exists()
    response = page(client, world.officer, check)
    assert "accept" not in response.context["unjudged"]
    assert 'data-testid="accept-blocked"' not in response.content.decode()
    step(client, check, "accept", designation="rejected", comment="不通过")
    assert SelfCheck.objects.get(pk=check.pk).status == S.REJECTED


@pytest.mark.django_db
def test_nothing_blocks_for_a_role_that_cannot_take_the_step(world, client, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=S.SUBMITTED)
    response = page(client, world.reader, check)
    assert (
        response.context["unjudged"] == {} and 'data-testid="review-blocked"' not in response.content.decode()
    )
