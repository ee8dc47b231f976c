"""What an auto indicator's rule may say, how its numbers are read, and how it reads in Chinese.

A rule is a measure (a key of the registry `core.measures.MEASURES`) with its parameters, an operator and a
threshold. Thresholds are JSON:

- a number: `300`, `0.5`;
- an exact fraction: `{"numerator": 2, "denominator": 3}`;
- a measure times a factor (a number or an exact fraction): `{"measure": "residents", "factor": 0.1}`,
  `{"measure": "station_area_m2", "factor": {"numerator": 2, "denominator": 3}}`, optionally with the
  referenced measure's own parameters: `{"measure": "work_fund_due", "factor": 1, "params": {...}}`;
- for `between`: `{"min": bound, "max": bound}`, each bound one of the three forms above (inclusive);
- for `all_in`: a list of codes the measure's list must all contain, e.g. `[1, 4]` (quarters).

Numbers are compared as exact fractions (`exact`): a JSON number is read through its decimal text, so
0.1 is 1/10 and 200 m² of 300 m² is exactly 2/3. Nothing is ever evaluated as code.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from communities.models import Community
from core.measures import LIST, MEASURES, Measure, exact, is_fraction, is_plain_number

GTE, LTE, EQ, BETWEEN, ALL_IN = "gte", "lte", "eq", "between", "all_in"

# Parameters every measure accepts; the evaluator applies them (docs/measures.md, "Parameters of every measure").
GENERIC_PARAMS = {
    "exempt_subtypes": "不适用的社区类型",
    "only_subtypes": "仅适用的社区类型",
}
SYMBOLS = {GTE: "≥", LTE: "≤", EQ: "="}


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_measure_ref(value) -> bool:
    return isinstance(value, dict) and "measure" in value


def compare(operator: str, value, expected) -> bool:
    """Whether a measured `value` meets `expected` (measure references already resolved to numbers:
    a number for ≥ ≤ =, a (min, max) pair for `between`, a list of codes for `all_in`).
    A missing value (None) never meets anything."""
    if value is None:
        return False
    if operator == ALL_IN:
        return set(expected) <= set(value)
    value = exact(value)
    if operator == BETWEEN:
        low, high = expected
        return exact(low) <= value <= exact(high)
    target = exact(expected)
    return {GTE: value >= target, LTE: value <= target, EQ: value == target}[operator]


def referenced_measures(threshold) -> list[dict]:
    """The measure references a threshold needs resolved ({"measure", "factor", "params"?})."""
    if is_measure_ref(threshold):
        return [threshold]
    if isinstance(threshold, dict) and set(threshold) == {"min", "max"}:
        return [bound for bound in (threshold["min"], threshold["max"]) if is_measure_ref(bound)]
    return []


# ---- validation: {field: [Chinese messages]} -------------------------------------------------------


def validate_params(measure_key: str, params, field: str = "params") -> dict[str, list[str]]:
    if params in (None, ""):
        return {}
    if not isinstance(params, dict):
        return {field: ['参数须为 JSON 对象,如 {"kind": "social"}。']}
    measure = MEASURES.get(measure_key)
    allowed = {**(measure.params if measure else {}), **GENERIC_PARAMS}
    errors = []
    unknown = [name for name in params if name not in allowed]
    if unknown:
        errors.append(
            f"测量项“{measure_key}”没有参数:{'、'.join(unknown)}"
            f"(可用:{'、'.join(allowed) if allowed else '无'})。"
        )
    subtypes = set(Community.Subtype.values)
    for name in GENERIC_PARAMS:
        if name in params:
            listed = params[name]
            if not isinstance(listed, list) or not all(
                isinstance(code, str) and code in subtypes for code in listed
            ):
                errors.append(f"参数“{name}”须为社区类型代码的列表:{'、'.join(sorted(subtypes))}。")
    if measure is not None:
        errors += measure_param_errors(measure, params)
    return {field: errors} if errors else {}


# The year a day of the year is tried in: not a leap year, so that a deadline exists every year.
COMMON_YEAR = 2023


def _param_value_errors(measure: Measure, name: str, value, default) -> list[str]:
    """A parameter's value against its declaration: the type of its default, its codes."""
    label = f"参数“{measure.params.get(name, name)}”"
    codes = measure.param_codes.get(name)
    if isinstance(default, bool):
        return [] if isinstance(value, bool) else [f"{label}须为是或否(true/false)。"]
    if isinstance(default, int | float):
        if is_plain_number(value) and value >= 0:
            return []
        return [f"{label}须为不小于0的数字。"]
    if isinstance(default, Fraction | Decimal):
        if (is_plain_number(value) and value >= 0) or is_fraction(value):
            return []
        return [f'{label}须为不小于0的数字或分数(如 {{"numerator": 1, "denominator": 2}})。']
    if codes:

        def known(code):
            return isinstance(code, str) and code in codes

        if known(value) or (default is None and isinstance(value, list) and value and all(map(known, value))):
            return []
        listed = "、".join(codes)
        either = "之一,或这些代码的列表" if default is None else "之一"
        return [f"{label}须为以下代码{either}:{listed}。"]
    if isinstance(default, str) and not isinstance(value, str):
        return [f"{label}须为文字。"]
    return []


def measure_param_errors(measure: Measure, params: dict) -> list[str]:
    """What in `params` the measure cannot be computed with: a value not of its declared kind (a
    number below 0, text for a number, an unknown code), a divisor of 0, a day that does not exist
    every year (31 November, 29 February). Parameters left out take the measure's defaults."""
    defaults = measure.defaults()
    errors = []
    refused = set()
    for name, value in params.items():
        if name not in measure.params:
            continue
        check = measure.param_checks.get(name)
        found = check(value) if check else _param_value_errors(measure, name, value, defaults.get(name))
        errors += found
        refused |= {name} if found else set()
        if not found and name in measure.param_divisors and exact(value) == 0:
            errors.append(f"参数“{measure.params[name]}”须大于0。")
    for label, (month_name, day_name) in measure.param_dates.items():
        if (month_name not in params and day_name not in params) or {month_name, day_name} & refused:
            continue
        month = params.get(month_name, defaults.get(month_name))
        day = params.get(day_name, defaults.get(day_name))
        whole = [isinstance(part, int) and not isinstance(part, bool) for part in (month, day)]
        if not whole[0] or not 1 <= month <= 12:
            errors.append(f"{measure.params[month_name]}须为1至12的整数。")
        elif not whole[1] or not 1 <= day <= 31:
            errors.append(f"{measure.params[day_name]}须为1至31的整数。")
        elif month == 2 and day == 29:
            errors.append(f"{label}2月29日并非每年都有,请填写每年都存在的日期(如2月28日)。")
        else:
            try:
                date(COMMON_YEAR, month, day)
            except ValueError:
                errors.append(f"{label}{month}月{day}日不存在,请填写实际存在的日期。")
    return errors


def _number_errors(value, what: str) -> list[str]:
    if is_number(value):
        if not is_plain_number(value):  # NaN or infinity: no exact fraction to compare with
            return [f"{what}须为数字。"]
        return []
    if is_fraction(value):
        return []
    if isinstance(value, dict) and set(value) == {"numerator", "denominator"}:
        return [f"{what}的分子、分母须为整数,分母须大于0。"]
    return [f"{what}须为数字或分数(如 2/3)。"]


def _measure_ref_errors(ref: dict, what: str) -> list[str]:
    errors = []
    extra = set(ref) - {"measure", "factor", "params"}
    if extra:
        errors.append(f"{what}只能包含 measure、factor、params,多出:{'、'.join(sorted(extra))}。")
    key = ref.get("measure")
    measure = MEASURES.get(key) if isinstance(key, str) else None
    if measure is None:
        errors.append(f"{what}引用了未知的测量项“{key}”。")
    elif measure.kind == LIST:
        errors.append(f"{what}引用的测量项“{key}”不是数值,不能乘以倍数。")
    if "factor" not in ref:
        errors.append(f"{what}须给出倍数(factor)。")
    elif not (is_plain_number(ref["factor"]) or is_fraction(ref["factor"])):
        errors.append(f"{what}的倍数须为数字或分数(如 2/3)。")
    elif exact(ref["factor"]) < 0:
        errors.append(f"{what}的倍数不能为负数。")
    if measure is not None and "params" in ref:
        errors += validate_params(key, ref["params"]).get("params", [])
    return errors


def _bound_errors(bound, what: str) -> list[str]:
    if is_measure_ref(bound):
        return _measure_ref_errors(bound, what)
    return _number_errors(bound, what)


def validate_threshold(operator: str, threshold, measure_key: str = "") -> list[str]:
    """Messages for a threshold that does not suit the operator (and the measure's kind)."""
    if threshold is None or threshold == "":
        return ["请填写阈值。"]
    measure = MEASURES.get(measure_key)
    if operator == ALL_IN:
        if not isinstance(threshold, list) or not threshold:
            return ["“包含全部”的阈值须为非空的代码列表。"]
        if not all(isinstance(code, str | int) and not isinstance(code, bool) for code in threshold):
            return ["代码须为文字或整数。"]
        if len(set(threshold)) != len(threshold):
            return ["代码列表中有重复项。"]
        if measure is not None and measure.codes:
            unknown = [str(code) for code in threshold if code not in measure.codes]
            if unknown:
                return [f"测量项“{measure_key}”没有这些代码:{'、'.join(unknown)}。"]
        return []
    if operator == BETWEEN:
        if not isinstance(threshold, dict) or set(threshold) != {"min", "max"}:
            return ['“介于”的阈值须为 {"min": 下限, "max": 上限}。']
        errors = _bound_errors(threshold["min"], "下限") + _bound_errors(threshold["max"], "上限")
        low, high = threshold["min"], threshold["max"]
        if not errors and not is_measure_ref(low) and not is_measure_ref(high) and exact(low) > exact(high):
            errors.append("下限不能大于上限。")
        return errors
    if operator in SYMBOLS:
        if is_measure_ref(threshold):
            return _measure_ref_errors(threshold, "阈值")
        return _number_errors(threshold, "阈值")
    return ["未知的比较方式。"]


def validate_rule(measure_key: str, params, operator: str, threshold) -> dict[str, list[str]]:
    """All problems of an auto indicator's rule, keyed by the indicator's fields."""
    errors: dict[str, list[str]] = {}
    measure = MEASURES.get(measure_key)
    if not measure_key:
        errors["measure"] = ["自动判定的指标须选择测量项。"]
    elif measure is None:
        errors["measure"] = [f"未知的测量项“{measure_key}”。"]
    errors.update(validate_params(measure_key, params) if measure else {})
    if not operator:
        errors["operator"] = ["请选择比较方式。"]
    elif measure is not None:
        if measure.kind == LIST and operator != ALL_IN:
            errors["operator"] = [f"测量项“{measure.label}”是项目列表,只能用“包含全部”。"]
        elif measure.kind != LIST and operator == ALL_IN:
            errors["operator"] = [f"测量项“{measure.label}”是数值,不能用“包含全部”。"]
    if "operator" not in errors and operator:
        threshold_errors = validate_threshold(operator, threshold, measure_key)
        if threshold_errors:
            errors["threshold"] = threshold_errors
    return errors


# ---- reading a rule in Chinese -------------------------------------------------------------------


def show_number(value) -> str:
    if is_fraction(value):
        return f"{value['numerator']}/{value['denominator']}"
    number = exact(value)
    if number.denominator == 1:
        return str(number.numerator)
    return format(Decimal(str(value)).normalize(), "f") if not isinstance(value, Fraction) else str(number)


def _show_ref(ref: dict) -> str:
    measure = MEASURES.get(ref.get("measure"))
    label = measure.label if measure else str(ref.get("measure"))
    factor = ref.get("factor")
    one = (is_number(factor) or is_fraction(factor)) and exact(factor) == 1
    return label if one else f"{label} × {show_number(factor)}"


def _show_bound(bound, unit: str) -> str:
    if is_measure_ref(bound):
        return _show_ref(bound)
    return f"{show_number(bound)}{f' {unit}' if unit else ''}"


def is_share(measure_key: str) -> bool:
    """A number measure without a unit that is not yes/no: an exact share between 0 and 1."""
    measure = MEASURES.get(measure_key)
    return measure is not None and measure.kind != LIST and not measure.unit and not measure.yes_no


def show_code(measure_key: str, code) -> str:
    measure = MEASURES.get(measure_key)
    return str(measure.codes.get(code, code)) if measure else str(code)


def describe(measure_key: str, operator: str, threshold) -> str:
    """A rule's threshold as a reader sees it: "≥ 300 平方米", "≥ 社区人口 × 0.1", "≥ 2/3",
    "介于 20 户 至 30 户", "包含全部:第一季度、第四季度"."""
    measure = MEASURES.get(measure_key)
    unit = measure.unit if measure else ""
    try:
        if operator == ALL_IN:
            return "包含全部:" + "、".join(show_code(measure_key, code) for code in threshold)
        if operator == BETWEEN:
            return f"介于 {_show_bound(threshold['min'], unit)} 至 {_show_bound(threshold['max'], unit)}"
        if measure is not None and measure.yes_no and is_number(threshold) and operator == EQ:
            return "是" if exact(threshold) == 1 else "否"
        if (
            is_share(measure_key)
            and operator == GTE
            and not is_measure_ref(threshold)
            and exact(threshold) == 1
        ):
            return "全部符合(100%)"
        return f"{SYMBOLS[operator]} {_show_bound(threshold, unit)}"
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return "(阈值有误)"


def show_tiers(tiers: list) -> str:
    """Work-fund tiers: "1999户及以下 40000元、3000户及以下 50000元、其余 60000元"."""
    parts = []
    for tier in tiers:
        if not isinstance(tier, dict):
            return "(见数据)"
        upper = tier.get("max_households")
        amount = tier.get("amount")
        parts.append(f"{f'{upper}户及以下' if upper is not None else '其余'} {amount}元")
    return "、".join(parts)


def describe_threshold_params(threshold) -> str:
    """Parameters of the measures a threshold refers to, e.g. the work-fund tiers of U-FUND."""
    parts = []
    for ref in referenced_measures(threshold):
        if ref.get("params"):
            measure = MEASURES.get(ref.get("measure"))
            label = measure.label if measure else str(ref.get("measure"))
            parts.append(f"{label}({describe_params(ref['measure'], ref['params'])})")
    return ";".join(parts)


def _value_labels(measure_key: str, name: str) -> dict:
    if name in GENERIC_PARAMS:
        return dict(Community.Subtype.choices)
    measure = MEASURES.get(measure_key)
    return measure.param_codes.get(name, {}) if measure else {}


def describe_params(measure_key: str, params: dict) -> str:
    """Parameters in Chinese: "会议类别:居民会议;须有会议记录:是"."""
    measure = MEASURES.get(measure_key)
    labels = {**(measure.params if measure else {}), **GENERIC_PARAMS}
    parts = []
    for name, value in (params or {}).items():
        codes = _value_labels(measure_key, name)
        if isinstance(value, bool):
            shown = "是" if value else "否"
        elif isinstance(value, str) and value in codes:
            shown = codes[value]
        elif isinstance(value, list) and all(isinstance(item, str | int) for item in value):
            shown = "、".join(str(codes.get(item, item)) for item in value)
        elif is_fraction(value):
            shown = show_number(value)
        elif name == "tiers" and isinstance(value, list):
            shown = show_tiers(value)
        elif isinstance(value, str | int | float):
            shown = str(value)
        else:
            shown = "(见数据)"
        parts.append(f"{labels.get(name, name)}:{shown}")
    return ";".join(parts)
