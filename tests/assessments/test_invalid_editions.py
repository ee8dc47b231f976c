"""An edition holding a parameter that cannot be evaluated (saved before it was
validated, or written past validation) never stops another city's jobs or reminders, and fails only
its own indicator in the evaluator."""

import logging
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from assessments import reminders
from assessments.evaluator import INVALID_RULE_NOTE
from assessments.models import SelfCheck
from assessments.runs import evaluate_communities
from core.roles import Role
from demo.factories import CommunityFactory, UserFactory
from standards import editing
from standards.models import StandardEdition

YEAR = timezone.localdate().year


def publish_bad_edition(world, params):
    """The city's own urban edition with U-FILE's parameters written past validation."""
    shipped = StandardEdition.objects.current_for(None, "urban")
    draft = editing.copy_edition(shipped, world.officer)
    editing.publish(draft, world.officer)
    draft.indicators.filter(code="U-FILE").update(params=params)  # a queryset update skips save()
    return draft


@pytest.fixture
def bad_city(world):
    return publish_bad_edition(world, {"deadline_month": 11, "deadline_day": 31})


@pytest.mark.django_db
def test_one_city_s_impossible_deadline_does_not_stop_the_other_city_s_reminders(
    world, bad_city, settings, caplog
):
    settings.FILING_REMINDER_DAYS = [7]
    world.reviewer.email = "reviewer@example.cn"
    world.reviewer.save()
    CommunityFactory(unit=world.t1, name="甲新社区", established_on=date(YEAR, 1, 10))
    CommunityFactory(unit=world.other_town, name="乙新社区", established_on=date(YEAR, 1, 10))
    other_reviewer = UserFactory(
        username="other_reviewer_x",
        unit=world.other_town.parent,
        role=Role.DISTRICT_REVIEWER,
        email="yi@example.cn",
    )

    with caplog.at_level(logging.ERROR, logger="assessments.reminders"):
        sent = reminders.send_filing_reminders(date(YEAR, 11, 23))

    assert sent == 1
    assert [message.to for message in mail.outbox] == [[other_reviewer.email]]
    assert "乙新社区" in mail.outbox[0].body
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(failures) == 1
    assert str(world.tenant.pk) in failures[0].getMessage() and failures[0].exc_info


@pytest.mark.django_db
def test_one_city_failing_to_start_its_annual_run_does_not_stop_the_others(world, monkeypatch, caplog):
    started = []

    def start_run(officer, year, city):
        if city.tenant_id == world.tenant.pk:
            raise ValueError("boom")
        started.append(city.pk)
        return object()

    monkeypatch.setattr(reminders, "start_run", start_run)
    with caplog.at_level(logging.ERROR, logger="assessments.reminders"):
        jobs = reminders.start_annual_runs(YEAR)
    assert started == [world.other_city.pk] and len(jobs) == 1
    assert any(str(world.tenant.pk) in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_the_evaluator_fails_only_the_indicator_it_cannot_evaluate(world, bad_city, caplog):
    bad = CommunityFactory(unit=world.t1, name="甲新社区", established_on=date(YEAR, 1, 10))
    good = CommunityFactory(unit=world.other_town, name="乙新社区", established_on=date(YEAR, 1, 10))

    with caplog.at_level(logging.ERROR, logger="assessments.evaluator"):
        report = evaluate_communities([bad.pk, good.pk], YEAR)

    assert report["errors"] == []
    bad_check = SelfCheck.objects.get(community=bad, year=YEAR)
    good_check = SelfCheck.objects.get(community=good, year=YEAR)
    assert bad_check.edition_id == bad_city.pk
    by_code = {result["indicator"]: result for result in bad_check.results}
    assert by_code["U-FILE"] == {
        "indicator": "U-FILE",
        "passed": False,
        "value": None,
        "expected": None,
        "note": INVALID_RULE_NOTE,
        "earned": 0,
        "points": by_code["U-FILE"]["points"],
        "applicable": True,
    }
    assert "U-FILE" in bad_check.failed
    # Every other indicator of the bad city is judged as usual; the good city's U-FILE too.
    shipped_check_results = {r["indicator"]: r for r in good_check.results}
    assert shipped_check_results["U-FILE"]["note"] != INVALID_RULE_NOTE
    assert (
        by_code["U-SIZE"] == shipped_check_results["U-SIZE"] or by_code["U-SIZE"]["note"] != INVALID_RULE_NOTE
    )
    assert [r["indicator"] for r in bad_check.results if r["note"] == INVALID_RULE_NOTE] == ["U-FILE"]
    assert set(bad_check.results[0]) == {
        "indicator",
        "passed",
        "value",
        "expected",
        "note",
        "earned",
        "points",
        "applicable",
    }
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(failures) == 1 and "U-FILE" in failures[0].getMessage()
    assert f"city {world.tenant.pk}" in failures[0].getMessage()


@pytest.mark.django_db
def test_a_threshold_that_cannot_be_compared_fails_only_its_indicator(world):
    edition = publish_bad_edition(world, {"deadline_month": 11, "deadline_day": 30})
    edition.indicators.filter(code="U-SIZE").update(threshold="两千")
    community = CommunityFactory(unit=world.t1, name="甲社区二")
    evaluate_communities([community.pk], YEAR)
    results = {r["indicator"]: r for r in SelfCheck.objects.get(community=community, year=YEAR).results}
    assert results["U-SIZE"]["note"] == INVALID_RULE_NOTE and results["U-SIZE"]["passed"] is False
    assert results["U-FILE"]["note"] != INVALID_RULE_NOTE
