"""The user's own background jobs at /jobs/: state, progress and the way to each result; another
user's job stays out of the list and its page is a 404 to an outsider; a finished job says so."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core.models import Job


@pytest.fixture
def jobs(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    export = Job.objects.create(
        owner=world.clerk,
        kind=Job.Kind.EXPORT,
        state=Job.State.DONE,
        total=3,
        done=3,
        finished_at=timezone.now(),
    )
    export.result.save("社区.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    run = Job.objects.create(
        owner=world.clerk,
        kind=Job.Kind.SELF_CHECK,
        state=Job.State.RUNNING,
        total=4,
        done=1,
        params={"year": 2026, "unit": world.t1.pk},
    )
    colleague = Job.objects.create(owner=world.clerk_t3, kind=Job.Kind.EXPORT, state=Job.State.QUEUED)
    officer = Job.objects.create(owner=world.officer, kind=Job.Kind.IMPORT, state=Job.State.FAILED)
    return {"export": export, "run": run, "colleague": colleague, "officer": officer}


@pytest.mark.django_db
def test_the_list_shows_only_the_user_s_own_jobs(world, client, jobs):
    client.force_login(world.clerk)
    response = client.get("/jobs/")
    assert response.status_code == 200
    listed = [job.pk for job in response.context["object_list"]]
    assert sorted(listed) == sorted([jobs["export"].pk, jobs["run"].pk])
    html = response.content.decode()
    assert f'href="/jobs/{jobs["export"].pk}/download/"' in html and "已完成" in html
    assert "进行中" in html and "25%" in html
    assert f"/jobs/{jobs['colleague'].pk}/" not in html and f"/jobs/{jobs['officer'].pk}/" not in html
    assert 'href="/jobs/"' in html  # in the navigation

    # The city officer sees the clerk's job by its address (a tier above) but lists only their own.
    client.force_login(world.officer)
    assert [job.pk for job in client.get("/jobs/").context["object_list"]] == [jobs["officer"].pk]


@pytest.mark.django_db
def test_an_outsider_cannot_see_another_s_job(world, client, jobs):
    for outsider in (world.clerk_t3, world.other_officer):
        client.force_login(outsider)
        assert client.get(f"/jobs/{jobs['export'].pk}/").status_code == 404
        assert client.get(f"/jobs/{jobs['export'].pk}/download/").status_code == 404
    client.logout()
    assert client.get("/jobs/").status_code == 302


@pytest.mark.django_db
def test_a_finished_job_s_page_says_so_and_links_its_result(world, client, jobs):
    client.force_login(world.clerk)
    done = client.get(f"/jobs/{jobs['export'].pk}/").content.decode()
    assert 'data-testid="job-finished"' in done and "任务已完成" in done
    assert f'href="/jobs/{jobs["export"].pk}/download/"' in done
    running = client.get(f"/jobs/{jobs['run'].pk}/").content.decode()
    assert (
        "任务已完成" not in running and "查看自查结果" not in running and 'hx-trigger="every 1s"' in running
    )
