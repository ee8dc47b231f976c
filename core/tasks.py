import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import exports
from .models import Job

logger = logging.getLogger(__name__)

# Only errors that a retry can cure: a dropped connection or a server that is restarting.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=4)
def run_export(self, job_id: int) -> None:
    job = Job.objects.select_related("owner__unit").get(pk=job_id)
    if job.finished:
        return  # a redelivered message for a job that already ended: nothing to do again
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
