"""Every export is logged (core.ExportLog): who, what (list, filters, rows), when; one row per file.

Every entry point (a list page's 导出Excel, `<list>/export/` in the API, the designation register)
goes through core.exports, which writes the row together with the file. A refused export (bad
filter) writes no file and no row; a job that fails writes no file and no row, its errors stay on
the job.
"""

import datetime

import pytest
from django.utils import timezone

from core import exports
from core.models import ExportLog, Job
from demo.factories import UserFactory

from ..records.cases import CASES


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def run_now(eager_tasks, django_capture_on_commit_callbacks):
    """Run the export task the request queues, in this process, before returning."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def _self_check(world, year=2025):
    from assessments.models import SelfCheck
    from standards.models import StandardEdition

    edition = StandardEdition.objects.current_for(world.tenant.pk, "urban")
    return SelfCheck.objects.create(community=world.c1, year=year, edition=edition)


@pytest.mark.parametrize("name", [name for name, _ in exports.choices()])
def test_every_list_page_export_writes_one_row(world, client, run_now, name):
    spec = exports.get(name)
    client.force_login(world.officer)  # the officer may export every list, the users' too
    before = timezone.now()
    response = run_now(lambda: client.post(f"/exports/{name}/", {}))
    (log,) = ExportLog.objects.all()
    job = Job.objects.get(owner=world.officer)
    assert response["Location"] == f"/jobs/{job.pk}/" and job.state == Job.State.DONE
    assert (log.user, log.unit, log.role, log.job) == (world.officer, world.city, "city_officer", job)
    assert (log.list_name, log.title, log.query) == (name, spec.title, {})
    assert log.rows == spec.model.objects.visible_to(world.officer).count()
    assert before <= log.created_at <= timezone.now()


def test_the_row_counts_and_filters_are_the_exported_ones(world, client, run_now):
    client.force_login(world.reviewer)
    run_now(lambda: client.post("/exports/communities/", {"kind": "urban", "page": "3"}))
    (log,) = ExportLog.objects.all()
    # the filters the file was built with: the page number is no filter
    assert (log.user, log.unit, log.query, log.rows) == (world.reviewer, world.d1, {"kind": "urban"}, 2)


def test_the_designation_register(world, client, run_now):
    from designations import titles

    titles.issue(title="model", year=2025, user=world.officer, self_check=_self_check(world))
    client.force_login(world.clerk)
    run_now(lambda: client.post("/exports/designations/", {"year": "2025"}))
    (log,) = ExportLog.objects.all()
    assert (log.user, log.list_name, log.query, log.rows) == (
        world.clerk,
        "designations",
        {"year": "2025"},
        1,
    )


@pytest.mark.parametrize(
    "user,url,rows",
    [
        ("reviewer", "/api/v1/communities/export/?kind=urban", 2),
        ("clerk", "/api/v1/self-checks/export/?year=2025", 1),
        ("reader", "/api/v1/members/export/", 2),
        ("clerk", "/api/v1/town-recognitions/export/", 0),
    ],
)
def test_api_exports_write_one_row(world, api, run_now, user, url, rows):
    _self_check(world)
    CASES["members"].make(world.c1, phone="13812345678")
    CASES["members"].make(world.c3, phone="")
    response = run_now(lambda: api.as_user(getattr(world, user)).post(url))
    assert response.status_code == 202, response.content
    (log,) = ExportLog.objects.all()
    assert (log.user, log.job_id, log.rows) == (getattr(world, user), response.json()["job"], rows)
    assert log.list_name == url.split("/")[3]


@pytest.mark.parametrize("user,personal_rows", [("clerk", 2), ("officer", 2), ("reader", 0)])
def test_rows_with_personal_data_whole_are_counted(world, client, run_now, user, personal_rows):
    for phone in ("13812345678", "13812345679", ""):
        CASES["members"].make(world.c1, phone=phone)
    client.force_login(getattr(world, user))
    run_now(lambda: client.post("/exports/members/", {}))
    (log,) = ExportLog.objects.all()
    assert (log.rows, log.personal_rows) == (3, personal_rows)


def test_a_refused_export_logs_nothing(world, client, api, run_now):
    """Bad filters: no job, no file, so no row (nothing left the portal)."""
    client.force_login(world.clerk)
    response = run_now(lambda: client.post("/exports/communities/", {"unit": str(world.other_town.pk)}))
    assert response.status_code == 302
    response = run_now(
        lambda: api.as_user(world.clerk).post(f"/api/v1/communities/export/?unit={world.t3.pk}")
    )
    assert response.status_code == 400 and "unit" in response.json()
    assert not Job.objects.exists() and not ExportLog.objects.exists()


def test_a_failed_job_logs_nothing_and_offers_no_file(world, client, run_now, monkeypatch):
    def broken(*args):
        raise ValueError("读取出错")

    monkeypatch.setattr(exports, "export_queryset", broken)
    client.force_login(world.clerk)
    run_now(lambda: client.post("/exports/communities/", {}))
    job = Job.objects.get(owner=world.clerk)
    assert job.state == Job.State.FAILED and "读取出错" in job.errors[0] and not job.result
    assert not ExportLog.objects.exists()


def test_a_file_written_again_keeps_one_row(world, eager_tasks):
    """A redelivered task writes the job's file again: still one row, with the second file's count."""
    job = Job.objects.create(owner=world.clerk, kind=Job.Kind.EXPORT, params={"list": "members", "query": {}})
    exports.write_workbook(job)
    CASES["members"].make(world.c1, phone="13812345678")
    exports.write_workbook(job)
    (log,) = ExportLog.objects.all()
    assert (log.job, log.rows, log.personal_rows) == (job, 1, 1)


class TestLogPage:
    @pytest.fixture
    def logs(self, world):
        def log(user, days_ago=0):
            row = ExportLog.objects.create(
                user=user, unit=user.unit, role=user.role, list_name="members", title="组织成员", rows=3
            )
            ExportLog.objects.filter(pk=row.pk).update(
                created_at=timezone.now() - datetime.timedelta(days=days_ago)
            )
            return row

        return {
            "clerk": log(world.clerk),
            "reviewer": log(world.reviewer, days_ago=10),
            "clerk_t3": log(world.clerk_t3),
            "officer": log(world.officer),
            "other_officer": log(world.other_officer),
        }

    def _shown(self, client, query=""):
        response = client.get(f"/exports/log/{query}")
        assert response.status_code == 200
        return {log.user.username for log in response.context["object_list"]}

    @pytest.mark.parametrize(
        "user,shown",
        [
            ("officer", {"clerk", "reviewer", "clerk_t3", "officer"}),
            ("reviewer", {"clerk", "reviewer"}),  # district D1 and its towns
            ("other_officer", {"other_officer"}),
        ],
    )
    def test_scoped(self, world, client, logs, user, shown):
        client.force_login(getattr(world, user))
        assert self._shown(client) == shown

    @pytest.mark.parametrize("user", ["clerk", "clerk_t3", "reader", "reader_d1"])
    def test_other_roles_are_refused(self, world, client, logs, user):
        client.force_login(getattr(world, user))
        assert client.get("/exports/log/").status_code == 403
        assert "/exports/log/" not in client.get("/").content.decode()

    def test_filters_and_link(self, world, client, logs):
        client.force_login(world.officer)
        page = client.get("/exports/log/").content.decode()
        assert 'href="/exports/log/"' in page and "组织成员" in page
        assert self._shown(client, f"?unit={world.d2.pk}") == {"clerk_t3"}
        assert self._shown(client, "?search=clerk_t") == {"clerk_t3"}
        assert self._shown(client, "?list_name=members") == {"clerk", "reviewer", "clerk_t3", "officer"}
        assert self._shown(client, "?list_name=communities") == set()
        since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        assert self._shown(client, f"?since={since}") == {"clerk", "clerk_t3", "officer"}

    def test_admin_is_read_only(self, world, client, logs):
        root = UserFactory(username="root", unit=None, tenant=None, role="", is_superuser=True, is_staff=True)
        client.force_login(root)
        assert client.get("/admin/core/exportlog/").status_code == 200
        assert client.get(f"/admin/core/exportlog/{logs['clerk'].pk}/change/").status_code == 200
        assert client.get("/admin/core/exportlog/add/").status_code == 403
        assert (
            client.post(f"/admin/core/exportlog/{logs['clerk'].pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        assert ExportLog.objects.count() == 5
