"""Live results: the change path (`core.changes`) hands over, once a transaction commits, the
communities it touched; their open self-checks are evaluated again, so their page, the API and the gap
list show the change at once.

One save evaluates one community in the request; an import touching many communities hands them to a
Celery task. A saved record re-measures only the indicators whose measures read its kind of record
(`Measure.reads`), and only its year's self-check when it counts for one year.
"""

import logging
from collections import defaultdict

from django.conf import settings

from core.tasks import BrokerUnavailable

logger = logging.getLogger(__name__)


def refresh(changed: dict[int, set[tuple[str, int | None]] | None]) -> None:
    """`changed`: each community touched, with the records changed as (model label, the one year they
    count for or None), or None for the community itself or a change of any kind."""
    from . import runs
    from .tasks import refresh_self_checks

    if len(changed) > settings.SELF_CHECK_LIVE_LIMIT:
        try:
            refresh_self_checks.delay(sorted(changed))
            return
        except BrokerUnavailable as exc:
            # The change is committed already: its results are brought up to date here, slower,
            # rather than left stale (or the saving user shown an error for a saved change).
            logger.warning("live refresh of %s communities runs in-process, no broker: %s", len(changed), exc)
    # Communities with the same records changed are re-evaluated together, re-measuring only what
    # reads those records.
    groups = defaultdict(list)
    for community_id, changes in changed.items():
        groups[None if changes is None else frozenset(changes)].append(community_id)
    for changes, community_ids in groups.items():
        runs.refresh(community_ids, changed=changes)
