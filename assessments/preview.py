"""What a draft edition would do to the city: the latest year's self-checks of its kind of community,
in the officer's scope, evaluated again under the draft and compared with the levels they hold
(docs/standards.md, "Editions, versions and a city's own edition"). Auto items the draft leaves as
they were keep the results the self-checks hold; the others are measured on that year's records.
Nothing is written.

The standards app cannot import this app (it sits below it); `AssessmentsConfig.ready` installs
`preview_edition` into `standards.editing`, whose publish page shows it.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from core.measures import Batch
from standards.models import Indicator, StandardEdition

from .evaluator import EditionEvaluator
from .models import SelfCheck
from .runs import chunks

# The communities that move are listed up to this many (the counts cover them all).
MOVES_SHOWN = 200
# What an auto item's result depends on. Where the draft's item equals, in all of these, the item of
# the edition a self-check was evaluated with, the result that self-check holds is the draft's result
# too: it is not measured again (most drafts change a few items, or only the level minimums).
RESULT_FIELDS = (
    "check_kind",
    "measure",
    "params",
    "operator",
    "threshold",
    "points",
    "scoring",
    "scoring_params",
    "advice",
)


def _signature(indicator: Indicator) -> tuple:
    return tuple(getattr(indicator, name) for name in RESULT_FIELDS)


def measured_again(evaluator: EditionEvaluator, edition_id: int) -> set[str]:
    """The records (model labels) read by the draft's auto items that differ from those of the edition
    `edition_id`; the evaluator measures again every rule reading one of them (and any rule whose
    reads are not declared, or missing from the stored results)."""
    stored = {row.code: _signature(row) for row in Indicator.objects.filter(edition_id=edition_id)}
    return {
        label
        for code, rule in evaluator.rules.items()
        if stored.get(code) != _signature(rule.indicator)
        for label in rule.reads or ()
    }


@dataclass
class Move:
    community: str
    town: str
    old_level: str
    new_level: str
    old_score: Decimal
    new_score: Decimal


@dataclass
class Preview:
    year: int | None
    total: int = 0
    # (level code, label), lowest first, "none" (未达标) before them.
    levels: list[tuple[str, str]] = field(default_factory=list)
    # old level → new level → count of communities.
    matrix: dict[str, Counter] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    moved: int = 0

    def rows(self) -> list[tuple[str, list[int], int]]:
        """The matrix as table rows: (old level label, count per new level, row total)."""
        codes = [code for code, _ in self.levels]
        return [
            (
                label,
                [self.matrix.get(code, Counter())[new] for new in codes],
                sum(self.matrix.get(code, {}).values()),
            )
            for code, label in self.levels
        ]

    def counts(self) -> list[tuple[str, int, int]]:
        """Per level: (label, communities holding it now, communities holding it under the draft)."""
        new = Counter()
        for row in self.matrix.values():
            new.update(row)
        return [(label, sum(self.matrix.get(code, {}).values()), new[code]) for code, label in self.levels]


def preview_edition(edition: StandardEdition, user) -> Preview:
    """The latest year's self-checks of `edition`'s kind of community that `user` sees, old level and
    score (as stored) against new (the draft's evaluator over the same results, records and
    judgements)."""
    checks = SelfCheck.objects.visible_to(user).filter(community__kind=edition.applies_to)
    year = checks.aggregate(latest=Max("year"))["latest"]
    if year is None:
        return Preview(year=None)
    rows = list(
        checks.filter(year=year)
        .select_related("community__unit__parent")
        .only("community", "edition", "level", "score", "judgements", "results", "year")
        .order_by("edition_id", "community_id")
    )
    codes = [SelfCheck.NO_LEVEL, *edition.levels]
    preview = Preview(
        year=year, total=len(rows), levels=[(code, SelfCheck.level_label(code)) for code in codes]
    )
    evaluator = EditionEvaluator(edition)
    by_edition: dict[int, list[SelfCheck]] = {}
    for check in rows:
        by_edition.setdefault(check.edition_id, []).append(check)
    # One batch per chunk, as a run evaluates: each measure reads its rows once per chunk.
    changed = {edition_id: measured_again(evaluator, edition_id) for edition_id in by_edition}
    parts = [
        (part, changed[edition_id])
        for edition_id, members in by_edition.items()
        for part in chunks(members, settings.SELF_CHECK_CHUNK_SIZE)
    ]
    for part, changed in parts:
        batch = Batch([check.community for check in part], year)
        outcomes = evaluator.evaluate(
            batch,
            judgements={check.community_id: check.judgements for check in part},
            previous={check.community_id: check.results for check in part},
            changed=changed,
        )
        for check in part:
            outcome = outcomes[check.community_id]
            preview.matrix.setdefault(check.level, Counter())[outcome.level] += 1
            if outcome.level == check.level:
                continue
            preview.moved += 1
            if len(preview.moves) < MOVES_SHOWN:
                preview.moves.append(
                    Move(
                        community=check.community.name,
                        town=check.community.unit.name,
                        old_level=SelfCheck.level_label(check.level),
                        new_level=SelfCheck.level_label(outcome.level),
                        old_score=check.score,
                        new_score=outcome.score,
                    )
                )
    return preview
