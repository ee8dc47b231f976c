import json
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.forms import CheckboxList, ScopedModelForm
from core.measures import LIST, MEASURES

from . import sheet, thresholds
from .models import Indicator, StandardEdition

NUMBER, MEASURE, RANGE, CODES, JSON = "number", "measure", "range", "codes", "json"

FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


FORMS = {
    NUMBER: "数值或分数",
    MEASURE: "测量项 × 倍数",
    RANGE: "区间(下限至上限)",
    CODES: "须包含的全部项目",
    JSON: "高级:JSON",
}


# The inputs of each threshold form (the page shows only those of the form chosen).
THRESHOLD_FIELDS = {
    NUMBER: ("threshold_number",),
    MEASURE: ("threshold_measure", "threshold_factor", "threshold_measure_params"),
    RANGE: ("threshold_min", "threshold_max"),
    CODES: ("threshold_codes",),
    JSON: ("threshold_json",),
}


def parse_number(text: str, what: str):
    """ "300" → 300, "0.1" → 0.1, "2/3" → {"numerator": 2, "denominator": 3}."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"请填写{what}。")
    match = FRACTION.match(text)
    if match:
        numerator, denominator = int(match[1]), int(match[2])
        if denominator == 0:
            raise ValidationError("分母不能为0。")
        return {"numerator": numerator, "denominator": denominator}
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{what}须为数字或分数(如 300、0.1、2/3)。") from None
    if not number.is_finite():
        raise ValidationError(f"{what}须为数字。")
    return int(number) if number == number.to_integral_value() else float(number)


def show_number(value) -> str:
    try:
        return thresholds.show_number(value)
    except (TypeError, ValueError):
        return ""


def parse_json(text: str, what: str, default=None):
    text = (text or "").strip()
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationError(f"{what}不是合法的 JSON。") from None


def number_measure_choices():
    return [("", "—")] + [
        (key, f"{measure.label}({key})") for key, measure in MEASURES.items() if measure.kind != LIST
    ]


class RuleFormMixin:
    """The rule fields of an auto indicator (params, threshold) and the mapping of the model's
    errors onto the fields the user filled in."""

    threshold_forms = tuple(FORMS)

    def add_rule_fields(self, measure_key: str):
        measure = MEASURES.get(measure_key)
        self.fields["params_json"] = forms.CharField(
            label="测量参数(JSON)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
            help_text='如 {"kind": "social"};可留空。',
        )
        self.fields["threshold_form"] = forms.ChoiceField(
            label="阈值形式", choices=[(key, FORMS[key]) for key in self.threshold_forms]
        )
        self.fields["threshold_number"] = forms.CharField(
            label="数值", required=False, help_text="如 300、0.1 或分数 2/3(按精确分数比较)。"
        )
        self.fields["threshold_measure"] = forms.ChoiceField(
            label="乘以倍数的测量项", required=False, choices=number_measure_choices()
        )
        self.fields["threshold_factor"] = forms.CharField(
            label="倍数", required=False, help_text="如“注册志愿者 ≥ 社区人口 × 0.1”中的 0.1。"
        )
        self.fields["threshold_measure_params"] = forms.CharField(
            label="该测量项的参数(JSON)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        )
        if RANGE in self.threshold_forms:
            self.fields["threshold_min"] = forms.CharField(label="下限(含)", required=False)
            self.fields["threshold_max"] = forms.CharField(label="上限(含)", required=False)
        if CODES in self.threshold_forms:
            codes = measure.codes if measure else {}
            self.code_values = {str(code): code for code in codes}
            self.fields["threshold_codes"] = forms.MultipleChoiceField(
                label="须包含的项目",
                required=False,
                choices=[(str(code), label) for code, label in codes.items()],
                widget=CheckboxList,
            )
        if JSON in self.threshold_forms:
            self.fields["threshold_json"] = forms.CharField(
                label="阈值(JSON)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
                help_text='数值 300;分数 {"numerator": 2, "denominator": 3};测量项乘倍数 '
                '{"measure": "residents", "factor": 0.1};区间 {"min": 5, "max": 7};'
                "项目列表 [1, 4]。",
            )
        for mode, names in THRESHOLD_FIELDS.items():
            for name in names:
                if name in self.fields:
                    self.fields[name].widget.attrs["data-threshold-form"] = mode
        self.apply_bootstrap()

    def rule_initial(self, params, threshold):
        initial = {"params_json": json.dumps(params, ensure_ascii=False) if params else ""}
        if threshold is not None:
            initial["threshold_json"] = json.dumps(threshold, ensure_ascii=False)
        if isinstance(threshold, list) and CODES in self.threshold_forms:
            initial.update(threshold_form=CODES, threshold_codes=[str(code) for code in threshold])
        elif thresholds.is_measure_ref(threshold):
            initial.update(
                threshold_form=MEASURE,
                threshold_measure=threshold.get("measure"),
                threshold_factor=show_number(threshold.get("factor")),
                threshold_measure_params=(
                    json.dumps(threshold["params"], ensure_ascii=False) if threshold.get("params") else ""
                ),
            )
        elif isinstance(threshold, dict) and set(threshold) == {"min", "max"}:
            plain = not any(thresholds.is_measure_ref(threshold[k]) for k in ("min", "max"))
            if plain and RANGE in self.threshold_forms:
                initial.update(
                    threshold_form=RANGE,
                    threshold_min=show_number(threshold["min"]),
                    threshold_max=show_number(threshold["max"]),
                )
            else:
                initial["threshold_form"] = JSON
        elif threshold is not None:
            initial.update(threshold_form=NUMBER, threshold_number=show_number(threshold))
        for name, value in initial.items():
            if name in self.fields:
                self.fields[name].initial = value

    def clean_rule(self, cleaned) -> tuple[dict, object]:
        """(params, threshold) from the filled-in fields; errors go on those fields."""
        params = {}
        try:
            params = parse_json(cleaned.get("params_json"), "测量参数", default={})
        except ValidationError as exc:
            self.add_error("params_json", exc)
        mode = cleaned.get("threshold_form")
        self.threshold_field = {
            NUMBER: "threshold_number",
            MEASURE: "threshold_factor",
            RANGE: "threshold_min",
            CODES: "threshold_codes",
            JSON: "threshold_json",
        }.get(mode, "threshold_form")
        threshold = None
        try:
            if mode == NUMBER:
                threshold = parse_number(cleaned.get("threshold_number"), "数值")
            elif mode == MEASURE:
                threshold = self._measure_threshold(cleaned)
            elif mode == RANGE:
                threshold = self._range_threshold(cleaned)
            elif mode == CODES:
                chosen = cleaned.get("threshold_codes") or []
                threshold = [self.code_values[code] for code in self.code_values if code in chosen]
                if not threshold:
                    raise ValidationError("请至少选择一项。")
            elif mode == JSON:
                threshold = parse_json(cleaned.get("threshold_json"), "阈值")
        except ValidationError as exc:
            self.add_error(self.threshold_field, exc)
        return params, threshold

    def _measure_threshold(self, cleaned):
        key = cleaned.get("threshold_measure")
        if not key:
            self.threshold_field = "threshold_measure"
            raise ValidationError("请选择测量项。")
        factor = parse_number(cleaned.get("threshold_factor"), "倍数")  # 2/3 stays an exact fraction
        ref = {"measure": key, "factor": factor}
        try:
            params = parse_json(cleaned.get("threshold_measure_params"), "测量项参数", default=None)
        except ValidationError as exc:
            self.add_error("threshold_measure_params", exc)
            params = None
        if params:
            ref["params"] = params
        return ref

    def _range_threshold(self, cleaned):
        low = parse_number(cleaned.get("threshold_min"), "下限")
        try:
            high = parse_number(cleaned.get("threshold_max"), "上限")
        except ValidationError:
            self.threshold_field = "threshold_max"
            raise
        return {"min": low, "max": high}

    def _update_errors(self, errors):
        # The model says "threshold"/"params"/"check_kind"; put each message on the field filled in.
        if hasattr(errors, "error_dict"):
            targets = {
                "threshold": getattr(self, "threshold_field", "threshold_form"),
                "params": "params_json",
            }
            remapped: dict[str, list] = {}
            for field, messages in errors.error_dict.items():
                target = targets.get(field, field)
                if field in targets and target in self.errors:
                    continue  # what the user typed was already refused; the model saw nothing
                if target != NON_FIELD_ERRORS and target not in self.fields:
                    target = NON_FIELD_ERRORS
                remapped.setdefault(target, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


def json_number(value: Decimal):
    """A form's Decimal as the JSON number an edition keeps: 70 stays 70, 0.6 stays 0.6."""
    return int(value) if value == value.to_integral_value() else float(value)


def _limited_choice(label: str, allowed, initial) -> forms.ChoiceField:
    """A choice among the values a check kind allows, refused by naming them."""
    return forms.ChoiceField(
        label=label,
        choices=[(choice.value, choice.label) for choice in allowed],
        initial=initial,
        error_messages={
            "invalid_choice": f"该判定方式的{label}只能是:{'、'.join(choice.label for choice in allowed)}。"
        },
    )


class EditionForm(ScopedModelForm):
    """A draft's name, code, bonus cap and the minimum score of each of its levels (one field a level,
    kept as the edition's `min_scores`); each level's veto items are shown beside it, read-only (they
    are set on the items)."""

    class Meta:
        model = StandardEdition
        fields = ["code", "name", "bonus_cap"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for code, label in self.instance.level_choices():
            self.fields[f"min_score_{code}"] = forms.DecimalField(
                label=f"“{label}”最低得分",
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=self.instance.min_score(code),
                error_messages={
                    "min_value": "各等级最低得分须为0至100之间的数字。",
                    "max_value": "各等级最低得分须为0至100之间的数字。",
                },
                help_text="得分达到此分数、且该等级的一票否决项均得满分,即达到该等级。",
            )
        self.apply_bootstrap()

    def level_vetoes(self) -> list[tuple[str, list[str]]]:
        """(level label, codes of its veto items), lowest level first."""
        return [(label, self.instance.veto_codes(code)) for code, label in self.instance.level_choices()]

    def clean(self):
        cleaned = super().clean()
        self.instance.min_scores = {
            code: json_number(cleaned[f"min_score_{code}"])
            for code, _ in self.instance.level_choices()
            if cleaned.get(f"min_score_{code}") is not None
        }
        return cleaned

    def min_score_field(self) -> str | None:
        """The level field a `min_scores` error belongs to: the first level not above the one below it."""
        levels = [code for code, _ in self.instance.level_choices()]
        scores = self.instance.min_scores or {}
        for lower, higher in zip(levels, levels[1:], strict=False):
            if lower in scores and higher in scores and scores[higher] <= scores[lower]:
                return f"min_score_{higher}"
        return f"min_score_{levels[0]}" if levels else None

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict") and "min_scores" in errors.error_dict:
            remapped = dict(errors.error_dict)
            messages = remapped.pop("min_scores")
            target = self.min_score_field()
            if target not in self.errors:  # a refused number was never handed to the model
                remapped.setdefault(target or NON_FIELD_ERRORS, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)

    def changes(self) -> dict:
        return {
            "code": self.cleaned_data["code"],
            "name": self.cleaned_data["name"],
            "bonus_cap": self.cleaned_data["bonus_cap"],
            "min_scores": self.instance.min_scores,
        }


# Rows of a band table on the editor page (a longer stored table shows all its rows).
BAND_ROWS = 4
# The editor's inputs in the order of a 评分表 row; the threshold inputs of an auto item follow.
ITEM_FIELD_ORDER = [
    "section_1",
    "section_2",
    "level",
    "points",
    "method",
    "scoring",
    "deduction_per",
    *(f"band_{part}_{row}" for row in range(1, BAND_ROWS + 1) for part in ("min", "share")),
    "veto",
    "bonus",
    "operator",
    "advice",
]


class SheetItemMixin:
    """The 评分表 fields of an item: its 一级/二级 section, method, scoring rule and that rule's
    parameters (deduction: points per missing unit; bands: rows of minimum and share), its veto levels
    and bonus flag. The model's `clean()` (`sheet.validate_item`) judges them; its errors are put on
    the inputs filled in."""

    def add_sheet_fields(self, edition: StandardEdition, check_kind: str):
        indicator = self.instance
        section = list(indicator.section or [])
        self.fields["section_1"] = forms.CharField(
            label="一级栏目", required=False, max_length=50, initial=section[0] if section else ""
        )
        self.fields["section_2"] = forms.CharField(
            label="二级栏目",
            required=False,
            max_length=50,
            initial=" / ".join(section[1:]),
            help_text="评分表上该项所属的栏目,如 组织建设 / 居委会设置;二级可留空。",
        )
        self.fields["method"] = _limited_choice(
            "考评方法", sheet.METHODS_BY_CHECK[check_kind], indicator.method
        )
        self.fields["scoring"] = _limited_choice(
            "计分规则", sheet.SCORINGS_BY_CHECK[check_kind], indicator.scoring
        )
        params = indicator.scoring_params if isinstance(indicator.scoring_params, dict) else {}
        self.fields["deduction_per"] = forms.DecimalField(
            label="每缺1个单位扣分",
            required=False,
            initial=params.get("per"),
            help_text="仅“缺项扣分”使用:扣完为止。",
        )
        bands = params.get("bands") if isinstance(params.get("bands"), list) else []
        self.band_rows = max(BAND_ROWS, len(bands))
        for row in range(1, self.band_rows + 1):
            band = bands[row - 1] if row <= len(bands) and isinstance(bands[row - 1], dict) else {}
            share = band.get("share")
            self.fields[f"band_min_{row}"] = forms.DecimalField(
                label=f"第{row}档 最低值", required=False, initial=band.get("min")
            )
            self.fields[f"band_share_{row}"] = forms.DecimalField(
                label=f"第{row}档 得分(满分的%)",
                required=False,
                initial=None if share is None else sheet.number(share) * 100,
                min_value=0,
                max_value=100,
                error_messages={
                    "min_value": "得分比例须在0至100%%之间。",
                    "max_value": "得分比例须在0至100%%之间。",
                },
            )
        self.fields["veto"] = forms.MultipleChoiceField(
            label="一票否决的等级",
            required=False,
            choices=edition.level_choices(),
            initial=list(indicator.veto or []),
            widget=CheckboxList,
            error_messages={"invalid_choice": "本标准没有等级:%(value)s。"},
            help_text="该项未得满分时,不能评为所勾选的等级。",
        )
        self.fields["bonus"] = forms.BooleanField(
            label="加分项(得分计入加分,不计入满分)", required=False, initial=indicator.bonus
        )
        for name in (
            "deduction_per",
            *(f"band_{part}_{row}" for part in ("min", "share") for row in range(1, self.band_rows + 1)),
        ):
            self.fields[name].widget.attrs["data-scoring"] = (
                sheet.Scoring.DEDUCTION if name == "deduction_per" else sheet.Scoring.BANDS
            )

    def band_table(self) -> list[tuple]:
        """The band inputs as table rows: (row number, minimum input, share input)."""
        return [
            (row, self[f"band_min_{row}"], self[f"band_share_{row}"]) for row in range(1, self.band_rows + 1)
        ]

    def listed_fields(self):
        """The visible inputs shown one under another (the band rows are shown as a table)."""
        return [field for field in self.visible_fields() if not field.name.startswith("band_")]

    def clean_sheet(self, cleaned):
        """Put the section, rule parameters and vetoes on the instance, for the model to judge."""
        first = (cleaned.get("section_1") or "").strip()
        second = [part.strip() for part in (cleaned.get("section_2") or "").split("/") if part.strip()]
        if second and not first:
            self.add_error("section_1", "填写二级栏目前,请先填写一级栏目。")
        self.instance.section = [first, *second] if first else []
        scoring = cleaned.get("scoring")
        params = {}
        if scoring == sheet.Scoring.DEDUCTION:
            per = cleaned.get("deduction_per")
            params = {"per": json_number(per)} if per is not None else {}
        elif scoring == sheet.Scoring.BANDS:
            params = {"bands": self._bands(cleaned)}
        self.instance.scoring_params = params
        self.instance.veto = list(cleaned.get("veto") or [])

    def _bands(self, cleaned) -> list[dict]:
        bands = []
        for row in range(1, self.band_rows + 1):
            low, share = cleaned.get(f"band_min_{row}"), cleaned.get(f"band_share_{row}")
            if low is None and share is None:
                continue
            if low is None or share is None:
                missing = f"band_min_{row}" if low is None else f"band_share_{row}"
                self.add_error(missing, f"第{row}档须同时填写最低值和得分比例。")
                continue
            bands.append({"min": json_number(low), "share": json_number(share / 100)})
        return bands

    def sheet_error_field(self, field: str) -> str:
        """Where the model's error on `field` is shown."""
        if field == "section":
            return "section_1"
        if field == "scoring_params":
            scoring = self.cleaned_data.get("scoring") if hasattr(self, "cleaned_data") else None
            return "deduction_per" if scoring == sheet.Scoring.DEDUCTION else "band_min_1"
        return field

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            remapped: dict[str, list] = {}
            for field, messages in errors.error_dict.items():
                target = self.sheet_error_field(field)
                if target != field and target in self.errors:
                    continue  # what the user typed there was already refused; the model saw nothing
                remapped.setdefault(target, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)

    def sheet_changes(self) -> dict:
        return {
            "section": self.instance.section,
            "method": self.cleaned_data.get("method", self.instance.method),
            "scoring": self.cleaned_data["scoring"],
            "scoring_params": self.instance.scoring_params,
            "veto": self.instance.veto,
            "bonus": self.cleaned_data["bonus"],
        }


class IndicatorForm(SheetItemMixin, RuleFormMixin, ScopedModelForm):
    """Edit a draft's indicator: its level, its place and points on the 评分表, method, scoring rule,
    vetoes and bonus flag, and for an auto indicator its operator, parameters, threshold and shortfall
    advice."""

    class Meta:
        model = Indicator
        fields = ["level", "points", "operator", "advice"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        indicator = self.instance
        self.fields["level"] = forms.ChoiceField(label="适用等级", choices=indicator.edition.level_choices())
        self.fields["level"].initial = indicator.level
        self.fields["points"].help_text = "该项满分;各项分值合计不必正好100,总分按比例折算为百分制。"
        self.add_sheet_fields(indicator.edition, indicator.check_kind)
        self.order_fields(ITEM_FIELD_ORDER)
        if indicator.check_kind != Indicator.Check.AUTO:
            self.fields.pop("operator")
            self.fields.pop("advice")
            self.apply_bootstrap()
            return
        measure = MEASURES.get(indicator.measure)
        is_list = measure is not None and measure.kind == LIST
        self.threshold_forms = (CODES, JSON) if is_list else (NUMBER, MEASURE, RANGE, JSON)
        operators = [
            (value, label)
            for value, label in Indicator.Operator.choices
            if (value == thresholds.ALL_IN) == is_list
        ]
        self.fields["operator"] = forms.ChoiceField(label="比较方式", choices=operators)
        self.fields["operator"].initial = indicator.operator
        self.add_rule_fields(indicator.measure)
        self.rule_initial(indicator.params, indicator.threshold)

    def clean(self):
        cleaned = super().clean()
        self.clean_sheet(cleaned)
        # Set here, not through Meta.fields: the model's clean() judges them with the rule's parameters.
        self.instance.method = cleaned.get("method", self.instance.method)
        self.instance.scoring = cleaned.get("scoring", self.instance.scoring)
        self.instance.bonus = cleaned.get("bonus", False)
        if self.instance.check_kind == Indicator.Check.AUTO:
            params, threshold = self.clean_rule(cleaned)
            self.instance.params = params
            self.instance.threshold = threshold
        return cleaned

    def changes(self) -> dict:
        data = {"level": self.cleaned_data["level"], "points": self.cleaned_data["points"]}
        data.update(self.sheet_changes())
        if self.instance.check_kind == Indicator.Check.AUTO:
            data.update(
                operator=self.cleaned_data["operator"],
                advice=self.cleaned_data["advice"],
                params=self.instance.params,
                threshold=self.instance.threshold,
            )
        return data


class NewIndicatorForm(SheetItemMixin, RuleFormMixin, ScopedModelForm):
    """A city's own auto indicator: a known measure, ≥ / ≤ / =, and a number or a measure × factor,
    with its place, points, scoring rule, vetoes and bonus flag on the 评分表."""

    threshold_forms = (NUMBER, MEASURE)

    class Meta:
        model = Indicator
        fields = ["code", "category", "requirement", "measure", "operator", "level", "points", "advice"]
        widgets = {"requirement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, edition, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.instance.edition = edition
        self.instance.check_kind = Indicator.Check.AUTO
        self.fields["measure"] = forms.ChoiceField(label="测量项", choices=number_measure_choices())
        self.fields["operator"] = forms.ChoiceField(
            label="比较方式",
            choices=[
                (value, label)
                for value, label in Indicator.Operator.choices
                if value in (thresholds.GTE, thresholds.LTE, thresholds.EQ)
            ],
        )
        self.fields["level"] = forms.ChoiceField(label="适用等级", choices=edition.level_choices())
        self.fields["code"].help_text = "本标准内唯一,如 LJ-01。"
        self.fields["category"].help_text = "如 组织建设、队伍建设、阵地建设、民主自治、服务、经费。"
        self.add_sheet_fields(edition, Indicator.Check.AUTO)
        self.fields.pop("method")  # an auto item is always 系统自动
        self.order_fields(["code", "category", "requirement", "measure", *ITEM_FIELD_ORDER])
        self.add_rule_fields("")
        self.fields["threshold_form"].initial = NUMBER

    def clean(self):
        cleaned = super().clean()
        self.clean_sheet(cleaned)
        self.instance.scoring = cleaned.get("scoring", self.instance.scoring)
        self.instance.bonus = cleaned.get("bonus", False)
        params, threshold = self.clean_rule(cleaned)
        self.instance.params = params
        self.instance.threshold = threshold
        return cleaned

    def fields_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data.update(params=self.instance.params, threshold=self.instance.threshold)
        data.update({name: value for name, value in self.sheet_changes().items() if name != "method"})
        return data
