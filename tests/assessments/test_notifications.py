"""Who is told about each step of a self-check, and the U-FILE reminder's inbox copy."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments import reminders
from assessments.models import SelfCheck, SelfCheckEvent
from assessments.notifications import on_event
from core.models import Notification
from core.roles import Role
from demo.factories import CommunityFactory, UserFactory
from designations.models import Designation
from standards.models import StandardEdition

YEAR = timezone.localdate().year
Step = SelfCheckEvent.Step
Status = SelfCheck.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """c1 (幸福社区, town t1 in district d1) with more users around it: a second clerk of t1, an
    inactive clerk of t1, a clerk of the sibling town t2, a reviewer of the other district d2, a
    second city officer and the other city's officer (already in `world`)."""
    world.reviewer.full_name = "张三"
    world.reviewer.save()
    world.officer.full_name = "王五"
    world.officer.save()
    world.clerk.full_name = "李四"
    world.clerk.email = "clerk@example.cn"
    world.clerk.save()
    world.clerk2 = UserFactory(username="clerk2", unit=world.t1, role=Role.TOWN_CLERK)
    world.clerk_gone = UserFactory(
        username="clerk_gone", unit=world.t1, role=Role.TOWN_CLERK, is_active=False
    )
    world.clerk_t2 = UserFactory(username="clerk_t2", unit=world.t2, role=Role.TOWN_CLERK)
    world.reviewer2 = UserFactory(username="reviewer2", unit=world.d1, role=Role.DISTRICT_REVIEWER)
    world.reviewer_d2 = UserFactory(username="reviewer_d2", unit=world.d2, role=Role.DISTRICT_REVIEWER)
    world.officer2 = UserFactory(username="officer2", unit=world.city, role=Role.CITY_OFFICER)
    world.self_check = SelfCheck.objects.create(
        community=world.c1, year=YEAR, edition=StandardEdition.objects.current_for(world.tenant.pk, "urban")
    )
    return world


def event(world, step, actor, from_status, to_status, comment=""):
    return SelfCheckEvent.objects.create(
        self_check=world.self_check,
        step=step,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        comment=comment,
    )


def told(notifications) -> set[str]:
    return {n.recipient.username for n in notifications}


def test_submit_tells_the_districts_active_reviewers(chain):
    created = on_event(event(chain, Step.SUBMIT, chain.clerk, Status.DRAFT, Status.SUBMITTED))
    assert told(created) == {"reviewer", "reviewer2"}
    assert created[0].title == f"幸福社区{YEAR}年度自查已提交区县审核(提交人:李四)"


def test_return_tells_the_towns_clerks_with_the_comment(chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = on_event(
            event(chain, Step.RETURN, chain.reviewer, Status.SUBMITTED, Status.RETURNED, comment="材料不全")
        )

    assert told(created) == {"clerk", "clerk2"}  # not the inactive one, not t2's clerk
    note = created[0]
    assert note.title == f"幸福社区{YEAR}年度自查已退回:材料不全(审核人:张三)"
    assert note.link == f"/self-checks/{chain.self_check.pk}/"
    # The body adds to the subject rather than repeating it.
    assert note.title not in note.body and note.body.startswith("意见:材料不全\n")
    assert "东城区东华街道 幸福社区" in note.body and "已提交 → 已退回" in note.body
    assert [(m.to, m.subject) for m in mail.outbox] == [(["clerk@example.cn"], note.title)]


def test_approve_tells_the_citys_officers_and_the_towns_clerks(chain):
    created = on_event(event(chain, Step.APPROVE, chain.reviewer, Status.SUBMITTED, Status.DISTRICT_APPROVED))
    assert told(created) == {"officer", "officer2", "clerk", "clerk2"}  # not the other city's officer
    assert created[0].title == f"幸福社区{YEAR}年度自查已通过区县审核(审核人:张三)"


@pytest.mark.parametrize("step, to_status", [(Step.ACCEPT, Status.ACCEPTED), (Step.REJECT, Status.REJECTED)])
def test_the_citys_decision_tells_the_clerks_and_the_reviewers(chain, step, to_status):
    created = on_event(event(chain, step, chain.officer, Status.DISTRICT_APPROVED, to_status, comment="意见"))
    assert told(created) == {"clerk", "clerk2", "reviewer", "reviewer2"}
    assert "officer2" not in told(created) and "reviewer_d2" not in told(created)
    assert created[0].title.endswith(":意见(验收人:王五)")


def test_an_acceptance_names_the_title_awarded(chain):
    Designation.objects.create(
        community=chain.c1,
        scope_unit=chain.t1,
        self_check=chain.self_check,
        year=YEAR,
        title=Designation.Title.MODEL,
        issued_on=date.today(),
        valid_until=date.today() + timedelta(days=365 * 3),
        issued_by=chain.officer,
        code="TEST0001",
    )
    created = on_event(event(chain, Step.ACCEPT, chain.officer, Status.DISTRICT_APPROVED, Status.ACCEPTED))
    assert created[0].title == f"幸福社区{YEAR}年度自查已通过市级验收,授予“示范”称号(验收人:王五)"
    # The body names the title and the certificate: its code as printed and where to check it.
    body = created[0].body
    assert f"称号:{YEAR}年度“示范”" in body
    assert "证书核验码:TEST-0001" in body and "/verify/TEST-0001/" in body


def test_accepting_through_the_workflow_names_the_title_and_certificate(chain, api):
    """The title is issued before the acceptance is recorded, so the clerks' message carries it."""
    from assessments import workflow

    SelfCheck.objects.filter(pk=chain.self_check.pk).update(
        status=Status.DISTRICT_APPROVED, level="qualified", proposed_level="qualified", results=[]
    )
    workflow.accept(chain.officer, chain.self_check.pk, designation="qualified")
    designation = Designation.objects.get(self_check=chain.self_check)
    note = Notification.objects.get(recipient=chain.clerk, title__contains="已通过市级验收")
    assert "授予“合格”称号" in note.title
    assert f"证书核验码:{designation.code_display}" in note.body and designation.verify_path in note.body


def test_reopen_by_the_city_tells_both_tiers_below(chain):
    created = on_event(
        event(chain, Step.REOPEN, chain.officer, Status.ACCEPTED, Status.DISTRICT_APPROVED, comment="复核")
    )
    assert told(created) == {"clerk", "clerk2", "reviewer", "reviewer2"}
    assert created[0].title == f"幸福社区{YEAR}年度自查已撤回重审,回到“区县已审核”:复核(操作人:王五)"


def test_reopen_by_the_district_tells_the_town_only(chain):
    created = on_event(
        event(chain, Step.REOPEN, chain.reviewer, Status.DISTRICT_APPROVED, Status.SUBMITTED, comment="重审")
    )
    assert told(created) == {"clerk", "clerk2"}


@pytest.mark.parametrize("step", [Step.JUDGE, Step.SITE_VISIT])
def test_judging_and_site_visits_tell_nobody(chain, step):
    assert on_event(event(chain, step, chain.reviewer, Status.SUBMITTED, Status.SUBMITTED)) == []
    assert not Notification.objects.exists()


def test_the_actor_is_never_told_of_their_own_step(chain):
    # contrived (a clerk cannot return), but it shows the rule: the actor is left out of the audience
    created = on_event(event(chain, Step.RETURN, chain.clerk, Status.SUBMITTED, Status.RETURNED, "x"))
    assert told(created) == {"clerk2"}


def test_a_long_comment_is_cut_in_the_title_and_whole_in_the_body(chain):
    comment = "缺" * 300
    (note, *_) = on_event(
        event(chain, Step.RETURN, chain.reviewer, Status.SUBMITTED, Status.RETURNED, comment)
    )
    assert len(note.title) < 200 and "…" in note.title
    assert comment in note.body


def test_nobody_to_tell_writes_nothing(world):
    lone = CommunityFactory(unit=world.t2, name="孤单社区")
    self_check = SelfCheck.objects.create(
        community=lone, year=YEAR, edition=StandardEdition.objects.current_for(world.tenant.pk, "urban")
    )
    step = SelfCheckEvent.objects.create(
        self_check=self_check,
        step=Step.RETURN,
        from_status=Status.SUBMITTED,
        to_status=Status.RETURNED,
        actor=world.reviewer,
        comment="退回",
    )
    assert on_event(step) == []  # t2 has no clerk


# --- U-FILE reminders also land in the inbox ------------------------------------------------------


def test_filing_reminder_reaches_every_active_reviewer_in_app(world, settings):
    settings.FILING_REMINDER_DAYS = [7]
    world.reviewer.email = "reviewer@example.cn"
    world.reviewer.save()
    UserFactory(username="reviewer_no_mail", unit=world.d1, role=Role.DISTRICT_REVIEWER)
    UserFactory(username="reviewer_gone", unit=world.d1, role=Role.DISTRICT_REVIEWER, is_active=False)
    CommunityFactory(unit=world.t1, name="新成立社区", established_on=date(YEAR, 1, 10))

    assert reminders.send_filing_reminders(date(YEAR, 11, 23)) == 1  # still one e-mail

    assert [m.to for m in mail.outbox] == [["reviewer@example.cn"]]
    notes = Notification.objects.all()
    assert {n.recipient.username for n in notes} == {"reviewer", "reviewer_no_mail"}
    assert all("新成立社区" in n.body and f"{YEAR}年11月30日" in n.title for n in notes)
    assert all(n.link == f"/communities/?unit={world.d1.pk}" for n in notes)


def test_filing_reminder_without_any_address_is_still_in_app(world, settings):
    settings.FILING_REMINDER_DAYS = [7]
    CommunityFactory(unit=world.t1, name="新成立社区", established_on=date(YEAR, 1, 10))

    assert reminders.send_filing_reminders(date(YEAR, 11, 23)) == 0
    assert mail.outbox == []
    assert [n.recipient for n in Notification.objects.all()] == [world.reviewer]
