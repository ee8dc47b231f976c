"""The one evaluator: judges communities against their standard edition, a batch at a time.

An auto indicator names a registered measure (`core.measures`), an operator and a threshold; each
measure is asked once per batch for all of its communities, so a run's queries grow with its chunks,
not with its communities. Evidence and site indicators take the reviewers' judgements and stay open
(`passed` and `earned` null) until judged.

Each item earns points by its scoring rule (`standards.sheet`, docs/scoring.md); score and levels:

- `score`: 100 × earned ÷ full marks over the applicable, non-bonus items (unjudged earn 0), rounded
  half up to 0.01, plus the earned bonus points up to the edition's cap, never above 100;
- `proposed_score`: the same with every unjudged item at full marks;
- `level`: the highest level whose minimum score `score` meets and whose veto items are all at full
  marks (unjudged: not); `proposed_level` the same with `proposed_score` and unjudged at full marks.
"""

import json
import logging
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from core.measures import LIST, MEASURES, NOT_APPLICABLE, Batch, Measure
from standards import sheet, thresholds
from standards.models import Indicator, StandardEdition

from .models import SelfCheck

PENDING_NOTES = {
    Indicator.Check.EVIDENCE: "待区县审核材料",
    Indicator.Check.SITE: "待市级实地评估",
}
NOT_APPLICABLE_NOTE = "不适用"
# An evidence item's pending note on the pages' gap list while it has no file (`gap_list`, `to_upload`).
UNFILED_NOTE = "尚未上传材料"
# An auto indicator whose parameters or threshold cannot be evaluated (an edition saved before they were
# validated, or written past validation): it fails with this note rather than stopping the chunk.
INVALID_RULE_NOTE = "该指标参数无效,请市社区办修改标准。"
# What a measure or a comparison raises on parameters it cannot use (31 November, text for a number, a
# zero divisor); database errors are not among them and still end the chunk (a transient one retries).
UNEVALUABLE = (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError)

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    results: list[dict]
    score: Decimal
    level: str
    proposed_level: str
    proposed_score: Decimal


def _params_key(key: str, params: dict) -> str:
    return f"measure:{key}:{json.dumps(params, sort_keys=True, ensure_ascii=False)}"


def _measured(batch: Batch, measure: Measure, params: dict, key: str | None = None) -> dict:
    """A measure's values for the batch; the same measure with the same parameters runs once (`key`:
    their `_params_key`, when the caller keeps it)."""
    return batch.rows(key or _params_key(measure.key, params), lambda: measure(batch, params))


# ---- showing numbers ----------------------------------------------------------------------------


def to_json(value):
    """A measured or expected value as JSON: ints stay ints, other numbers become floats (4 places)."""
    if value is None or value == NOT_APPLICABLE or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    number = thresholds.exact(value)
    if number.denominator == 1:
        return int(number)
    return round(float(number), 4)


def show(measure: Measure, value) -> str:
    """A value as a reader sees it: "66.7%", "是", "300平方米", "第一季度、第四季度"."""
    if value is None:
        return "无记录"
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_NOTE
    if measure.kind == LIST:
        return "、".join(str(measure.codes.get(code, code)) for code in value) or "无"
    number = thresholds.exact(value)
    if measure.yes_no:
        return "是" if number else "否"
    if not measure.unit:
        return f"{float(number * 100):.1f}%".replace(".0%", "%")
    if number.denominator == 1:
        return f"{number.numerator}{measure.unit}"
    shown = Decimal(number.numerator) / Decimal(number.denominator)
    return f"{shown.quantize(Decimal('0.01'), ROUND_HALF_UP).normalize():f}{measure.unit}"


def show_result(indicator: Indicator, value) -> str:
    """A stored result's value for a page (the JSON form: shares as floats, codes as lists)."""
    measure = MEASURES.get(indicator.measure) if indicator else None
    if measure is None or value is None:
        return "—" if value is None else str(value)
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_NOTE
    return show(measure, value)


def _show_bound(measure: Measure, bound) -> str:
    return show(measure, bound) if not measure.yes_no else str(to_json(bound))


# ---- one auto rule --------------------------------------------------------------------------------


_UNSET = object()


def _hashable(value):
    """A measured or expected value as a key: lists (codes, a between's bounds) as tuples, fractions
    as their two integers (hashing a Fraction computes a modular inverse each time)."""
    if value.__class__ is Fraction:
        return (value.numerator, value.denominator)
    if value.__class__ is list:
        return tuple(_hashable(item) for item in value)
    return value


class Rule:
    """An auto indicator compiled once per edition: its measure, parameters and threshold."""

    def __init__(self, indicator: Indicator):
        self.indicator = indicator
        self.measure = MEASURES.get(indicator.measure) if isinstance(indicator.measure, str) else None
        self.operator = indicator.operator
        self.threshold = indicator.threshold
        self.full = sheet.number(indicator.points)
        self.scoring = indicator.scoring
        self.scoring_params = indicator.scoring_params or {}
        self.invalid = False
        try:
            params = dict(indicator.params or {})
            self.exempt = set(params.pop("exempt_subtypes", []) or [])
            self.only = set(params.pop("only_subtypes", []) or [])
            self.reads = self._reads()
            # No measure reference in the threshold: the expected figure is the same for everyone.
            self.fixed_threshold = not thresholds.referenced_measures(self.threshold)
        except UNEVALUABLE:
            params, self.exempt, self.only, self.reads = {}, set(), set(), None
            self.fixed_threshold = False
            self.invalid = True
        self.params = params
        self._bounds: dict[str, tuple] = {}  # `_compiled`
        self._factors: dict[str, Fraction] = {}  # `_bound`

    def _reads(self) -> frozenset | None:
        """The records this rule's measure and the measures its threshold refers to read (None: not
        declared by one of them, or a measure missing)."""
        measures = [self.measure] + [
            MEASURES.get(ref.get("measure")) for ref in thresholds.referenced_measures(self.threshold)
        ]
        if any(measure is None or measure.reads is None for measure in measures):
            return None
        return frozenset(label for measure in measures for label in measure.reads)

    def reads_any(self, labels) -> bool:
        return self.reads is None or not self.reads.isdisjoint(labels)

    def applies(self, community) -> bool:
        if community.subtype in self.exempt:
            return False
        return not self.only or community.subtype in self.only

    def _compiled(self, name: str, bound):
        """A bound ready to resolve: ("number", the exact number) or ("measure", the measure or None,
        its parameters, their cache key). Compiled on first use and kept (as the factor is, by
        `_bound`), so that a threshold the edition cannot evaluate still raises where it is judged,
        failing the item with `INVALID_RULE_NOTE`, rather than when the edition is loaded."""
        if name not in self._bounds:
            if thresholds.is_measure_ref(bound):
                params = bound.get("params") or {}
                measure = MEASURES.get(bound["measure"])
                self._bounds[name] = (
                    "measure",
                    measure,
                    params,
                    _params_key(measure.key, params) if measure else "",
                )
            else:
                self._bounds[name] = ("number", thresholds.exact(bound))
        return self._bounds[name]

    def _bound(self, batch: Batch, name: str, bound, pk: int):
        """A number, or a measure reference resolved for community `pk` (None when it has no data);
        `name` says which bound of the threshold it is ("min", "max" or "" for the only one)."""
        compiled = self._compiled(name, bound)
        if compiled[0] == "number":
            return compiled[1]
        _, measure, params, cache_key = compiled
        if measure is None:
            return None
        value = _measured(batch, measure, params, cache_key).get(pk)
        if value is None or value == NOT_APPLICABLE:
            return None
        if name not in self._factors:
            self._factors[name] = thresholds.exact(bound["factor"])
        return thresholds.exact(value) * self._factors[name]

    def expected(self, batch: Batch, pk: int):
        if self.operator == thresholds.ALL_IN:
            return list(self.threshold)
        if self.operator == thresholds.BETWEEN:
            return [
                self._bound(batch, "min", self.threshold["min"], pk),
                self._bound(batch, "max", self.threshold["max"], pk),
            ]
        return self._bound(batch, "", self.threshold, pk)

    def invalid_result(self) -> dict:
        return {
            "indicator": self.indicator.code,
            "passed": False,
            "value": None,
            "expected": None,
            "note": INVALID_RULE_NOTE,
            "earned": 0,
            "points": sheet.to_json(self.full),
            "applicable": True,
        }

    def measured(self, batch: Batch) -> dict | None:
        """The measure's values for the batch; None when the rule's parameters cannot be evaluated
        (logged with the edition and its city, once per batch)."""
        if self.measure is None:
            return {}
        try:
            if self.invalid:
                raise ValueError(f"parameters {self.indicator.params!r} are not a JSON object of lists")
            return _measured(batch, self.measure, self.params)
        except UNEVALUABLE:
            self.log_invalid(batch)
            return None

    def log_invalid(self, batch: Batch) -> None:
        """Log the exception being handled, once per batch (not once per community)."""
        batch.rows(f"invalid:{self.indicator.code}", self._log_invalid)

    def _log_invalid(self) -> bool:
        edition = self.indicator.edition
        logger.exception(
            "indicator %s of edition %s (city %s) cannot be evaluated: params %r, threshold %r",
            self.indicator.code,
            edition.pk,
            edition.tenant_id,
            self.indicator.params,
            self.threshold,
        )
        return True

    def judge(self, batch: Batch, values: dict | None) -> dict[int, dict]:
        """The results of the batch's communities by id (`values`: the measure's for the batch, None
        when they could not be measured); a parameter or threshold that cannot be evaluated fails the
        indicator with `INVALID_RULE_NOTE` rather than raising.

        A result depends on the value and the expected figure alone, and in a chunk many communities
        share both (every yes/no item, most counts): each pair is judged once per batch, and the
        others get a copy of its result (docs/benchmarks.md, "Nearer the floor")."""
        if values is None:
            return {pk: self.invalid_result() for pk in batch.ids}
        if self.measure is None:  # validation refuses unknown keys; an app removed since would land here
            return {pk: self.unavailable_result() for pk in batch.ids}
        off_sheet = self.off_sheet_result()
        judged: dict[tuple, dict] = {}
        results = {}
        expected = expected_key = _UNSET
        for pk, community in batch.communities.items():
            value = values.get(pk)
            if (value.__class__ is str and value == NOT_APPLICABLE) or not self.applies(community):
                results[pk] = off_sheet.copy()
                continue
            try:
                if expected is _UNSET or not self.fixed_threshold:  # a fixed one is resolved once
                    expected = self.expected(batch, pk)
                    expected_key = _hashable(expected)
                key = (value.__class__, value if value.__class__ is int else _hashable(value), expected_key)
                result = judged.get(key)
                if result is None:
                    result = judged[key] = self._judged(value, expected)
                results[pk] = result.copy()
            except UNEVALUABLE:
                self.log_invalid(batch)
                results[pk] = self.invalid_result()
        return results

    def unavailable_result(self) -> dict:
        return {
            "indicator": self.indicator.code,
            "passed": False,
            "value": None,
            "expected": None,
            "note": f"测量项“{self.indicator.measure}”不可用,请联系管理员。",
            "earned": 0,
            "points": sheet.to_json(self.full),
            "applicable": True,
        }

    def off_sheet_result(self) -> dict:
        """Not applicable to the community: off its sheet, so its points leave the denominator
        (docs/scoring.md, "applicability")."""
        return {
            "indicator": self.indicator.code,
            "passed": True,
            "value": NOT_APPLICABLE,
            "expected": None,
            "note": NOT_APPLICABLE_NOTE,
            "earned": None,
            "points": sheet.to_json(self.full),
            "applicable": False,
        }

    def _judged(self, value, expected) -> dict:
        """The result of a value against its expected figure (both resolved)."""
        full = sheet.to_json(self.full)
        missing_bound = expected is None or (isinstance(expected, list) and None in expected)
        met = not missing_bound and thresholds.compare(self.operator, value, expected)
        earned = self.earned(value, expected, met, missing_bound)
        passed = earned >= self.full
        result = {
            "indicator": self.indicator.code,
            "passed": passed,
            "value": to_json(value),
            "expected": to_json(expected),
            "note": "",
            "earned": sheet.to_json(earned),
            "points": full,
            "applicable": True,
        }
        if not passed:
            result["note"] = self.explain(value, expected) if not met else f"{self.explain_points(earned)}"
        return result

    def earned(self, value, expected, met: bool, missing_bound: bool) -> Decimal:
        """The item's points by its scoring rule (docs/scoring.md)."""
        if self.scoring == sheet.Scoring.BANDS:
            if value is None:
                return Decimal(0)
            return sheet.earned_from_share(self.full, sheet.band_share(self.scoring_params["bands"], value))
        if met:
            return self.full
        if value is None or missing_bound or self.scoring == sheet.Scoring.ALL_OR_NOTHING:
            return Decimal(0)
        if self.scoring == sheet.Scoring.DEDUCTION:
            lost = sheet.number(self.scoring_params["per"]) * Decimal(self.missing_units(value, expected))
            return max(Decimal(0), sheet.points(self.full - lost))
        return sheet.earned_from_share(self.full, self.achieved(value, expected))

    def explain_points(self, earned: Decimal) -> str:
        return f"得{sheet.to_json(earned)}分(满分{sheet.to_json(self.full)}分)。"

    def gap(self, value, expected) -> Fraction:
        """How far `value` is from `expected`, in the measure's own numbers (0 when it is met); the same
        figure the gap list shows and a deduction counts."""
        value = thresholds.exact(value)
        if self.operator == thresholds.BETWEEN:
            low, high = (thresholds.exact(bound) for bound in expected)
            return low - value if value < low else max(value - high, Fraction(0))
        target = thresholds.exact(expected)
        if self.operator == thresholds.LTE:
            return max(value - target, Fraction(0))
        if self.operator == thresholds.GTE:
            return max(target - value, Fraction(0))
        return abs(target - value)

    def missing_units(self, value, expected) -> int:
        """Units a deduction counts: missing items of a list, whole units of a count or an area, and
        percentage points of a share, each part counted as a whole unit."""
        if self.operator == thresholds.ALL_IN:
            return len([code for code in expected if code not in set(value or [])])
        gap = self.gap(value, expected)
        if not self.measure.unit and not self.measure.yes_no:
            gap *= 100
        return math.ceil(gap)

    def achieved(self, value, expected) -> Fraction:
        """The share of the requirement reached, for a proportional item (capped at 1 by the caller)."""
        if self.operator == thresholds.ALL_IN:
            wanted = list(expected)
            return Fraction(len([code for code in wanted if code in set(value or [])]), len(wanted) or 1)
        value = thresholds.exact(value)
        if self.operator == thresholds.BETWEEN:
            low, high = (thresholds.exact(bound) for bound in expected)
            if value < low:
                return value / low if low > 0 else Fraction(1)
            return high / value if value > high else Fraction(1)
        target = thresholds.exact(expected)
        return value / target if target > 0 else Fraction(1)

    def shortfall(self, value, expected) -> str:
        """What is missing, as the advice's {missing}: codes not yet there, or the difference."""
        measure = self.measure
        if self.operator == thresholds.ALL_IN:
            have = set(value or [])
            return "、".join(str(measure.codes.get(code, code)) for code in expected if code not in have)
        if value is None or expected is None:
            return ""
        gap = self.gap(value, expected)
        if measure.whole:
            gap = Fraction(math.ceil(gap))
        if measure.unit:
            return show(measure, gap)[: -len(measure.unit)]
        return show(measure, gap)

    def explain(self, value, expected) -> str:
        measure = self.measure
        if value is None:
            return f"尚无“{measure.label}”的相关记录。"
        if self.operator == thresholds.BETWEEN:
            shown_expected = "—".join(_show_bound(measure, bound) for bound in expected)
        elif self.operator == thresholds.ALL_IN:
            shown_expected = "、".join(str(measure.codes.get(code, code)) for code in expected)
        else:
            shown_expected = _show_bound(measure, expected) if expected is not None else "无法确定"
        shown = {
            "value": show(measure, value).removesuffix(measure.unit)
            if measure.unit
            else show(measure, value),
            "expected": shown_expected.removesuffix(measure.unit) if measure.unit else shown_expected,
            "missing": self.shortfall(value, expected),
        }
        advice = self.indicator.advice
        if advice:
            return advice.format(**shown)
        readable = thresholds.describe(measure.key, self.operator, self.threshold)
        return f"{measure.label}为{show(measure, value)},要求{readable}。"


# ---- an edition over a batch ----------------------------------------------------------------------


class EditionEvaluator:
    """Judges a batch of communities against one edition."""

    def __init__(self, edition: StandardEdition, indicators: list[Indicator] | None = None):
        self.edition = edition
        self.indicators = (
            indicators if indicators is not None else list(edition.indicators.order_by("order", "pk"))
        )
        self.by_code = {indicator.code: indicator for indicator in self.indicators}
        self.rules = {
            indicator.code: Rule(indicator)
            for indicator in self.indicators
            if indicator.check_kind == Indicator.Check.AUTO
        }
        self.levels = list(edition.levels)
        self.min_scores = {level: edition.min_score(level) for level in self.levels}
        self.vetoes = {
            level: [indicator.code for indicator in self.indicators if level in (indicator.veto or [])]
            for level in self.levels
        }
        self.bonus_cap = sheet.number(edition.bonus_cap)
        self.full_marks = [sheet.number(indicator.points) for indicator in self.indicators]
        # An evidence or visit item nobody has judged: the same pending result for every community.
        self.unjudged = {
            indicator.code: self.judged(indicator, None)
            for indicator in self.indicators
            if indicator.check_kind != Indicator.Check.AUTO
        }

    def evaluate(
        self,
        batch: Batch,
        judgements: dict[int, dict] | None = None,
        previous: dict[int, list[dict]] | None = None,
        changed: set[str] | None = None,
    ) -> dict[int, Outcome]:
        """Outcomes per community of the batch. Given the `previous` results of every community and
        the records `changed` since (model labels), only the rules reading those are measured again;
        the others keep their previous results (what a saved activity cannot have moved)."""
        judgements = judgements or {}
        kept = {pk: {r["indicator"]: r for r in results} for pk, results in (previous or {}).items()}
        rules = self.rules
        if changed is not None and all(self.rules.keys() <= kept.get(pk, {}).keys() for pk in batch.ids):
            rules = {code: rule for code, rule in self.rules.items() if rule.reads_any(changed)}
        judged_by_rule = {code: rule.judge(batch, rule.measured(batch)) for code, rule in rules.items()}
        outcomes = {}
        for pk in batch.ids:
            judged = judgements.get(pk) or {}
            results = []
            for indicator in self.indicators:
                code = indicator.code
                if code in rules:
                    results.append(judged_by_rule[code][pk])
                elif code in self.rules:
                    results.append(kept[pk][code])
                elif code in judged:
                    results.append(self.judged(indicator, judged[code]))
                else:  # not judged yet, as every item is at a year's first run
                    results.append(self.unjudged[code].copy())
            outcomes[pk] = self.outcome(results)
        return outcomes

    @staticmethod
    def judged(indicator: Indicator, judgement: dict | None) -> dict:
        """An evidence or visit item's result from its judgement: one reviewer's, or several city
        officers' (`scores`, their mean counts), or the satisfaction figure of the site visit (`value`,
        through the item's band table)."""
        full = sheet.number(indicator.points)
        result = {
            "indicator": indicator.code,
            "passed": None,
            "value": None,
            "expected": None,
            "note": PENDING_NOTES[indicator.check_kind],
            "earned": None,
            "points": sheet.to_json(full),
            "applicable": True,
        }
        judgement = judgement or {}
        if indicator.scoring == sheet.Scoring.BANDS:
            if judgement.get("value") is None:
                result["note"] = "待市级实地评估记录满意度"
                return result
            earned = sheet.earned_from_share(
                full,
                sheet.band_share((indicator.scoring_params or {}).get("bands") or [], judgement["value"]),
            )
            result.update(value=to_json(thresholds.exact(judgement["value"])), note=judgement.get("note", ""))
        else:
            entries = judgement_entries(judgement)
            if not entries:
                return result
            earned = sheet.points(sum(sheet.judged_points(full, entry) for entry in entries) / len(entries))
            if "scores" in judgement:
                result["judgements"] = [
                    {key: entry.get(key) for key in ("by", "by_name", "earned", "passed", "note", "at")}
                    for entry in entries
                ]
            result["note"] = "；".join(entry["note"] for entry in entries if entry.get("note"))
        result.update(passed=earned >= full, earned=sheet.to_json(earned))
        return result

    def outcome(self, results: list[dict]) -> Outcome:
        earned = reachable = full = bonus = bonus_open = Decimal(0)
        for indicator, points, result in zip(self.indicators, self.full_marks, results, strict=True):
            if result.get("applicable") is False:
                continue
            got = result_earned(indicator, result)
            if indicator.bonus:
                bonus += got or 0
                bonus_open += points if got is None and result.get("passed") is None else 0
                continue
            full += points
            earned += got or 0
            reachable += points if got is None and result.get("passed") is None else (got or 0)
        score = self.total(earned, full, bonus)
        by_code = {result["indicator"]: result for result in results}
        proposed_score = self.total(reachable, full, bonus + bonus_open)
        return Outcome(
            results=results,
            score=score,
            level=self.level(by_code, open_passes=False, score=score),
            proposed_level=self.level(by_code, open_passes=True, score=proposed_score),
            proposed_score=proposed_score,
        )

    def total(self, earned: Decimal, full: Decimal, bonus: Decimal) -> Decimal:
        scaled = earned * 100 / full if full else Decimal(0)
        return min(sheet.points(scaled + min(bonus, self.bonus_cap)), Decimal(100))

    def level(self, by_code: dict[str, dict], open_passes: bool, score: Decimal) -> str:
        """The highest level whose minimum score is met and whose veto items are at full marks
        (`by_code`: the results by item code)."""

        def at_full(code: str) -> bool:
            result = by_code.get(code)
            if result is None or result.get("applicable") is False:
                return True
            if result.get("passed") is None:
                return open_passes
            return bool(result["passed"])

        for level in reversed(self.levels):
            if score >= self.min_scores[level] and all(at_full(code) for code in self.vetoes[level]):
                return level
        return SelfCheck.NO_LEVEL


def judgement_entries(judgement: dict | None) -> list[dict]:
    """The reviewers' judgements of one item: several city officers' `scores`, or the one judgement."""
    if not judgement:
        return []
    if "scores" in judgement:
        return [
            entry
            for entry in judgement["scores"]
            if entry.get("earned") is not None or entry.get("passed") is not None
        ]
    if judgement.get("earned") is None and judgement.get("passed") is None:
        return []
    return [judgement]


# Published editions never change, so their compiled evaluators are kept for the process's lifetime.
# Keyed with the publication time too: an id freed by a rolled-back transaction may come back.
_evaluators: dict[tuple, EditionEvaluator] = {}


def evaluator_for(edition: StandardEdition) -> EditionEvaluator:
    if not edition.is_published:
        return EditionEvaluator(edition)
    key = (edition.pk, edition.published_at)
    if key not in _evaluators:
        _evaluators[key] = EditionEvaluator(edition)
    return _evaluators[key]


def current_params(community, measure_key: str) -> dict:
    """The parameters that the community's current edition gives `measure_key`: on the first auto
    indicator naming it, or on a threshold referring to it (e.g. U-FUND's work-fund tiers)."""
    edition = StandardEdition.objects.current_for(community.unit.tenant_id, community.kind)
    if edition is None:
        return {}
    for indicator in evaluator_for(edition).indicators:
        if indicator.measure == measure_key:
            return dict(indicator.params or {})
        for ref in thresholds.referenced_measures(indicator.threshold):
            if ref.get("measure") == measure_key:
                return dict(ref.get("params") or {})
    return {}


# ---- the gap list ---------------------------------------------------------------------------------


def result_earned(indicator: Indicator, result: dict) -> Decimal | None:
    """A result's earned points; a result stored before items had points (a self-check decided then,
    its results kept as they were) earned its full marks when passed."""
    if "earned" in result:
        return None if result["earned"] is None else sheet.number(result["earned"])
    if result.get("passed") is None:
        return None
    return sheet.number(indicator.points) if result["passed"] else Decimal(0)


def _short(requirement: str, length: int = 40) -> str:
    return requirement if len(requirement) <= length else f"{requirement[:length]}…"


def _with_points(reason: str, recoverable: Decimal) -> str:
    """A shortfall and what fixing it is worth: "社区社会组织8个,还需2个,可得4分。" (an advice ends
    with "。", which the points clause takes over)."""
    return f"{reason.rstrip('。.;；, ')},可得{sheet.to_json(recoverable)}分。"


def filled_result(indicator: Indicator | None, result: dict) -> dict:
    """A stored result as the API and the page show it, with `earned`, `points` and `applicable`. A
    result stored before items had points (a self-check decided then keeps its results as they were,
    docs/scoring.md) gets them from its edition: full marks from the item, earned by `result_earned`,
    applicable unless its value was not applicable. The stored JSON is left as it is."""
    if indicator is None or {"earned", "points", "applicable"} <= result.keys():
        return result
    applicable = result.get("value") != NOT_APPLICABLE
    return {
        **result,
        "earned": sheet.to_json(result_earned(indicator, result)) if applicable else None,
        "points": sheet.to_json(sheet.number(indicator.points)),
        "applicable": applicable,
    }


def gap_list(self_check: SelfCheck, to_upload: frozenset[str] = frozenset()) -> list[dict]:
    """What stands between the community and the next level up, in points (docs/scoring.md): each
    applicable item below full marks with the points it would recover (full marks less earned, for
    every scoring rule: "社区社会组织8个,还需2个,可得4分。"). What the town can fix in its own records
    comes first (`town`), then items a reviewer marked down, then items awaiting review (`pending`,
    worth their full marks, apart since nobody has found them short yet); within each, veto items of
    the target level first, bonus items last, then the most points first. A score below the level's
    minimum comes before them all (`indicator` empty, `points` the score points missing).

    `to_upload` names the evidence items that have no file yet (the pages pass them): the town can
    fix those itself, so they rank with its items (`upload`) and say so, until a file is uploaded."""
    edition = self_check.edition
    target = self_check.next_level
    if target is None:
        return []
    by_code = evaluator_for(edition).by_code
    gaps = []
    for result in self_check.results:
        indicator = by_code.get(result["indicator"])
        if indicator is None or result.get("applicable") is False or result["passed"]:
            continue
        full = sheet.number(indicator.points)
        earned = result_earned(indicator, result)
        upload = earned is None and indicator.code in to_upload
        if earned is None:
            recoverable = full
            note = UNFILED_NOTE if upload else result["note"]
            text = _with_points(f"{_short(indicator.requirement)}({note})", recoverable)
        else:
            recoverable = full - earned
            text = _with_points(result["note"] or _short(indicator.requirement), recoverable)
        gaps.append(
            {
                "indicator": indicator.code,
                "level": indicator.level,
                "text": text,
                "points": sheet.to_json(recoverable),
                "veto": target in (indicator.veto or []),
                "bonus": indicator.bonus,
                "pending": earned is None,
                "town": indicator.check_kind == Indicator.Check.AUTO,
                "upload": upload,
            }
        )
    gaps.sort(
        key=lambda gap: (
            gap["pending"] and not gap["upload"],
            not (gap["town"] or gap["upload"]),
            not gap["veto"],
            gap["bonus"],
            -gap["points"],
        )
    )
    minimum = edition.min_score(target)
    if self_check.score < minimum:
        short = sheet.to_json(minimum - self_check.score)
        gaps.insert(
            0,
            {
                "indicator": "",
                "level": target,
                "text": f"得分{sheet.to_json(self_check.score)}分,“{self_check.next_level_display}”须不低于"
                f"{sheet.to_json(minimum)}分,还差{short}分。",
                "points": short,
                "veto": False,
                "bonus": False,
                "pending": False,
                "town": False,
                "upload": False,
            },
        )
    return gaps


def gap_summary(gaps: list[dict]) -> dict:
    """The gap list as the pages show it: the minimum-score row (`minimum`, None once met) and the
    score points it names (`short`, else 0), the veto items not yet at full marks (`vetoes`), and the
    items in three groups: what the town fixes in its own records or by uploading a missing file
    (`town`), items a reviewer marked down (`judged`) and items awaiting review (`pending`)."""
    minimum = next((gap for gap in gaps if not gap["indicator"]), None)
    items = [gap for gap in gaps if gap["indicator"]]
    fixable = [gap for gap in items if gap["upload"] or (gap["town"] and not gap["pending"])]
    return {
        "minimum": minimum,
        "short": minimum["points"] if minimum else 0,
        "vetoes": sum(1 for gap in items if gap["veto"]),
        "town": fixable,
        "judged": [gap for gap in items if not gap["town"] and not gap["pending"]],
        "pending": [gap for gap in items if gap["pending"] and not gap["upload"]],
    }
