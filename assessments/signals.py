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
from core.signals import records_bulk_changed

_PENDING = "_self_check_refresh"


class _Pending(set):
    """The communities touched in one transaction; called once on its commit."""

    def __call__(self):
        from . import selfchecks
        from .tasks import refresh_self_checks

        if len(self) > settings.SELF_CHECK_LIVE_LIMIT:
            refresh_self_checks.delay(sorted(self))
        else:
            selfchecks.refresh(self)


def touch(community_id: int | None) -> None:
    if community_id is None:
        return
    connection = transaction.get_connection()
    pending = getattr(connection, _PENDING, None)
    # A set whose callback already ran, or was dropped with a rolled-back transaction, is done with.
    if pending is None or not any(func is pending for _, func, _ in connection.run_on_commit):
        pending = _Pending([community_id])
        setattr(connection, _PENDING, pending)
        transaction.on_commit(pending)  # outside a transaction this runs at once
    pending.add(community_id)


def _community_changed(sender, instance, **kwargs):
    touch(instance.pk)


def _record_changed(sender, instance, **kwargs):
    touch(instance.community_id)


def _bulk_changed(sender, community_ids, **kwargs):
    for community_id in community_ids:
        touch(community_id)


def _figures_changed(sender, **kwargs):
    from . import stats

    transaction.on_commit(stats.invalidate)


def connect() -> None:
    from .models import Designation, Enrolment, SelfCheck, SelfCheckEvent

    records_bulk_changed.connect(_bulk_changed, dispatch_uid="self_check_records_bulk_changed")
    # The programme figures are cached; whatever they are computed from ends the cached answers.
    figure_sources = [Community, SelfCheck, SelfCheckEvent, Designation, Enrolment]
    figure_sources += [record_type.model for record_type in records.all_types()]
    for model in figure_sources:
        for signal in (post_save, post_delete):
            signal.connect(
                _figures_changed,
                sender=model,
                dispatch_uid=f"stats_{model._meta.label}_{signal is post_save}",
            )
    records_bulk_changed.connect(_figures_changed, dispatch_uid="stats_records_bulk_changed")
    post_save.connect(_community_changed, sender=Community, dispatch_uid="self_check_community_saved")
    for record_type in records.all_types():
        for signal in (post_save, post_delete):
            signal.connect(
                _record_changed,
                sender=record_type.model,
                dispatch_uid=f"self_check_{record_type.slug}_{signal is post_save}",
            )
