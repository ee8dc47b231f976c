"""An export job end to end: API → Celery → Job row → downloadable workbook.

The same test runs in both CI passes:
- SQLite pass (`make test`): CELERY_TASK_ALWAYS_EAGER is on. The test is `transaction=True`, so the
  request's transaction really commits and `delay_on_commit` runs the task in-process.
- PostgreSQL pass (`.ci/run`): REDIS_URL is set, so the task goes through the Redis broker to a separate
  `celery worker` process that `.ci/run` starts against pytest-django's test database. The job's
  `worker` field then holds that worker's node name ("name@host"), which an in-process run never has.
"""

import re
import time
from io import BytesIO
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from openpyxl import load_workbook

from communities.models import Community
from core import exports, tasks
from core.models import Job

POLL_TIMEOUT = 60  # seconds
POLL_INTERVAL = 0.2
CJK = re.compile(r"[\u4e00-\u9fff]")

# Monkeypatching reaches only this process; a separate worker would run the real code.
eager_only = pytest.mark.skipif(
    "not settings.CELERY_TASK_ALWAYS_EAGER",
    reason="patches the export in this process; with a real broker the task runs in the separate worker",
)


@pytest.fixture(autouse=True)
def _fast_setup(settings, tmp_path):
    # `world` creates seven users; the production hasher would spend seconds on their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Keep result files out of ./var. Not with a separate worker: it writes to its own MEDIA_ROOT
    # (.ci/run gives both processes one throwaway PORTAL_VAR_DIR) and this process must read that file.
    if settings.CELERY_TASK_ALWAYS_EAGER:
        settings.MEDIA_ROOT = tmp_path / "private"


def _wait_for_job(client, job_id: int) -> dict:
    """Poll the job API the way the browser and API clients do until the job has ended."""
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        response = client.get(f"/api/v1/jobs/{job_id}/")
        assert response.status_code == 200, response.content
        body = response.json()
        if body["state"] in (Job.State.DONE, Job.State.FAILED):
            return body
        if time.monotonic() > deadline:
            pytest.fail(
                f"job {job_id} still {body['state']!r} after {POLL_TIMEOUT}s. Is a Celery worker consuming "
                f"{settings.CELERY_BROKER_URL} with DATABASE_URL pointing at the test database "
                f"{connection.settings_dict['NAME']!r}? (.ci/run starts one.)"
            )
        time.sleep(POLL_INTERVAL)


def _start_export(api, user) -> int:
    response = api.as_user(user).post("/api/v1/communities/export/")
    assert response.status_code == 202, response.content
    return response.json()["job"]


@pytest.mark.django_db(transaction=True)
def test_clerk_export_runs_as_job_and_downloads_only_the_clerks_communities(world, api, client):
    job_id = _start_export(api, world.clerk)

    body = _wait_for_job(api, job_id)
    assert body["state"] == Job.State.DONE, body["errors"]
    assert body["errors"] == []
    assert body["result_url"]

    job = Job.objects.get(pk=job_id)
    assert job.owner == world.clerk
    assert job.finished_at is not None
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # Proof that the task crossed the broker: a worker process names itself "name@host";
        # an in-process run records the bare host name (or "eager").
        assert job.worker, "the worker did not record its name on the job"
        assert job.worker != "eager"
        assert "@" in job.worker, f"job.worker={job.worker!r} is not a Celery worker node name"

    path = urlparse(body["result_url"]).path
    assert path == f"/api/v1/jobs/{job_id}/result/"
    download = api.get(path)  # with the clerk's token, as `_start_export` left it
    assert download.status_code == 200
    assert ".xlsx" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)

    sheet = load_workbook(BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert "社区名称" in header, header
    assert all(CJK.search(title) for title in header), header
    ids = {row[header.index("系统ID")] for row in rows[1:]}
    names = {row[header.index("社区名称")] for row in rows[1:]}

    visible = set(Community.objects.visible_to(world.clerk).values_list("pk", flat=True))
    assert ids == visible == {world.c1.pk}
    assert world.c1.name in names
    for hidden in (world.c2, world.c3, world.c_other):
        assert hidden.pk not in ids
        assert hidden.name not in names
    assert job.total == len(rows) - 1 == 1


@eager_only
@pytest.mark.django_db(transaction=True)
def test_failing_export_marks_job_failed_with_chinese_message(world, api, monkeypatch):
    def broken_export(job):
        raise ValueError("模板损坏")

    monkeypatch.setattr(exports, "write_workbook", broken_export)
    job_id = _start_export(api, world.clerk)

    body = _wait_for_job(api, job_id)
    assert body["state"] == Job.State.FAILED
    assert body["result_url"] is None
    assert len(body["errors"]) == 1
    message = body["errors"][0]
    assert CJK.search(message), message
    assert "导出失败" in message and "模板损坏" in message

    job = Job.objects.get(pk=job_id)
    assert job.state == Job.State.FAILED
    assert job.finished_at is not None
    assert not job.result


@pytest.mark.django_db
def test_export_task_retries_after_transient_database_error(world, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    # `apply()` runs the task (and its retries) in this process in both passes, so no broker is involved.
    real_write_workbook = exports.write_workbook
    calls = []

    def flaky_write_workbook(job):
        calls.append(job.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_write_workbook(job)

    monkeypatch.setattr(exports, "write_workbook", flaky_write_workbook)
    job = Job.objects.create(
        owner=world.clerk, kind=Job.Kind.EXPORT, params={"list": "communities", "query": {}}
    )

    result = tasks.run_export.apply(args=[job.pk])

    assert result.successful(), result.traceback
    assert calls == [job.pk, job.pk]
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.errors == []
    assert job.result.name.endswith(".xlsx")
    assert job.total == 1


@pytest.mark.django_db
def test_export_that_never_recovers_is_marked_failed(world, monkeypatch):
    def always_down(job):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(exports, "write_workbook", always_down)
    job = Job.objects.create(
        owner=world.clerk, kind=Job.Kind.EXPORT, params={"list": "communities", "query": {}}
    )

    result = tasks.run_export.apply(args=[job.pk])

    assert result.failed()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.errors and "数据库多次暂时不可用" in job.errors[0]
