"""Redis down: pages still answer, and a job that cannot be queued is refused clearly, never left queued.

Redis is "down" for real here: the settings the portal gets with REDIS_URL set are evaluated with that
URL on a local port where nothing listens, and their cache and Celery broker settings are applied, so
each cache call and each publish meets a refused connection. (`make drill-redis-down` does the same
against a running server, stopping a Redis of its own.)
"""

import io
import os
import runpy
import socket
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from communities.models import Community
from core.exceptions import JobsUnavailable
from core.models import Job

from ..communities.test_import import GOOD_COMMUNITY, workbook

UNAVAILABLE = JobsUnavailable.message


def _closed_port() -> int:
    """A local port nothing listens on: one the system just handed out and that was closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_mode():
    """config/settings.py as evaluated with REDIS_URL pointing at a dead Redis (and no CACHE_URL)."""
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    with mock.patch.dict(os.environ, {"REDIS_URL": url}):
        os.environ.pop("CACHE_URL", None)
        values = runpy.run_path(str(Path(django_settings.BASE_DIR) / "config" / "settings.py"))
    return values


@pytest.fixture
def cache_down(settings, redis_mode):
    settings.CACHES = redis_mode["CACHES"]
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = redis_mode["DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS"]
    if "SESSION_ENGINE" in redis_mode:
        settings.SESSION_ENGINE = redis_mode["SESSION_ENGINE"]


@pytest.fixture
def broker_down(redis_mode):
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    app.conf.broker_url = redis_mode["CELERY_BROKER_URL"]
    app.conf.broker_transport_options = redis_mode["CELERY_BROKER_TRANSPORT_OPTIONS"]
    app.conf.task_always_eager = False
    _drop_connection_pools(app)
    yield
    app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
    _drop_connection_pools(app)


def _drop_connection_pools(app):
    # Celery keeps its broker connections in pools made on first use; dropped, so that the next publish
    # connects to the URL set now.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(cache_down, broker_down):
    """Cache and broker both unreachable, as when the one Redis of a deployment stops."""


def _the_failed_job(kind) -> Job:
    """Exactly one job was created for the attempt, and it is failed with the reason: none is queued."""
    job = Job.objects.get()
    assert (job.kind, job.state, job.errors) == (kind, Job.State.FAILED, [UNAVAILABLE])
    assert job.finished_at is not None
    return job


@pytest.mark.django_db(transaction=True)
class TestPagesWithRedisDown:
    def test_pages_and_the_api_answer_and_the_session_survives(self, world, client, api, redis_down, caplog):
        # A real login: the session is written and read back on every later request without Redis.
        world.officer.set_password("pass-for-the-drill")
        world.officer.save()
        response = client.post("/login/", {"username": "officer", "password": "pass-for-the-drill"})
        assert response.status_code == 302, response.content.decode()[:500]
        for path in ("/", "/communities/", f"/communities/{world.c1.pk}/", "/self-checks/", "/inbox/"):
            page = client.get(path, follow=True)
            assert page.status_code == 200, path
            assert not any(url.startswith("/login/") for url, _ in page.redirect_chain), path
        response = api.as_user(world.officer).get("/api/v1/communities/")  # throttled: counts in the cache
        assert response.status_code == 200 and response.json()["count"] == 3
        # The cache errors were ignored, and said so in the log rather than swallowed silently.
        assert any(record.name.startswith("django_redis") for record in caplog.records)

    def test_an_export_from_a_list_page_is_refused_with_a_message(self, world, client, redis_down):
        client.force_login(world.clerk)
        response = client.post("/exports/communities/", HTTP_REFERER="/communities/", follow=True)
        assert response.redirect_chain[-1][0] == "/communities/"
        assert UNAVAILABLE in response.content.decode()
        _the_failed_job(Job.Kind.EXPORT)

    def test_a_self_check_run_page_is_refused_with_a_message(self, world, client, redis_down):
        client.force_login(world.officer)
        response = client.post(
            "/self-checks/run/", {"year": timezone.localdate().year, "unit": world.city.pk}
        )
        assert response.status_code == 200
        assert UNAVAILABLE in response.content.decode()
        _the_failed_job(Job.Kind.SELF_CHECK)

    def test_an_import_upload_is_refused_with_a_message(self, world, client, redis_down):
        client.force_login(world.clerk)
        upload = io.BytesIO(workbook([GOOD_COMMUNITY]))
        upload.name = "社区.xlsx"
        response = client.post("/communities/import/", {"workbook": upload})
        assert response.status_code == 200
        assert UNAVAILABLE in response.content.decode()
        _the_failed_job(Job.Kind.IMPORT)
        assert not Community.objects.filter(name=GOOD_COMMUNITY[1]).exists()


@pytest.mark.django_db(transaction=True)
class TestApiWithRedisDown:
    def test_an_export_is_503_with_the_reason(self, world, api, redis_down):
        response = api.as_user(world.clerk).post("/api/v1/communities/export/")
        assert response.status_code == 503
        assert response.json() == {"detail": UNAVAILABLE}
        _the_failed_job(Job.Kind.EXPORT)

    def test_a_self_check_run_is_503_with_the_reason(self, world, api, redis_down):
        response = api.as_user(world.reviewer).post(
            "/api/v1/self-checks/run/", {"year": timezone.localdate().year}, format="json"
        )
        assert response.status_code == 503
        assert response.json() == {"detail": UNAVAILABLE}
        _the_failed_job(Job.Kind.SELF_CHECK)

    def test_a_refused_start_is_no_job_at_all_when_the_input_is_bad(self, world, api, redis_down):
        # Bad input is judged first (400) and creates nothing; only an accepted job meets the broker.
        response = api.as_user(world.reviewer).post("/api/v1/self-checks/run/", {"year": 1800}, format="json")
        assert response.status_code == 400
        assert not Job.objects.exists()


def test_the_schema_declares_503_where_a_job_is_started(api, db):
    schema = api.get("/api/schema/?format=json").json()
    for path in ("/api/v1/self-checks/run/", "/api/v1/communities/export/"):
        assert "503" in schema["paths"][path]["post"]["responses"], path
    assert "503" not in schema["paths"]["/api/v1/communities/"]["post"]["responses"]
