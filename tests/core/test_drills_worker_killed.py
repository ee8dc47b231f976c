"""A worker killed mid-job: what its redelivered messages find and do (`make drill-worker-killed` kills a
real worker; these pin the pieces down in-process).

A chunk is evaluated and reported in one transaction, and reports once; a redelivered run message queues
again only the chunks that have not reported, as they were planned; a redelivered export whose file was
written only ends its job.
"""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments import runs, tasks
from assessments.models import SelfCheck
from core import tasks as core_tasks
from core.models import ExportLog, Job
from demo.factories import CommunityFactory

YEAR = timezone.localdate().year


@pytest.fixture
def planned(world, settings):
    """A run over town T1's three communities, one per chunk, planned and marked running as the run task
    does before it queues the chunks: the state a worker killed while queueing them leaves."""
    settings.SELF_CHECK_CHUNK_SIZE = 1
    for name in ("东华二社区", "东华三社区"):
        CommunityFactory(unit=world.t1, name=name)
    job = Job.objects.create(
        owner=world.clerk, kind=Job.Kind.SELF_CHECK, params={"year": YEAR, "unit": world.t1.pk}
    )
    parts = runs.plan_chunks(job)
    job.mark_running(total=sum(len(part) for part in parts), worker="killed@host")
    return job, parts


@pytest.mark.django_db
def test_a_redelivered_run_message_queues_only_the_chunks_that_have_not_reported(
    planned, eager_tasks, monkeypatch
):
    job, parts = planned
    runs.run_chunk(job.pk, 2, parts[1])  # chunk 2 was done before the worker died
    delivered = []
    real = runs.run_chunk

    def recording(job_id, chunk, ids):
        delivered.append((chunk, ids))
        return real(job_id, chunk, ids)

    monkeypatch.setattr(runs, "run_chunk", recording)

    tasks.run_self_checks.apply(args=[job.pk])

    assert delivered == [(1, parts[0]), (3, parts[2])]
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (Job.State.DONE, 3, 3)
    assert job.summary["chunks_reported"] == [1, 2, 3]
    assert job.summary["counts"]["created"] == job.summary["counts"]["evaluated"] == 3
    assert SelfCheck.objects.filter(year=YEAR, community__unit=job.params["unit"]).count() == 3


@pytest.mark.django_db
def test_the_chunks_queued_again_are_those_planned_not_todays_list(planned, world):
    from communities.models import Community

    job, parts = planned
    Community.objects.filter(pk=parts[0][0]).delete()  # gone since: chunk 1 is now empty
    CommunityFactory(unit=world.t1, name="后来的社区")  # new since: in no planned chunk

    assert runs.unreported_chunks(job) == {1: [], 2: parts[1], 3: parts[2]}


@pytest.mark.django_db
def test_a_chunk_killed_before_it_reported_leaves_nothing_and_runs_whole_again(planned, monkeypatch):
    job, parts = planned
    real = runs.chunk_finished

    def killed(*args, **kwargs):
        raise SystemExit("SIGKILL")  # the worker dies between the evaluation and the report

    monkeypatch.setattr(runs, "chunk_finished", killed)
    with pytest.raises(SystemExit):
        runs.run_chunk(job.pk, 1, parts[0])
    assert not SelfCheck.objects.filter(community_id__in=parts[0]).exists()

    monkeypatch.setattr(runs, "chunk_finished", real)
    runs.run_chunk(job.pk, 1, parts[0])  # redelivered
    job.refresh_from_db()
    assert job.summary["counts"]["created"] == job.summary["counts"]["evaluated"] == 1
    assert job.done == 1 and SelfCheck.objects.filter(community_id__in=parts[0]).count() == 1


@pytest.mark.django_db
def test_a_redelivered_chunk_that_had_reported_is_not_evaluated_again(planned, monkeypatch):
    job, parts = planned
    evaluations = []
    real = runs.evaluate_communities

    def counted(ids, year, create=True):
        evaluations.append(ids)
        return real(ids, year, create)

    monkeypatch.setattr(runs, "evaluate_communities", counted)
    runs.run_chunk(job.pk, 1, parts[0])
    runs.run_chunk(job.pk, 1, parts[0])

    assert evaluations == [parts[0]]
    job.refresh_from_db()
    assert job.done == 1 and job.summary["chunks_reported"] == [1]


@pytest.mark.django_db
def test_a_redelivered_export_whose_file_was_written_only_ends_its_job(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(
        owner=world.clerk,
        kind=Job.Kind.EXPORT,
        params={"list": "communities", "query": {}},
        state=Job.State.RUNNING,
    )
    job.result.save("communities.xlsx", ContentFile(b"PK\x03\x04 the first delivery's file"), save=True)
    files = sorted(path.name for path in tmp_path.rglob("*.xlsx"))

    core_tasks.run_export.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert sorted(path.name for path in tmp_path.rglob("*.xlsx")) == files
    assert not ExportLog.objects.exists()  # written with the first file, not again
