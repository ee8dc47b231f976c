"""The naive yardstick of `bench-self-check`: the self-checks evaluated one community at a time, as a
first implementation would write them.

Each community is read on its own, its edition looked up on its own, every measure asked for that one
community with its own ORM queries (`OwnQueries`: a one-community batch that shares no rows, neither
between communities nor between the measures of one community, as separately written measures would
not) and its result written with one UPDATE. It goes through the evaluator's public API
(`evaluator_for(edition).evaluate`), so it judges with the same rules: its outcomes must equal the
batched run's, and `differences` says where they do not.

Not product code: a measure of how much the batching buys, in the same run and on the same city.
"""

import time
from decimal import Decimal

from django.db import transaction

from core.measures import Batch

COMPARED = ("results", "score", "proposed_score", "level", "proposed_level")


class OwnQueries(Batch):
    """A batch that keeps no rows: every measure, each time it is asked, sends its own queries (the
    batched run reads each table once per chunk for all of them)."""

    def rows(self, name, load):
        return load()


def stored(community_ids, year: int) -> dict[int, dict]:
    """The batched run's outcomes as stored: community id → the compared fields."""
    from assessments.models import SelfCheck

    rows = SelfCheck.objects.filter(community_id__in=list(community_ids), year=year).values(
        "community_id", *COMPARED
    )
    return {row.pop("community_id"): row for row in rows}


def evaluate_one(community_id: int, year: int, write: bool = True) -> dict | None:
    """One community evaluated on its own: its outcome's compared fields (None without an edition),
    written to its self-check when `write` (one UPDATE, as a per-community loop would save it)."""
    from assessments.evaluator import evaluator_for
    from assessments.models import SelfCheck
    from communities.models import Community
    from standards.models import StandardEdition

    community = Community.objects.select_related("unit__parent").get(pk=community_id)
    check = SelfCheck.objects.filter(community_id=community_id, year=year).select_related("edition").first()
    edition = (
        check.edition
        if check
        else StandardEdition.objects.current_for(community.unit.tenant_id, community.kind)
    )
    if edition is None:
        return None
    judgements = {community_id: check.judgements} if check else None
    outcome = evaluator_for(edition).evaluate(OwnQueries([community], year), judgements)[community_id]
    found = {
        "results": outcome.results,
        "score": outcome.score,
        "proposed_score": outcome.proposed_score,
        "level": outcome.level,
        "proposed_level": outcome.proposed_level,
    }
    if write and check is not None:
        with transaction.atomic():
            SelfCheck.objects.filter(pk=check.pk).update(
                failed=[result["indicator"] for result in outcome.results if result["passed"] is False],
                **found,
            )
    return found


def evaluate(community_ids, year: int, write: bool = True) -> tuple[dict[int, dict | None], float]:
    """Every community of `community_ids` evaluated one at a time: (outcomes by id, seconds)."""
    started = time.perf_counter()
    found = {pk: evaluate_one(pk, year, write) for pk in community_ids}
    return found, time.perf_counter() - started


def _normal(value):
    """A value as stored in JSON, so that an outcome compares with its stored row (Decimal scores stay
    exact; results went through JSON once)."""
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def differences(naive: dict[int, dict | None], batched: dict[int, dict], limit: int = 20) -> list[str]:
    """Where the naive outcomes and the batched run's stored ones differ (at most `limit` lines)."""
    import json

    lines = []
    for pk in sorted(naive):
        mine, theirs = naive[pk], batched.get(pk)
        if mine is None or theirs is None:
            if mine != theirs:
                lines.append(
                    f"community {pk}: naive {'none' if mine is None else 'an outcome'}, "
                    f"batched {'none' if theirs is None else 'an outcome'}"
                )
            continue
        for field in COMPARED:
            a, b = mine[field], theirs[field]
            if field == "results":
                a = json.loads(json.dumps(a, ensure_ascii=False))
            elif field.endswith("score"):
                a, b = _normal(Decimal(a)), _normal(Decimal(b))
            if a != b:
                lines.append(f"community {pk}: {field} naive {_short(a)} ≠ batched {_short(b)}")
    return lines[:limit] + ([f"… and {len(lines) - limit} more"] if len(lines) > limit else [])


def _short(value, length: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= length else text[:length] + "…"


def sample(community_ids: list[int], size: int) -> list[int]:
    """`size` communities spread evenly over the ids (every k-th), the same on every run."""
    if size >= len(community_ids):
        return list(community_ids)
    step = len(community_ids) / size
    return [community_ids[int(index * step)] for index in range(size)]
