import logging

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import DatabaseError

from core.models import Job
from core.tasks import TRANSIENT

from .imports import run_import as import_workbook

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=4)
def run_import(self, job_id: int) -> None:
    """Import (or only check) an uploaded workbook. The import is one transaction, so a retry after a
    transient database error starts again from a clean state."""
    job = Job.objects.select_related("owner__unit").get(pk=job_id)
    if job.finished:
        return
    job.mark_running(total=0, worker="eager" if self.request.is_eager else self.request.hostname)
    with default_storage.open(job.params["file"], "rb") as upload:
        data = upload.read()
    try:
        report = import_workbook(
            job.owner,
            data,
            check_only=job.params.get("check_only", False),
            progress=job.advance,
        )
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            job.mark_failed(f"数据库多次暂时不可用,导入失败,未导入任何数据:{exc}")
        raise
    except DatabaseError as exc:
        # A constraint or a value the database refused midway: the transaction took everything back.
        logger.exception("import job %s failed", job_id)
        job.mark_failed(f"导入时数据库出错,未导入任何数据(已全部撤销):{exc}")
        return
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        job.mark_failed(f"导入失败,未导入任何数据:{exc}")
        return
    job.advance(report.rows, total=report.rows)
    if report.errors:
        # The report is for people: the first thousand problems are more than anyone fixes at once.
        message = f"共 {len(report.errors)} 处错误,未导入任何数据。"
        job.mark_failed(message, details=report.errors[:1000], summary=report.as_summary())
    else:
        job.mark_done(summary=report.as_summary())
