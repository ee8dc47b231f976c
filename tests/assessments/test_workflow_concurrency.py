"""Two district reviewers approving one self-check at the same moment: the row lock lets exactly one
through; the other is told the step is out of order (409), and the audit trail holds one approval."""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import runs, workflow
from assessments.models import SelfCheck, SelfCheckEvent
from core.models import ApiToken
from core.roles import Role
from demo.factories import EnrolmentFactory, UserFactory
from standards.models import Indicator

from .judging import judge_all

YEAR = timezone.localdate().year

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite runs one writer at a time)"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_cannot_both_approve(world, monkeypatch):
    second = UserFactory(username="reviewer2", unit=world.d1, role=Role.DISTRICT_REVIEWER)
    EnrolmentFactory(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR)
    check = judge_all(SelfCheck.objects.get(community=world.c1, year=YEAR), Indicator.Check.EVIDENCE)
    SelfCheck.objects.filter(pk=check.pk).update(status=SelfCheck.Status.SUBMITTED)

    # Hold the lock a moment inside the approving transaction, so that the two requests overlap.
    real_snapshot = workflow.snapshot

    def slow_snapshot(self_check):
        time.sleep(0.5)
        return real_snapshot(self_check)

    monkeypatch.setattr(workflow, "snapshot", slow_snapshot)
    start = threading.Barrier(2)
    codes = []

    def approve(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)[1]}")
        start.wait()
        try:
            response = client.post(
                f"/api/v1/self-checks/{check.pk}/review/", {"decision": "approve"}, format="json"
            )
            codes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (world.reviewer, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(codes) == [200, 409]
    assert SelfCheckEvent.objects.filter(self_check=check, step="approve").count() == 1
    assert SelfCheck.objects.get(pk=check.pk).status == SelfCheck.Status.DISTRICT_APPROVED
    assert connection.vendor == "postgresql"
