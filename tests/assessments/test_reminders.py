"""Celery beat's jobs: U-FILE's deadline reminders (the deadline comes from the city's edition) and
the annual run."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from assessments import reminders
from assessments.models import SelfCheck
from core.models import Job
from demo.factories import CommunityFactory
from standards import editing

YEAR = timezone.localdate().year


@pytest.fixture
def unfiled(world):
    world.reviewer.email = "reviewer@example.cn"
    world.reviewer.save()
    return CommunityFactory(unit=world.t1, name="新成立社区", established_on=date(YEAR, 1, 10))


@pytest.mark.django_db
def test_reminder_goes_to_the_district_a_week_before_30_november(world, unfiled, settings):
    settings.FILING_REMINDER_DAYS = [7]
    CommunityFactory(
        unit=world.t2, name="已备案社区", established_on=date(YEAR, 1, 10), filed_on=date(YEAR, 2, 1)
    )

    assert reminders.send_filing_reminders(date(YEAR, 11, 22)) == 0
    assert reminders.send_filing_reminders(date(YEAR, 11, 23)) == 1

    message = mail.outbox[0]
    assert message.to == ["reviewer@example.cn"]
    assert f"{YEAR}年11月30日" in message.subject
    assert "新成立社区" in message.body and "已备案社区" not in message.body


@pytest.mark.django_db
def test_a_city_that_moves_the_deadline_in_its_edition_moves_the_reminders(world, unfiled, settings):
    settings.FILING_REMINDER_DAYS = [1]
    from standards.models import StandardEdition

    shipped = StandardEdition.objects.current_for(None, "urban")
    draft = editing.copy_edition(shipped, world.officer)
    editing.update_indicator(
        draft.indicators.get(code="U-FILE"), world.officer, params={"deadline_month": 12, "deadline_day": 15}
    )
    editing.publish(draft, world.officer)

    assert reminders.filing_deadline(world.tenant.pk, YEAR) == date(YEAR, 12, 15)
    assert reminders.send_filing_reminders(date(YEAR, 11, 29)) == 0
    assert reminders.send_filing_reminders(date(YEAR, 12, 14)) == 1
    assert reminders.filing_deadline(world.other_tenant.pk, YEAR) == date(YEAR, 11, 30)


@pytest.mark.django_db
def test_annual_run_queues_one_city_wide_job_per_city(world, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs = reminders.start_annual_runs()

    assert {job.owner for job in jobs} == {world.officer, world.other_officer}
    assert all(job.params == {"year": YEAR, "unit": job.owner.unit_id} for job in jobs)
    assert set(Job.objects.filter(kind=Job.Kind.SELF_CHECK).values_list("state", flat=True)) == {
        Job.State.DONE
    }
    assert SelfCheck.objects.filter(year=YEAR).count() == 4  # c1, c2, c3 and the other city's community


def test_beat_schedules_both_jobs(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "assessments.tasks.annual_self_checks",
        "assessments.tasks.filing_deadline_reminders",
        "designations.tasks.designation_renewal_reminders",
    }
    assert settings.FILING_REMINDER_DAYS == [14, 7, 1]


@pytest.mark.django_db
def test_a_december_approval_is_reminded_before_next_year_s_deadline(world, unfiled, settings):
    settings.FILING_REMINDER_DAYS = [7]
    CommunityFactory(unit=world.t1, name="去年十二月社区", established_on=date(YEAR - 1, 12, 5))
    CommunityFactory(unit=world.t1, name="去年十月社区", established_on=date(YEAR - 1, 10, 5))

    assert reminders.send_filing_reminders(date(YEAR, 11, 23)) == 1

    body = mail.outbox[0].body
    assert "去年十二月社区" in body and "新成立社区" in body
    assert "去年十月社区" not in body  # its deadline was last year's
