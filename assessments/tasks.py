"""Celery tasks of the assessments app. They take ids, do their work through `selfchecks`, and retry
only on named transient database errors (core.tasks.TRANSIENT), with backoff."""

import logging

from celery import shared_task

from core.models import Job, Unit
from core.tasks import TRANSIENT

from . import reminders, selfchecks

logger = logging.getLogger(__name__)

MAX_RETRIES = 4


def _backoff(retries: int) -> int:
    return min(60, 2 ** (retries + 1))


@shared_task(
    bind=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES
)
def run_self_checks(self, job_id: int) -> None:
    """Split the job's communities into chunks and queue one task per chunk (any worker takes them)."""
    job = Job.objects.get(pk=job_id)
    if job.state != Job.State.QUEUED:
        return  # a redelivered message: the chunks were queued already
    try:
        ids = list(selfchecks.communities_of(job).order_by("pk").values_list("pk", flat=True))
    except Unit.DoesNotExist:
        job.mark_failed("要自查的单位已不存在。")
        return
    parts = selfchecks.chunks(ids, selfchecks.chunk_size())
    job.summary = {"chunks": len(parts), "year": job.params["year"]}
    job.save(update_fields=["summary"])
    job.mark_running(total=len(ids), worker="eager" if self.request.is_eager else self.request.hostname)
    if not parts:
        job.mark_done(job.summary)
        return
    for number, part in enumerate(parts, start=1):
        evaluate_chunk.delay(job_id, number, part)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def evaluate_chunk(self, job_id: int, chunk: int, community_ids: list[int]) -> None:
    year = Job.objects.values_list("params__year", flat=True).get(pk=job_id)
    try:
        with selfchecks.QueryCounter() as counter:
            report = selfchecks.evaluate_communities(community_ids, int(year))
        report["queries"] = counter.count
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        selfchecks.chunk_finished(
            job_id,
            chunk,
            len(community_ids),
            error=f"第{chunk}批({len(community_ids)}个社区)数据库多次暂时不可用:{exc}",
        )
        return
    except Exception as exc:
        logger.exception("self-check chunk %s of job %s failed", chunk, job_id)
        selfchecks.chunk_finished(
            job_id, chunk, len(community_ids), error=f"第{chunk}批({len(community_ids)}个社区)评估失败:{exc}"
        )
        return
    selfchecks.chunk_finished(job_id, chunk, len(community_ids), report=report)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES)
def refresh_self_checks(community_ids: list[int]) -> None:
    """After many records changed at once (an import): re-evaluate those communities' open self-checks."""
    selfchecks.refresh(community_ids)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES)
def annual_self_checks() -> None:
    """Celery beat, once a year: run every city's self-checks for the year, on behalf of its office."""
    for job in reminders.start_annual_runs():
        logger.info("annual self-check run queued as job %s", job.pk)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES)
def filing_deadline_reminders() -> None:
    """Celery beat, daily: remind districts of new communities not yet filed before U-FILE's deadline."""
    sent = reminders.send_filing_reminders()
    logger.info("filing deadline reminders sent: %s", sent)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES)
def designation_renewal_reminders() -> None:
    """Celery beat, daily: remind the city and the district of designations about to run out (once each)."""
    from . import designations

    sent = designations.send_renewal_reminders()
    logger.info("designation renewal reminders sent: %s", sent)
