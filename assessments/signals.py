"""Live results: when a community or any of its records changes, its open self-checks are evaluated
again once the transaction commits, so its page, the API and the gap list show the change at once.

Changes are collected per transaction and evaluated together on commit: one save evaluates one
community in the request; an import touching many communities hands them to a Celery task. A saved
record re-measures only the indicators whose measures read its kind of record (`Measure.reads`); a
community saved with only fields no indicator reads changed (`Community.UNJUDGED_FIELDS`) is not
evaluated again.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from communities import records
from communities.models import Community, TownRecognition, VillageRecognition
from core import measures
from core.models import Unit
from core.signals import database_restored, records_bulk_changed
from core.tasks import BrokerUnavailable
from funding.models import WorkFund

_PENDING = "_self_check_refresh"
logger = logging.getLogger(__name__)


class _Pending(dict):
    """The communities touched in one transaction, each with the records changed as (model label, the
    one year they count for or None), or None for the community itself or a change of any kind;
    called once on its commit."""

    def add(self, community_id: int, label: str | None, year: int | None = None) -> None:
        if label is None or self.get(community_id, set()) is None:
            self[community_id] = None
        else:
            self.setdefault(community_id, set()).add((label, year))

    def __call__(self):
        from . import runs
        from .tasks import refresh_self_checks

        if len(self) > settings.SELF_CHECK_LIVE_LIMIT:
            try:
                refresh_self_checks.delay(sorted(self))
                return
            except BrokerUnavailable as exc:
                # The change is committed already: its results are brought up to date here, slower,
                # rather than left stale (or the saving user shown an error for a saved change).
                logger.warning(
                    "live refresh of %s communities runs in-process, no broker: %s", len(self), exc
                )
        # Communities with the same records changed are re-evaluated together, re-measuring only
        # what reads those records.
        groups = defaultdict(list)
        for community_id, changes in self.items():
            groups[None if changes is None else frozenset(changes)].append(community_id)
        for changes, community_ids in groups.items():
            runs.refresh(community_ids, changed=changes)


def touch(community_id: int | None, label: str | None = None, year: int | None = None) -> None:
    """Marks the community for re-evaluation on commit; `label`: the model of the changed record,
    `year`: the one year it can count for (None: any)."""
    if community_id is None:
        return
    connection = transaction.get_connection()
    pending = getattr(connection, _PENDING, None)
    # A set whose callback already ran, or was dropped with a rolled-back transaction, is done with.
    if pending is None or not any(func is pending for _, func, _ in connection.run_on_commit):
        pending = _Pending()
        setattr(connection, _PENDING, pending)
        pending.add(community_id, label, year)
        transaction.on_commit(pending)  # outside a transaction this runs at once
        return
    pending.add(community_id, label, year)


def _community_changed(sender, instance, created=False, **kwargs):
    """A saved community: its self-checks and the figures above it, unless only fields that no
    indicator and no figure reads changed (a phone number, an address)."""
    if instance.judged_change(created):
        touch(instance.pk)
        # A community moved to another town leaves the town it left counting it: every figure ends
        # (as for a moved unit), not only those above the town it is in now.
        moved = not created and "unit_id" in (instance.changed_fields() or {"unit_id"})
        figures_changed(sender, None if moved else instance)


def _record_changed(sender, instance, signal, created=False, **kwargs):
    # A new or deleted record of a kind read only by its own year's measures (an activity, a meeting)
    # can move only that year's self-check. An edited one may have come from another year, which is
    # not known here: any year.
    label = sender._meta.label
    year = (
        instance.counted_year() if (created or signal is post_delete) and measures.year_bound(label) else None
    )
    touch(instance.community_id, label, year)


def _bulk_changed(sender, community_ids, **kwargs):
    for community_id in community_ids:
        touch(community_id)


def figures_changed(sender, instance=None, community_ids=None, **kwargs):
    """Ends the cached figures of the units above the change, once it commits (all of them when its
    place cannot be told: a moved unit, a bulk change without ids, a row whose community is gone).
    The receiver of the figure sources' saves and deletes; bulk writes, which send no signal, call it
    with the communities they wrote."""
    from dashboards import stats

    paths = _paths(instance, community_ids)
    transaction.on_commit(lambda: stats.invalidate() if paths is None else stats.invalidate_paths(paths))


def _restored(sender, **kwargs):
    """A restored database: no figure counted before it stands."""
    from dashboards import stats

    stats.invalidate()


def _paths(instance, community_ids) -> list[str] | None:
    """The unit paths of the change's town (or district), None when they cannot be told."""
    if instance is None and community_ids is None:
        return None
    if isinstance(instance, Unit):
        return None  # a renamed or moved unit: its old ancestors are not known any more
    if community_ids is not None:
        paths = Community.objects.filter(pk__in=community_ids).values_list("unit__path", flat=True)
    else:
        unit_id = getattr(instance, "scope_unit_id", None) or getattr(instance, "unit_id", None)
        if unit_id is not None:
            paths = Unit.objects.filter(pk=unit_id).values_list("path", flat=True)
        else:
            community_id = getattr(instance, "community_id", None)
            if community_id is None and getattr(instance, "self_check_id", None):
                community_id = instance.self_check.community_id
            paths = Community.objects.filter(pk=community_id).values_list("unit__path", flat=True)
    return list(paths.distinct()) or None


def connect() -> None:
    from designations.models import Designation, Enrolment

    from .models import SelfCheck, SelfCheckEvent

    records_bulk_changed.connect(_bulk_changed, dispatch_uid="self_check_records_bulk_changed")
    # The programme figures are cached; whatever they are counted from ends the cached answers. The
    # other records reach the figures through their self-checks' results, whose re-evaluation ends
    # them when the results the figures read move (`runs.evaluate_communities`).
    figure_sources = [Unit, Community, TownRecognition, VillageRecognition, WorkFund]
    figure_sources += [SelfCheck, SelfCheckEvent, Designation, Enrolment]
    for model in figure_sources:
        # A saved community is `_community_changed`'s, which knows whether anything counted moved.
        for signal in (post_delete,) if model is Community else (post_save, post_delete):
            signal.connect(
                figures_changed,
                sender=model,
                dispatch_uid=f"stats_{model._meta.label}_{signal is post_save}",
            )
    records_bulk_changed.connect(figures_changed, dispatch_uid="stats_records_bulk_changed")
    database_restored.connect(_restored, dispatch_uid="stats_restored")
    post_save.connect(_community_changed, sender=Community, dispatch_uid="self_check_community_saved")
    for record_type in records.all_types():
        for signal in (post_save, post_delete):
            signal.connect(
                _record_changed,
                sender=record_type.model,
                dispatch_uid=f"self_check_{record_type.slug}_{signal is post_save}",
            )
