"""What a draft edition would do to the city: the latest year's self-checks of its kind of community,
in the officer's scope, evaluated again under the draft and compared with the levels they hold
(docs/standards.md, "Editions, versions and a city's own edition"). Nothing is written.

The standards app cannot import this app (it sits below it); `AssessmentsConfig.ready` installs
`preview_edition` into `standards.editing`, whose publish page shows it.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from core.measures import Batch
from standards.models import StandardEdition

from .evaluator import EditionEvaluator
from .models import SelfCheck
from .runs import chunks

# The communities that move are listed up to this many (the counts cover them all).
MOVES_SHOWN = 200


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
    score (as stored) against new (the draft's evaluator over the same records and judgements)."""
    checks = SelfCheck.objects.visible_to(user).filter(community__kind=edition.applies_to)
    year = checks.aggregate(latest=Max("year"))["latest"]
    if year is None:
        return Preview(year=None)
    rows = list(
        checks.filter(year=year)
        .select_related("community__unit__parent")
        .only("community", "level", "score", "judgements", "year")
        .order_by("community_id")
    )
    codes = [SelfCheck.NO_LEVEL, *edition.levels]
    preview = Preview(
        year=year, total=len(rows), levels=[(code, SelfCheck.level_label(code)) for code in codes]
    )
    evaluator = EditionEvaluator(edition)
    # One batch per chunk, as a run evaluates: each measure reads its rows once per chunk.
    for part in chunks(rows, settings.SELF_CHECK_CHUNK_SIZE):
        batch = Batch([check.community for check in part], year)
        outcomes = evaluator.evaluate(
            batch, judgements={check.community_id: check.judgements for check in part}
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
