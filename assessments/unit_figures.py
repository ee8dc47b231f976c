"""Figures over a unit, read off its self-checks of a year (no re-measuring): the programme targets
that docs/standards.md sets over a township or a city rather than over one community.

- direct election of urban residents' committees (U-ELECT), city target 60%;
- villages' cross-appointment of the two committees (V-CROSS's share, averaged over the villages,
  and how many villages reach it on their own);
- villages whose branch secretary is also the committee director (V-ONE's share, pooled over the
  unit: each village carries its town's share, and a unit holds whole towns);
- the year's enrolment share (communities in the creation activity), target about 20%.

The counting is done by the database (`aggregates`), one query for any number of self-checks; the
dashboards group the same aggregates by town.
"""

from collections import Counter
from fractions import Fraction

from django.db.models import Avg, Case, Count, IntegerField, Q, Sum, When

from communities.models import Community
from designations.models import Enrolment
from standards import thresholds
from standards.models import Indicator, StandardEdition

from .evaluator import evaluator_for
from .expressions import FailedHas, ResultValue, failed_counts

# docs/standards.md, U's programme targets: direct election in 60% of communities by 2015, and about 20%
# of communities entering the creation activity each year.
DIRECT_ELECTION_TARGET = Fraction(3, 5)
ENROLMENT_TARGET = Fraction(1, 5)

URBAN = Q(community__kind=Community.Kind.URBAN)
VILLAGE = Q(community__kind=Community.Kind.VILLAGE)


def percent(part, whole) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def count_if(condition):
    return Sum(Case(When(condition, then=1), default=0, output_field=IntegerField()))


# The indicators whose values the figures read (`ResultValue`); the rest of a self-check's results
# reach them only through its `failed` list, level and score.
CROSS, ONE = "V-CROSS", "V-ONE"


def reading(check) -> tuple:
    """What the figures read of a self-check besides its community and year: a re-evaluation that
    leaves this as it was leaves every figure as it was (and their cached answers standing)."""
    values = sorted((r["indicator"], r.get("value")) for r in check.results if r["indicator"] in (CROSS, ONE))
    # The points lost per section read the earned points of the items below full marks.
    short = sorted((r["indicator"], r.get("earned")) for r in check.results if r["passed"] is False)
    return (
        check.status,
        check.edition_id,
        check.level,
        check.proposed_level,
        check.score,
        tuple(check.failed),
        tuple(values),
        tuple(short),
    )


def aggregates() -> dict:
    """The sums behind `programme_rows`, for `aggregate()` or `values(...).annotate()`."""
    return {
        "urban": count_if(URBAN),
        "elect_failed": count_if(URBAN & FailedHas("U-ELECT")),
        "villages": count_if(VILLAGE),
        "cross_failed": count_if(VILLAGE & FailedHas(CROSS)),
        "cross_sum": Sum(ResultValue(CROSS), filter=VILLAGE),
        "cross_n": Count(ResultValue(CROSS), filter=VILLAGE),
        # A town's share, the same on each of its villages: one reading per village is enough.
        "one_avg": Avg(ResultValue(ONE), filter=VILLAGE),
    }


def edition_target(edition_ids, code: str) -> float | None:
    """The threshold of `code` in the first of the editions (ids, or a `values("edition_id")` query)
    that holds it."""
    edition = StandardEdition.objects.filter(pk__in=edition_ids, indicators__code=code).order_by("pk").first()
    rule = evaluator_for(edition).rules.get(code) if edition else None
    if rule is None or thresholds.is_measure_ref(rule.threshold):
        return None
    return round(float(thresholds.exact(rule.threshold) * 100), 1)


def additive(row: dict) -> dict:
    """An `aggregates()` row as sums that add up over towns (V-ONE's mean times its villages)."""
    sums = {key: row.get(key) or 0 for key in aggregates() if key != "one_avg"}
    sums["one_sum"] = (row.get("one_avg") or 0) * sums["villages"]
    return sums


def programme_rows(sums: dict, targets: dict) -> list[dict]:
    """U-ELECT, V-CROSS and V-ONE from `additive` sums; `targets`: {code: percent or None}."""
    return [
        target_row(
            "U-ELECT",
            "城市社区居委会直接选举覆盖率",
            percent(sums["urban"] - sums["elect_failed"], sums["urban"]),
            sums["urban"],
            float(DIRECT_ELECTION_TARGET * 100),
        ),
        target_row(
            "V-CROSS",
            "村“两委”成员交叉任职比例(各村平均)",
            percent(sums["cross_sum"], sums["cross_n"]),
            sums["villages"],
            targets.get("V-CROSS"),
            passing=sums["villages"] - sums["cross_failed"],
        ),
        target_row(
            "V-ONE",
            "书记、主任“一人兼”的村",
            # Each village carries its town's share: their mean is the share pooled over the unit.
            percent(sums["one_sum"], sums["villages"]),
            sums["villages"],
            targets.get("V-ONE"),
        ),
    ]


# The programme targets' short names, for a chart's axis (the rows' `label` is the full sentence).
TARGET_SHORT = {
    "ENROL": "创建活动比例",
    "U-ELECT": "直接选举",
    "V-CROSS": "交叉任职",
    "V-ONE": "一人兼",
    "V-5GOOD": "五个好",
    "T-6GOOD": "六个好",
    "R-NEW": "新建中心村",
    "R-321": "三二一工程",
}


def target_row(code, label, value, of, target, **extra) -> dict:
    met = None if value is None or target is None else value >= target
    return {
        "code": code,
        "label": label,
        "short": TARGET_SHORT.get(code, label),
        "percent": value,
        "of": of,
        "target": target,
        "met": met,
        **extra,
    }


def unit_figures(self_checks) -> list[dict]:
    """The programme rows of the given self-checks (already scoped), in one query plus the targets."""
    villages = self_checks.filter(VILLAGE).order_by().values("edition_id")
    targets = {code: edition_target(villages, code) for code in ("V-CROSS", "V-ONE")}
    return programme_rows(additive(self_checks.aggregate(**aggregates())), targets)


def enrolment_figure(communities, year: int) -> dict:
    """The share of `communities` (already scoped) enrolled in `year`'s creation activity."""
    total = communities.count()
    enrolled = Enrolment.objects.filter(community__in=communities, year=year).count()
    return target_row(
        "ENROL",
        "列入本年度创建活动的社区",
        percent(enrolled, total),
        total,
        float(ENROLMENT_TARGET * 100),
        enrolled=enrolled,
    )


def failures_and_gaps(self_checks, limit: int = 30, counted=None) -> tuple[list[dict], int, list[dict]]:
    """(indicators by failures, self-checks counted, indicators by gap-list appearances), most first.

    A gap is a failed item of a community below its edition's top level (the gap list of
    `SelfCheck.gaps`, less the items still to be judged, which every draft lists and which say
    nothing about where the community falls short).

    `counted`: ({edition id: self-checks}, {(edition id, level, code): failures}) when the caller
    counted them already (the dashboards count them per town); else they are counted here."""
    if counted is None:
        editions = Counter(dict(self_checks.values_list("edition_id").annotate(n=Count("pk")).order_by()))
        gaps: Counter = Counter()
        for _town, edition_id, level, code, count in failed_counts(self_checks):
            gaps[(edition_id, level, code)] += count
    else:
        editions, gaps = counted
    failed: Counter = Counter()
    for (edition_id, _level, code), count in gaps.items():
        failed[(edition_id, code)] += count
    indicators = {
        (indicator.edition_id, indicator.code): indicator
        for indicator in Indicator.objects.filter(edition_id__in=list(editions)).select_related("edition")
    }

    def row(edition_id, code, count):
        indicator = indicators.get((edition_id, code))
        return {
            "code": code,
            "indicator": indicator,
            "failures": count,
            "of": editions[edition_id],
            "percent": round(count * 100 / editions[edition_id], 1),
        }

    in_gap: Counter = Counter()
    for (edition_id, level, code), count in gaps.items():
        indicator = indicators.get((edition_id, code))
        if indicator is not None and _within_next_level(indicator, level):
            in_gap[(edition_id, code)] += count

    def most(counter):  # most first; ties by code, so that the answer is the same however counted
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
        return [row(*key, count) for key, count in ranked[:limit]]

    return most(failed), sum(editions.values()), most(in_gap)


def _within_next_level(indicator, reached: str) -> bool:
    """Whether a failed `indicator` is in the gap list of a community that reached `reached`: on a
    scoring sheet every item below full marks costs points toward the next level, so any item is,
    unless the community stands at the top already or the item is a bonus."""
    levels = list(indicator.edition.levels)
    position = levels.index(reached) + 1 if reached in levels else 0
    return position < len(levels) and not indicator.bonus


def most_failed(self_checks, limit: int = 30) -> tuple[list[dict], int]:
    """(indicator code, requirement, failures, share of self-checks) by failures, most first."""
    failed, checked, _ = failures_and_gaps(self_checks, limit)
    return failed, checked
