"""Self-check runs: creating and re-evaluating self-checks, a chunk of communities at a time.

- `start_run(user, year, unit)`: the request side of "run self-checks for year Y over unit U"; checks
  role and scope, creates the job and dispatches `tasks.run_self_checks` on commit.
- `evaluate_communities(ids, year)`: one chunk. Creates the missing self-checks (the edition is fixed
  here, at the first run) and re-evaluates those still `draft` or `returned`; the others were
  judged as they stand and are left alone. Idempotent: running it twice gives the same rows.
- `chunk_finished(...)`: a chunk reports to its job, once, however often it was delivered.
- `run_chunk(...)`: a chunk evaluated and reported in one transaction, so a worker killed mid-chunk
  leaves nothing half done; `unreported_chunks(job)` is what a redelivered run message queues again.
- `refresh(ids)`: after records change, the communities' open self-checks are evaluated again, so
  pages and the API always show where a community stands (no rebuild step).
"""

import gc
from bisect import bisect_right
from collections import Counter, defaultdict
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from communities.models import Community
from core import changes
from core.measures import Batch
from core.models import Job, Unit
from core.roles import Action
from core.scope import may
from core.tasks import dispatch
from core.validators import YEAR_VALIDATORS
from standards.models import StandardEdition

from . import unit_figures
from .evaluator import evaluator_for
from .models import SelfCheck

RESULT_FIELDS = [*SelfCheck.SCORE_FIELDS, "evaluated_at", "updated_at"]


def chunk_size() -> int:
    return settings.SELF_CHECK_CHUNK_SIZE


# ---- the request ----------------------------------------------------------------------------------


def start_run(user, year, unit=None) -> Job:
    """Queue "run self-checks for `year` over `unit`" (the caller's own unit by default). Raises
    `JobsUnavailable` (the job then failed) when the broker does not take it."""
    from .tasks import run_self_checks

    if not may(user, Action.RUN_SELF_CHECKS):
        raise PermissionDenied("您的角色不能运行年度自查。")
    errors = {}
    try:
        year = int(year)
        for validator in YEAR_VALIDATORS:
            validator(year)
    except (TypeError, ValueError):
        errors["year"] = ["请填写有效的年度。"]
    except ValidationError as exc:
        errors["year"] = exc.messages
    unit = unit if unit not in (None, "") else user.unit_id
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    try:
        unit = Unit.objects.within_scope(user).get(pk=unit_id)
    except (Unit.DoesNotExist, TypeError, ValueError):
        errors["unit"] = ["该单位不存在或不在您的管辖范围内。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = Job.objects.create(owner=user, kind=Job.Kind.SELF_CHECK, params={"year": year, "unit": unit.pk})
        dispatch(job, run_self_checks)
    return job


def communities_of(job: Job):
    unit = Unit.objects.get(pk=job.params["unit"])
    return Community.objects.filter(unit__tenant_id=unit.tenant_id, unit__path__startswith=unit.path)


def chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def plan_chunks(job: Job) -> list[list[int]]:
    """Split the job's communities into chunks and note each chunk's first and last id on the job, so
    that a redelivered run message queues again exactly the chunks that have not reported."""
    ids = list(communities_of(job).order_by("pk").values_list("pk", flat=True))
    parts = chunks(ids, chunk_size())
    job.summary = {
        "chunks": len(parts),
        "year": job.params["year"],
        "bounds": [[part[0], part[-1]] for part in parts],
    }
    job.save(update_fields=["summary"])
    return parts


def unreported_chunks(job: Job) -> dict[int, list[int]]:
    """The chunks of a running job that have not reported yet: number → its communities' ids."""
    reported = set(job.summary.get("chunks_reported", []))
    bounds = job.summary.get("bounds", [])
    parts = {number: [] for number in range(1, len(bounds) + 1) if number not in reported}
    if not parts:
        return {}
    firsts = [first for first, _ in bounds]
    ids = communities_of(job).filter(
        pk__gte=min(bounds[number - 1][0] for number in parts),
        pk__lte=max(bounds[number - 1][1] for number in parts),
    )
    for pk in ids.order_by("pk").values_list("pk", flat=True):
        number = bisect_right(firsts, pk)  # the chunk starting at or before this id
        if number in parts and pk <= bounds[number - 1][1]:
            parts[number].append(pk)
    return parts


# ---- one chunk ------------------------------------------------------------------------------------


def _results(check) -> tuple:
    return (check.results, check.failed, check.score, check.proposed_score, check.level, check.proposed_level)


def _current_editions(communities) -> dict[tuple, StandardEdition | None]:
    wanted = {(community.unit.tenant_id, community.kind) for community in communities}
    return {key: StandardEdition.objects.current_for(*key) for key in wanted}


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the block. A chunk holds hundreds of thousands of
    row dicts and results at once, none of them in a cycle; each collection the collector ran over
    them while they were alive cost a quarter of a run's time (docs/benchmarks.md, "Nearer the
    floor"). Whatever the block leaves in cycles is collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@collector_paused()
@transaction.atomic
def evaluate_communities(
    community_ids, year: int, create: bool = True, changed: set[str] | None = None
) -> dict:
    """Evaluate one chunk for `year`; returns counts (created, evaluated, skipped, levels) and errors.
    `changed`: the records changed since the last evaluation (model labels), when only those moved;
    the existing self-checks then re-measure only the indicators reading them."""
    communities = list(Community.objects.filter(pk__in=community_ids).order_by("pk"))
    # The chunk's few towns (and their districts) read once and shared, rather than joined into every
    # community's row and built again for each.
    units = Unit.objects.select_related("parent").in_bulk({community.unit_id for community in communities})
    for community in communities:
        community.unit = units[community.unit_id]
    # Locked: a self-check submitted meanwhile is not overwritten with a re-evaluation.
    existing = {
        check.community_id: check
        for check in SelfCheck.objects.select_for_update()
        .filter(community__in=[c.pk for c in communities], year=year)
        .select_related("edition")
    }
    summary = Counter()
    errors = []
    editions = _current_editions([c for c in communities if c.pk not in existing]) if create else {}
    groups: dict[int, list] = defaultdict(list)  # edition id → [(community, self-check or None)]
    edition_by_id = {}
    for community in communities:
        check = existing.get(community.pk)
        if check is not None and not check.is_open:
            summary["skipped"] += 1
            continue
        if check is None:
            if not create:
                continue
            edition = editions[(community.unit.tenant_id, community.kind)]
            if edition is None:
                errors.append(f"{community.name}:没有适用于{community.get_kind_display()}的已发布标准。")
                continue
        else:
            edition = check.edition
        edition_by_id[edition.pk] = edition
        groups[edition.pk].append((community, check))

    now = timezone.now()
    read_before = {check.pk: unit_figures.reading(check) for check in existing.values()}
    results_before = {check.pk: _results(check) for check in existing.values()}
    new, updated = [], []
    for edition_id, members in groups.items():
        evaluator = evaluator_for(edition_by_id[edition_id])
        batch = Batch([community for community, _ in members], year)
        judgements = {community.pk: check.judgements for community, check in members if check}
        previous = {community.pk: check.results for community, check in members if check}
        outcomes = evaluator.evaluate(batch, judgements, previous, changed)
        for community, check in members:
            outcome = outcomes[community.pk]
            if check is None:
                check = SelfCheck(community=community, year=year, edition_id=edition_id, created_at=now)
                new.append(check)
            else:
                updated.append(check)
            check.results = outcome.results
            check.failed = [result["indicator"] for result in outcome.results if result["passed"] is False]
            check.score = outcome.score
            check.level = outcome.level
            check.proposed_level = outcome.proposed_level
            check.proposed_score = outcome.proposed_score
            check.evaluated_at = check.updated_at = now
            summary[f"level:{outcome.level}"] += 1
    # Another run may have created some of these meanwhile: the unique (community, year) keeps one.
    SelfCheck.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    # Results as they were (a saved activity of this year does not move last year's) are not written
    # again: the self-check is only stamped as evaluated, without rewriting its results' JSON.
    same = {check.pk for check in updated if _results(check) == results_before[check.pk]}
    moved_results = [check for check in updated if check.pk not in same]
    SelfCheck.objects.bulk_update(moved_results, RESULT_FIELDS, batch_size=500)
    if same:
        SelfCheck.objects.filter(pk__in=same).update(evaluated_at=now, updated_at=now)
    # Bulk writes go past SelfCheck.save(): the figures of the towns whose self-checks moved (and of
    # the units above them) end here. A re-evaluation that moves nothing the figures read leaves them
    # cached.
    moved = {check.community_id for check in new}
    moved |= {
        check.community_id for check in moved_results if unit_figures.reading(check) != read_before[check.pk]
    }
    paths = {community.unit.path for community in communities if community.pk in moved}
    changes.counted_in(paths=paths)
    summary["created"] += len(new)
    summary["evaluated"] += len(new) + len(updated)
    return {"counts": dict(summary), "errors": errors}


# ---- a chunk reports to its job -------------------------------------------------------------------


def run_chunk(job_id: int, chunk: int, community_ids: list[int]) -> Job:
    """One chunk of a run, evaluated and reported to its job in one transaction: a worker killed at any
    point leaves both or neither, so the redelivered chunk is evaluated and counted exactly once (and
    skipped if it had reported)."""
    job = Job.objects.only("params", "summary").get(pk=job_id)
    if chunk in job.summary.get("chunks_reported", []):
        return job
    with transaction.atomic():
        with QueryCounter() as counter:
            report = evaluate_communities(community_ids, int(job.params["year"]))
        report["queries"] = counter.count
        return chunk_finished(job_id, chunk, len(community_ids), report=report)


def chunk_finished(job_id: int, chunk: int, size: int, report: dict | None = None, error: str = "") -> Job:
    """Record one chunk's outcome on its job (once: a redelivered chunk is not counted twice) and end
    the job when every chunk has reported: `done` if none failed, else `failed` with the messages."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        summary = dict(job.summary)
        reported = set(summary.get("chunks_reported", []))
        if chunk in reported:
            return job
        reported.add(chunk)
        summary["chunks_reported"] = sorted(reported)
        counts = Counter(summary.get("counts", {}))
        counts.update((report or {}).get("counts", {}))
        summary["counts"] = dict(counts)
        summary["queries"] = summary.get("queries", 0) + (report or {}).get("queries", 0)
        messages = [*(report or {}).get("errors", []), *([error] if error else [])]
        job.errors = [*job.errors, *messages]
        job.summary = summary
        job.done = min(job.total, job.done + size)
        fields = ["errors", "summary", "done"]
        if len(reported) >= summary.get("chunks", 0):
            job.state = Job.State.FAILED if job.errors else Job.State.DONE
            job.finished_at = timezone.now()
            fields += ["state", "finished_at"]
        job.save(update_fields=fields)
        return job


class QueryCounter:
    """Counts the statements a chunk sends (reported in the job summary and by the benchmark)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


# ---- live: after records change -------------------------------------------------------------------


def refresh(community_ids, changed: set[tuple[str, int | None]] | None = None) -> None:
    """Re-evaluate the open self-checks of these communities (every year the change can count for)
    and create this year's if missing, so a saved record shows in the community's results and gap list
    at once; flag the approved ones as changed since approval. `changed`: the only records changed,
    when known, as (model label, the one year they count for or None for any); None for any change
    (the community itself, an import)."""
    ids = sorted(set(community_ids))
    if not ids:
        return
    this_year = timezone.localdate().year
    years = {year for _, year in changed} if changed is not None else {None}
    of_years = {} if None in years else {"year__in": years}
    # Approved self-checks stay as judged; the approving tier is told their records have changed since.
    SelfCheck.objects.filter(
        community_id__in=ids,
        status__in=SelfCheck.APPROVED_STATUSES,
        changed_since_approval=False,
        **of_years,
    ).update(changed_since_approval=True)
    others = set(
        SelfCheck.objects.filter(community_id__in=ids, status__in=SelfCheck.OPEN_STATUSES, **of_years)
        .exclude(year=this_year)
        .values_list("year", flat=True)
    )
    for part in chunks(ids, chunk_size()):
        evaluate_communities(part, this_year, create=True, changed=_labels(changed, this_year))
        for year in sorted(others):
            evaluate_communities(part, year, create=False, changed=_labels(changed, year))


def _labels(changed, year: int) -> set[str] | None:
    """The records changed that count for `year` (model labels); None for any change."""
    if changed is None:
        return None
    return {label for label, of_year in changed if of_year in (None, year)}
