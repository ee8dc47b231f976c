"""Live results: when a community or any of its records changes, its open self-checks are evaluated
again once the transaction commits, so its page, the API and the gap list show the change at once.

Changes are collected per transaction and evaluated together on commit: one save evaluates one
community in the request; an import touching many communities hands them to a Celery task.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from communities import records
from communities.models import Community

_PENDING = "_self_check_refresh"


def _flush():
    connection = transaction.get_connection()
    ids = getattr(connection, _PENDING, set())
    setattr(connection, _PENDING, None)
    if not ids:
        return
    from . import selfchecks
    from .tasks import refresh_self_checks

    if len(ids) > settings.SELF_CHECK_LIVE_LIMIT:
        refresh_self_checks.delay(sorted(ids))
    else:
        selfchecks.refresh(ids)


def touch(community_id: int | None) -> None:
    if community_id is None:
        return
    connection = transaction.get_connection()
    pending = getattr(connection, _PENDING, None)
    if pending is None:
        pending = set()
        setattr(connection, _PENDING, pending)
        transaction.on_commit(_flush)
    pending.add(community_id)


def _community_changed(sender, instance, **kwargs):
    touch(instance.pk)


def _record_changed(sender, instance, **kwargs):
    touch(instance.community_id)


def connect() -> None:
    post_save.connect(_community_changed, sender=Community, dispatch_uid="self_check_community_saved")
    for record_type in records.all_types():
        for signal in (post_save, post_delete):
            signal.connect(
                _record_changed,
                sender=record_type.model,
                dispatch_uid=f"self_check_{record_type.slug}_{signal is post_save}",
            )
