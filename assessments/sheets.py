"""One self-check's printed 评分表 (docs/scoring.md, "The printed sheet"): the edition's tree from
`standards.printing` with the three score columns filled from the results.

- 自评分 (the town's): the computed items' points as the town submitted them (the approval snapshot
  once the district approved, else the current results); items that reviewers judge stay blank.
- 初审分 (the district's), once approved: the computed and 材料审核 items as the snapshot holds them.
- 验收分 (the city's), once the district approved: every item as it now stands, a visit item judged
  by several officers at their mean.

Each column's 总分 and 达到等级 come from the evaluator (`EditionEvaluator.outcome`) over that column's
items, a blank item earning nothing, so the 验收分 total is the self-check's `score`.
"""

from standards import printing
from standards.models import Indicator

from .evaluator import evaluator_for, result_earned
from .models import SelfCheck


def _pending(indicator: Indicator, result: dict | None) -> dict:
    """An item the column leaves blank: unjudged, but still off the sheet where it does not apply."""
    applicable = (result or {}).get("applicable", True)
    return {"indicator": indicator.code, "passed": None, "earned": None, "applicable": applicable}


def _column(indicators, results: dict, current: dict, kinds) -> list[dict]:
    """One column's results, in the edition's order: those of the check kinds `kinds` from `results`,
    the others blank."""
    return [
        results.get(indicator.code) or _pending(indicator, current.get(indicator.code))
        if indicator.check_kind in kinds
        else _pending(indicator, current.get(indicator.code))
        for indicator in indicators
    ]


def _cell(indicator: Indicator, result: dict):
    if result.get("applicable") is False:
        return printing.NOT_APPLICABLE
    earned = result_earned(indicator, result)
    return "" if earned is None else earned


def score_sheet(check: SelfCheck) -> printing.Sheet:
    evaluator = evaluator_for(check.edition)
    indicators = evaluator.indicators
    current = {result["indicator"]: result for result in check.results}
    approved = check.status in SelfCheck.APPROVED_STATUSES and bool((check.snapshot or {}).get("results"))
    kept = {result["indicator"]: result for result in check.snapshot["results"]} if approved else current
    Check = Indicator.Check
    columns = [
        _column(indicators, kept, current, {Check.AUTO}) if current else None,
        _column(indicators, kept, current, {Check.AUTO, Check.EVIDENCE}) if approved else None,
        _column(indicators, current, current, set(Check)) if approved else None,
    ]
    scores = {
        indicator.code: tuple(
            "" if column is None else _cell(indicator, column[position]) for column in columns
        )
        for position, indicator in enumerate(indicators)
    }
    outcomes = [None if column is None else evaluator.outcome(column) for column in columns]
    totals = tuple("" if outcome is None else outcome.score for outcome in outcomes)
    levels = tuple("" if outcome is None else SelfCheck.level_label(outcome.level) for outcome in outcomes)
    community = check.community
    town = community.unit
    lines = [
        f"社区名称:{community.name}  所属:{town.parent.name if town.parent else ''} {town.name}  "
        f"年度:{check.year}",
        f"状态:{check.get_status_display()}  得分:{check.score}(预计得分 {check.proposed_score})  "
        f"达到等级:{check.level_display}",
    ]
    if approved:
        lines.append(f"初审分按区县审核通过时的结果(快照时间 {check.snapshot.get('taken_at', '')[:16]})。")
    return printing.build(check.edition, lines, scores, totals, levels)


def file_name(check: SelfCheck) -> str:
    return f"{check.community.name}{check.year}年度评分表"
