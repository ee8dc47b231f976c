"""Celery tasks of the assessments app. They take ids, do their work through `runs`, and retry
only on named transient database errors (core.tasks.TRANSIENT), with backoff."""

import logging

from celery import shared_task

from core.models import Job, Unit
from core.tasks import MAX_RETRIES, TRANSIENT

from . import reminders, runs

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> int:
    return min(60, 2 ** (retries + 1))


@shared_task(
    bind=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES
)
def run_self_checks(self, job_id: int) -> None:
    """Split the job's communities into chunks and queue one task per chunk (any worker takes them)."""
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return  # a redelivered message: the job has ended
    if job.state == Job.State.RUNNING:
        # Redelivered: its worker died while (or after) queueing the chunks. Those that have not reported
        # are queued again; a chunk is evaluated and counted once however often it is delivered.
        parts = runs.unreported_chunks(job)
    else:
        try:
            planned = runs.plan_chunks(job)
        except Unit.DoesNotExist:
            job.mark_failed("要自查的单位已不存在。")
            return
        total = sum(len(part) for part in planned)
        job.mark_running(total=total, worker="eager" if self.request.is_eager else self.request.hostname)
        if not planned:
            job.mark_done(job.summary)
            return
        parts = dict(enumerate(planned, start=1))
    for number, part in parts.items():
        evaluate_chunk.delay(job_id, number, part)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def evaluate_chunk(self, job_id: int, chunk: int, community_ids: list[int]) -> None:
    try:
        runs.run_chunk(job_id, chunk, community_ids)
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        runs.chunk_finished(
            job_id,
            chunk,
            len(community_ids),
            error=f"第{chunk}批({len(community_ids)}个社区)数据库多次暂时不可用:{exc}",
        )
        return
    except Exception as exc:
        logger.exception("self-check chunk %s of job %s failed", chunk, job_id)
        runs.chunk_finished(
            job_id, chunk, len(community_ids), error=f"第{chunk}批({len(community_ids)}个社区)评估失败:{exc}"
        )


@shared_task(autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES)
def refresh_self_checks(community_ids: list[int]) -> None:
    """After many records changed at once (an import): re-evaluate those communities' open self-checks."""
    runs.refresh(community_ids)


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
