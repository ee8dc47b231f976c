"""The 评分表 vocabulary (docs/scoring.md): how an item is assessed (`Method`), how its points are earned
(`Scoring`), what a scoring rule's parameters and an edition's level bands may be, and how an item's
earned points follow from what was measured or judged.

Everything here is checked when an edition is saved (`validate_item`, `validate_min_scores`), so the
evaluator never meets a band table or a deduction it cannot apply.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.db import models

from core.measures import exact, is_plain_number


class Method(models.TextChoices):
    """考评方法: who finds out and how (docs/api.md `method`)."""

    SYSTEM = "system", "系统自动"
    DOCUMENTS = "documents", "材料审核"
    INSPECTION = "inspection", "实地察看"
    FORUM = "forum", "座谈会"
    SURVEY = "survey", "问卷调查"
    SATISFACTION = "satisfaction", "满意度测评"


class Scoring(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "达标得满分"
    PROPORTIONAL = "proportional", "按比例得分"
    DEDUCTION = "deduction", "缺项扣分"
    GRADED = "graded", "评审打分"
    BANDS = "bands", "分档得分"


# The methods each check kind may use: auto items are computed, evidence items judged by the district
# on documents, site items by the city on its visit.
METHODS_BY_CHECK = {
    "auto": (Method.SYSTEM,),
    "evidence": (Method.DOCUMENTS,),
    "site": (Method.INSPECTION, Method.FORUM, Method.SURVEY, Method.SATISFACTION),
}
# The visit methods, judged by the city.
VISIT_METHODS = METHODS_BY_CHECK["site"]
# Rules a reviewer's judgement can carry (auto items are measured, not judged).
JUDGED_SCORINGS = (Scoring.ALL_OR_NOTHING, Scoring.GRADED, Scoring.BANDS)
MEASURED_SCORINGS = (Scoring.ALL_OR_NOTHING, Scoring.PROPORTIONAL, Scoring.DEDUCTION, Scoring.BANDS)
# The rules each check kind may use (the editor offers these): a band table needs a measured value or
# the visit's satisfaction figure, which no 材料审核 judgement carries.
SCORINGS_BY_CHECK = {
    "auto": MEASURED_SCORINGS,
    "evidence": (Scoring.ALL_OR_NOTHING, Scoring.GRADED),
    "site": JUDGED_SCORINGS,
}
# Operators whose shortfall can be counted in units (deduction) or as a share achieved (proportional).
DEDUCTION_OPERATORS = ("gte", "lte", "between", "all_in")
PROPORTIONAL_OPERATORS = ("gte", "between", "all_in")
# Earned points are kept in half points at the finest (reviewers) and hundredths (computed shares).
CENT = Decimal("0.01")
HALF = Decimal("0.5")


def number(value) -> Decimal:
    """A JSON or form number as a Decimal, through its text (0.1 stays 0.1)."""
    return Decimal(str(value))


def points(value) -> Decimal:
    """Earned or full points, to the hundredth, rounded half up."""
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def to_json(value: Decimal | None):
    """Points as JSON numbers: 4 stays 4, 2.5 stays 2.5."""
    if value is None:
        return None
    value = points(value)
    return int(value) if value == value.to_integral_value() else float(value)


# ---- validation ---------------------------------------------------------------------------------


def _is_number(value) -> bool:
    return is_plain_number(value) and not isinstance(value, bool)


def band_errors(bands) -> list[str]:
    """A band table: [{"min": value, "share": 0…1}, …], minimums strictly falling, shares not rising."""
    if not isinstance(bands, list) or not bands:
        return ["分档表至少要有一档,每档写明最低值(min)和得分比例(share)。"]
    errors = []
    previous = None
    for position, band in enumerate(bands, start=1):
        if not isinstance(band, dict) or set(band) != {"min", "share"}:
            return [f'第{position}档须写成 {{"min": 最低值, "share": 得分比例}}。']
        low, share = band["min"], band["share"]
        if not _is_number(low) or not _is_number(share):
            return [f"第{position}档的最低值和得分比例必须是数字。"]
        if not 0 <= number(share) <= 1:
            errors.append(f"第{position}档的得分比例须在0至1之间。")
        if previous is not None:
            if number(low) >= number(previous["min"]):
                errors.append("各档最低值须由高到低排列,且互不相同。")
            if number(share) > number(previous["share"]):
                errors.append("最低值较低的一档,得分比例不能更高。")
        previous = band
    return errors


def validate_item(indicator, levels) -> dict[str, list[str]]:
    """Errors of an item's method, scoring rule, rule parameters, veto levels and bonus flag."""
    errors: dict[str, list[str]] = {}
    check = indicator.check_kind
    allowed = METHODS_BY_CHECK.get(check, ())
    if allowed and indicator.method not in allowed:
        labels = "、".join(Method(method).label for method in allowed)
        errors["method"] = [f"该判定方式的考评方法只能是:{labels}。"]
    scoring = indicator.scoring
    params = indicator.scoring_params if indicator.scoring_params not in (None, "") else {}
    if check == "auto" and scoring not in MEASURED_SCORINGS:
        errors["scoring"] = ["自动判定的指标由系统计算,不能由评审打分。"]
    elif check in ("evidence", "site") and scoring not in JUDGED_SCORINGS:
        errors["scoring"] = ["人工判定的指标只能达标得满分、评审打分或(满意度测评)分档得分。"]
    elif scoring == Scoring.PROPORTIONAL and indicator.operator not in PROPORTIONAL_OPERATORS:
        errors["scoring"] = ["按比例得分只适用于“不少于”“介于”“包含全部”三种比较方式。"]
    elif scoring == Scoring.DEDUCTION and indicator.operator not in DEDUCTION_OPERATORS:
        errors["scoring"] = ["缺项扣分只适用于“不少于”“不超过”“介于”“包含全部”四种比较方式。"]
    elif check == "evidence" and scoring == Scoring.BANDS:
        errors["scoring"] = ["材料审核的指标没有可分档的数值,请选择达标得满分或评审打分。"]
    elif check == "site" and scoring == Scoring.BANDS and indicator.method != Method.SATISFACTION:
        errors["scoring"] = ["实地评估的指标只有满意度测评可以分档得分(按满意度得分)。"]
    elif indicator.method == Method.SATISFACTION and scoring != Scoring.BANDS:
        errors["scoring"] = ["满意度测评按市级实地评估记录的满意度得分分档计分,请选择“分档得分”。"]
    if not isinstance(params, dict):
        errors["scoring_params"] = ["计分参数须为JSON对象。"]
    elif scoring == Scoring.DEDUCTION:
        per = params.get("per")
        if set(params) != {"per"} or not _is_number(per) or number(per) <= 0:
            errors["scoring_params"] = ['缺项扣分须写明每缺一个单位扣几分,如 {"per": 1},且大于0。']
    elif scoring == Scoring.BANDS:
        problems = band_errors(params.get("bands")) if set(params) == {"bands"} else band_errors(None)
        if problems:
            errors["scoring_params"] = problems
    elif params:
        errors["scoring_params"] = ["该计分规则不需要计分参数。"]
    veto = indicator.veto if indicator.veto not in (None, "") else []
    if not isinstance(veto, list) or not all(isinstance(level, str) for level in veto):
        errors["veto"] = ["一票否决的等级须为等级代码的列表。"]
    elif unknown := [level for level in veto if level not in levels]:
        errors["veto"] = [f"本标准没有等级:{'、'.join(unknown)}。"]
    elif len(set(veto)) != len(veto):
        errors["veto"] = ["一票否决的等级不能重复。"]
    elif veto and indicator.bonus:
        errors["veto"] = ["加分项不能同时是一票否决项。"]
    return errors


def validate_min_scores(levels, min_scores) -> dict[str, str]:
    """Each level's minimum score: a number 0–100, rising strictly from the lowest level up."""
    if not isinstance(min_scores, dict):
        return {"min_scores": '各等级最低得分须为JSON对象,如 {"qualified": 70, "model": 90}。'}
    unknown = [level for level in min_scores if level not in levels]
    if unknown:
        return {"min_scores": f"本标准没有等级:{'、'.join(unknown)}。"}
    missing = [level for level in levels if level not in min_scores]
    if missing:
        return {"min_scores": f"请为每个等级设定最低得分(缺:{'、'.join(missing)})。"}
    values = []
    for level in levels:
        value = min_scores[level]
        if not _is_number(value) or not 0 <= number(value) <= 100:
            return {"min_scores": "各等级最低得分须为0至100之间的数字。"}
        values.append(number(value))
    if any(higher <= lower for lower, higher in zip(values, values[1:], strict=False)):
        return {"min_scores": "等级越高,最低得分须越高(由低到高严格递增)。"}
    return {}


# ---- earning points -----------------------------------------------------------------------------


def band_share(bands: list[dict], value) -> Fraction:
    """The share of full marks the first band whose minimum `value` reaches gives (0 below them all)."""
    value = exact(value)
    for band in bands:
        if value >= exact(band["min"]):
            return exact(band["share"])
    return Fraction(0)


def earned_from_share(full: Decimal, share: Fraction) -> Decimal:
    """Full marks times a share, rounded down to the hundredth: a share short of 1 never rounds up to
    full marks (1999 of 2000 households earns 3.99 of 4, not 4)."""
    share = min(max(share, Fraction(0)), Fraction(1))
    exact_points = full * Decimal(share.numerator) / Decimal(share.denominator)
    return exact_points.quantize(CENT, ROUND_DOWN)


def judged_points(full: Decimal, entry: dict) -> Decimal:
    """One reviewer's points: `earned` when given, else full marks or nothing by `passed`."""
    if entry.get("earned") is not None:
        return number(entry["earned"])
    return full if entry.get("passed") else Decimal(0)


def describe_scoring(indicator) -> str:
    """The rule as the 评分表 prints it: "达标得满分", "每缺1项扣1分,扣完为止", "≥90得满分;≥80得60%"."""
    params = indicator.scoring_params or {}
    if indicator.scoring == Scoring.DEDUCTION and "per" in params:
        return f"每缺1个单位扣{to_json(number(params['per']))}分,扣完为止"
    if indicator.scoring == Scoring.BANDS and isinstance(params.get("bands"), list):
        parts = []
        for band in params["bands"]:
            try:
                share = number(band["share"])
                shown = "满分" if share == 1 else f"{to_json(share * 100)}%"
                parts.append(f"≥{band['min']}得{shown}")
            except (KeyError, TypeError, InvalidOperation):
                return Scoring.BANDS.label
        return ";".join(parts) + ";以下不得分"
    if indicator.scoring == Scoring.GRADED:
        return "评审在0至满分之间打分(0.5分一档)"
    if indicator.scoring == Scoring.PROPORTIONAL:
        return "按达到要求的比例得分"
    return Scoring.ALL_OR_NOTHING.label
