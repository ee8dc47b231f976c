import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from . import exports
from .exceptions import JobsUnavailable
from .models import Job

logger = logging.getLogger(__name__)

# Only errors that a retry can cure: a dropped connection or a server that is restarting.
# How often a task retries a transient error before it fails.
MAX_RETRIES = 4

TRANSIENT = (OperationalError, InterfaceError)


def dispatch(job: Job, task, *args) -> None:
    """Queue `task(job.pk, *args)` once the caller's transaction commits (the worker must find the job).
    If the broker does not take the message (Redis down: Celery gives up after its publish retries), the
    job is marked failed with the reason, rather than left `queued` for ever, and `JobsUnavailable` is
    raised to the caller, who shows it."""

    def send():
        try:
            task.delay(job.pk, *args)
        except BrokerUnavailable as exc:
            logger.error("job %s not queued, the broker is unavailable: %s", job.pk, exc)
            job.mark_failed(JobsUnavailable.message)
            raise JobsUnavailable() from exc

    transaction.on_commit(send)


@shared_task(
    bind=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES
)
def run_export(self, job_id: int) -> None:
    job = Job.objects.select_related("owner__unit").get(pk=job_id)
    if job.finished:
        return  # a redelivered message for a job that already ended: nothing to do again
    if job.result:
        # Redelivered after the file and its log row were written (one transaction) and before the job
        # was ended: only the ending was lost, so the file is not written and logged twice.
        job.mark_done()
        return
    job.worker = "eager" if self.request.is_eager else self.request.hostname
    try:
        exports.write_workbook(job)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            job.mark_failed(f"数据库多次暂时不可用,导出失败:{exc}")
        raise
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        job.mark_failed(f"导出失败:{exc}")
        return
    job.mark_done()
