"""Celery tasks of designations: the daily renewal reminders."""

import logging

from celery import shared_task

from core.tasks import MAX_RETRIES, TRANSIENT

from . import titles

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=MAX_RETRIES)
def designation_renewal_reminders() -> None:
    """Celery beat, daily: remind the city and the district of designations about to run out (once each)."""
    sent = titles.send_renewal_reminders()
    logger.info("designation renewal reminders sent: %s", sent)
