"""The one change path: every writer of what the self-checks are evaluated from or the programme
figures count calls one of these functions, explicitly, when it has changed something — a single save
or delete, a bulk write, an import, a restore. Nothing here listens to Django's model signals.

What a change needs is collected per transaction and done once it commits (`transaction.on_commit`):

- the open self-checks of the communities touched are evaluated again (the assessments app's
  `refresh` handler: one save evaluates one community in the request; many go to a Celery task);
  a record re-measures only the indicators that read its kind of record (`Measure.reads`), and a new
  or deleted record of a year-bound kind only its year's self-check;
- the cached figures of the units above the change end (the dashboards app's `figures` handler);
  the places (unit paths) are told when the change is made, while the rows still say where they are.

The apps above register their handlers in their AppConfig.ready() (`register`); this module, in the
lowest layer, imports none of them, so that every app may call it.

Collecting: each call adds an entry to its connection's pending list and registers an on-commit
callback; the first callback to run after a commit acts on every entry from its own onwards, and the
later ones find nothing left. Entries older than the first callback that runs belong to a transaction
that was rolled back (their callbacks were dropped with it) and are dropped. An entry made inside a
savepoint that was rolled back while its transaction committed is acted on with the rest: a harmless
extra re-evaluation or figure count, never a missed one.
"""

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

from . import measures

_ALL = None  # the figures of every unit

_counter = itertools.count()


@dataclass
class _Handlers:
    # on commit: {community id: {(model label, year or None)} or None for any change}
    refresh: Callable[[dict], None] | None = None
    # on commit: the unit paths whose figures end, or None for all of them
    end_figures: Callable[[set[str] | None], None] | None = None
    # at once: the unit paths of a changed row's town, None when they cannot be told
    figure_paths: Callable[..., list[str] | None] | None = None
    # the model labels the figures count (besides communities, units and the rows calling `counted`)
    figure_sources: frozenset[str] = frozenset()
    # at once, in the saving transaction: rules that follow a community's saved values (called with the
    # community and whether the save created it)
    community_saved: list[Callable] = field(default_factory=list)


_handlers = _Handlers()


def register(
    *,
    refresh: Callable[[dict], None] | None = None,
    end_figures: Callable[[set[str] | None], None] | None = None,
    figure_paths: Callable[..., list[str] | None] | None = None,
    figure_sources: Iterable[str] = (),
    community_saved: Callable | None = None,
) -> None:
    """Called by the apps' AppConfig.ready(): the assessments app re-evaluates (`refresh`), the
    dashboards app ends figures (`end_figures`, `figure_paths`, `figure_sources`), the funding app
    recomputes a community's current work fund (`community_saved`, called with the community and
    whether the save created it)."""
    if refresh is not None:
        _handlers.refresh = refresh
    if end_figures is not None:
        _handlers.end_figures = end_figures
    if figure_paths is not None:
        _handlers.figure_paths = figure_paths
    _handlers.figure_sources |= frozenset(figure_sources)
    if community_saved is not None and community_saved not in _handlers.community_saved:
        _handlers.community_saved.append(community_saved)


# ---- what the writers call ------------------------------------------------------------------------


def community_saved(community, created: bool, changed_fields: set[str] | None) -> None:
    """A saved community (`changed_fields`: the attnames whose value the save changed, None when not
    known). The rules that follow its values run at once; its self-checks are evaluated again and the
    figures above it end, unless only fields that no indicator and no figure reads changed
    (`Community.UNJUDGED_FIELDS`: a phone number, an address)."""
    for follow in _handlers.community_saved:
        follow(community, created)
    if changed_fields is not None and changed_fields <= community.UNJUDGED_FIELDS:
        return
    _touch(community.pk)
    # A community moved to another town leaves the town it left counting it: every figure ends (as
    # for a moved unit), not only those above the town it is in now.
    moved = not created and (changed_fields is None or "unit_id" in changed_fields)
    _figures(None if moved else _paths(instance=community))


def community_deleted(community) -> None:
    """A deleted community (with its records, self-checks and enrolments): the figures above it end.
    Called before the row goes, while it still says where it was."""
    _figures(_paths(instance=community))


def record_saved(record, created: bool) -> None:
    """A saved record of a community (`communities.records`): its community's self-checks re-measure
    what reads its kind of record, and, for a record the figures count, the figures above it end."""
    _record_changed(record, year_known=created)


def record_deleted(record) -> None:
    """A deleted record of a community (called before the row goes)."""
    _record_changed(record, year_known=True)


def communities_changed(community_ids: Iterable[int]) -> None:
    """Rows of these communities were written in bulk (an import): every one is evaluated again and
    the figures above them end."""
    ids = sorted(set(community_ids))
    for community_id in ids:
        _touch(community_id)
    if ids:
        _figures(_paths(community_ids=ids))


def counted(row) -> None:
    """A saved or deleted row the figures count, of a kind no indicator reads: a self-check, its
    workflow event, a designation, an enrolment, a town's recognition. The figures above it end."""
    _figures(_paths(instance=row))


class Counted:
    """Mixin of a model whose rows the figures count (`counted`): a saved or deleted row ends the
    figures above it."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        counted(self)

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        counted(self)
        return deleted


def counted_in(community_ids: Iterable[int] | None = None, paths: Iterable[str] | None = None) -> None:
    """Rows the figures count were written in bulk (enrolments, evaluated self-checks): the figures of
    the towns of these communities, or of these unit paths, end."""
    if paths is not None:
        paths = set(paths)
        if paths:
            _figures(paths)
    elif community_ids is not None:
        ids = sorted(set(community_ids))
        if ids:
            _figures(_paths(community_ids=ids))


def units_changed() -> None:
    """A unit was saved or deleted (renamed, moved): its old ancestors are not known any more, so
    every figure ends."""
    _figures(_ALL)


def everything_changed() -> None:
    """The database was replaced behind every model's back (a restore): no figure counted before it
    stands. At once: a restore is no transaction of this connection's to wait for."""
    if _handlers.end_figures is not None:
        _handlers.end_figures(_ALL)


# ---- collecting per transaction -------------------------------------------------------------------


def _record_changed(record, year_known: bool) -> None:
    # A new or deleted record of a kind read only by its own year's measures (an activity, a meeting)
    # can move only that year's self-check. An edited one may have come from another year, which is
    # not known here: any year.
    label = record._meta.label
    year = record.counted_year() if year_known and measures.year_bound(label) else None
    _touch(record.community_id, label, year)
    if label in _handlers.figure_sources:
        _figures(_paths(instance=record))


def _paths(instance=None, community_ids=None) -> list[str] | None:
    if _handlers.figure_paths is None:
        return None
    return _handlers.figure_paths(instance=instance, community_ids=community_ids)


class _Pending:
    """One connection's changes not acted on yet: (sequence number, entry) in the order made."""

    def __init__(self):
        self.entries: list[tuple[int, tuple]] = []

    def add(self, entry: tuple) -> None:
        number = next(_counter)
        self.entries.append((number, entry))
        transaction.on_commit(partial(self.committed, number))  # outside a transaction: at once

    def committed(self, number: int) -> None:
        """On commit: act on the entries from `number` onwards (the older ones' transaction was
        rolled back); a later callback of the same commit finds them taken."""
        entries = [entry for n, entry in self.entries if n >= number]
        self.entries = []
        if entries:
            _act(entries)


def _pending() -> _Pending:
    connection = transaction.get_connection()
    pending = getattr(connection, "_pending_changes", None)
    if pending is None:
        pending = _Pending()
        connection._pending_changes = pending
    return pending


def _touch(community_id: int | None, label: str | None = None, year: int | None = None) -> None:
    """Marks the community for re-evaluation on commit; `label`: the model of the changed record,
    `year`: the one year it can count for (None: any; no label: the community itself, any change)."""
    if community_id is not None:
        _pending().add(("evaluate", community_id, label, year))


def _figures(paths) -> None:
    """Ends the figures of these unit paths (None: all) on commit."""
    _pending().add(("figures", None if paths is None else frozenset(paths)))


def _act(entries: list[tuple]) -> None:
    communities: dict[int, set | None] = {}
    paths: set[str] | None = set()
    for kind, *args in entries:
        if kind == "evaluate":
            community_id, label, year = args
            if label is None or communities.get(community_id, set()) is None:
                communities[community_id] = None
            else:
                communities.setdefault(community_id, set()).add((label, year))
        elif paths is not None:
            paths = None if args[0] is None else paths | args[0]
    if communities and _handlers.refresh is not None:
        _handlers.refresh(communities)
    if (paths is None or paths) and _handlers.end_figures is not None:
        _handlers.end_figures(paths)
