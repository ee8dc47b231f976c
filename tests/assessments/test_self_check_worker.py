"""A self-check run end to end: API → Celery → chunks → self-checks, polled at jobs/{id}/.

In the PostgreSQL pass of `.ci/run` the tasks cross the Redis broker to a separate `celery worker`
process (the job then records the worker's node name); in the SQLite pass they run in-process."""

import time

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import Job
from demo.factories import shipped_edition

YEAR = timezone.localdate().year
POLL_TIMEOUT = 60


def wait(api, job_id):
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        body = api.get(f"/api/v1/jobs/{job_id}/").json()
        if body["state"] in (Job.State.DONE, Job.State.FAILED):
            return body
        assert time.monotonic() < deadline, f"job {job_id} still {body['state']} after {POLL_TIMEOUT}s"
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_district_run_through_the_worker_judges_every_community_of_the_district(world, api):
    client = api.as_user(world.reviewer)
    response = client.post("/api/v1/self-checks/run/", {"year": YEAR}, format="json")
    assert response.status_code == 202, response.content

    body = wait(client, response.json()["job"])

    assert body["state"] == Job.State.DONE, body["errors"]
    assert (body["done"], body["total"], body["errors"]) == (2, 2, [])
    job = Job.objects.get(pk=body["id"])
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        assert "@" in job.worker, f"job.worker={job.worker!r} is not a Celery worker node name"
    checks = client.get(f"/api/v1/self-checks/?year={YEAR}&unit={world.d1.pk}").json()
    assert checks["count"] == 2
    assert {row["community"] for row in checks["results"]} == {world.c1.pk, world.c2.pk}
    for row in checks["results"]:
        assert row["status"] == "draft" and row["level"] == "none"
        assert len(row["results"]) == len(shipped_edition("U").indicators.all()) and row["gaps"]
