"""The printed 评分表 (docs/scoring.md, "The printed sheet"): an edition's tree of sections and items as
plain rows, with the three score columns 自评分 / 初审分 / 验收分, and the same rows written as a PDF
(A4, WeasyPrint, the CJK font of fonts-noto-cjk) or an Excel workbook.

This module knows the edition only: a blank sheet leaves the score columns empty (for a city that still
scores on paper during its visit); `assessments.sheets` fills them for one self-check and hands in the
totals and levels the evaluator computed, so the score is worked out in one place.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core import exports
from core.fields import attachment_header

from . import sheet
from .models import Indicator, Level, StandardEdition

SCORE_COLUMNS = ("自评分", "初审分", "验收分")
HEADER = ("代码", "评分项目", "考评方法", "评分标准", "分值", *SCORE_COLUMNS)
NOT_APPLICABLE = "不适用"
NUMERALS = "一二三四五六七八九十"
SIGNATURES = (("自评", "街道/乡镇"), ("初审", "区县"), ("验收", "市级"))

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"pdf": PDF, "xlsx": XLSX}


@dataclass
class Row:
    """One printed row. `kind`: "section" (a heading; `depth` 1 for 一级, 2 for 二级), "item",
    "subtotal", "bonus" (the capped bonus line), "total" or "level". `scores`: the three columns, each a
    number, "" (blank) or "不适用"."""

    kind: str
    label: str
    depth: int = 0
    code: str = ""
    method: str = ""
    rule: str = ""
    points: Decimal | None = None
    scores: tuple = ("", "", "")
    marks: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    title: str
    lines: list[str]  # what the sheet is about: the community and year, or blanks to fill in
    level_rules: list[str]
    rows: list[Row]


def numeral(number: int) -> str:
    """一 … 十, then 十一 … 九十九: section numbers as Chinese sheets print them."""
    if number <= 10:
        return NUMERALS[number - 1]
    tens, units = divmod(number, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[units - 1] if units else "")


def heading(depth: int, position: int, text: str) -> str:
    return f"{numeral(position)}、{text}" if depth == 1 else f"({numeral(position)}){text}"


def section_of(indicator: Indicator) -> list[str]:
    """The item's 一级/二级 path; an item without one sits under its category."""
    return list(indicator.section or [indicator.category])[:2]


def shown(value):
    """A score cell's value as printed: numbers as 4 or 2.5, blanks and 不适用 as they are."""
    return sheet.to_json(value) if isinstance(value, Decimal) else value


def _sum(values) -> Decimal | str:
    numbers = [value for value in values if isinstance(value, Decimal)]
    return sum(numbers, Decimal(0)) if numbers else ""


def _item_row(indicator: Indicator, scores: tuple) -> Row:
    marks = []
    vetoes = [Level(code).label for code in indicator.veto or [] if code in Level.values]
    if vetoes:
        marks.append(f"一票否决:{'、'.join(vetoes)}")
    return Row(
        kind="item",
        label=indicator.requirement,
        code=indicator.code,
        method=indicator.method_label,
        rule=sheet.describe_scoring(indicator),
        points=sheet.number(indicator.points),
        scores=scores,
        marks=marks,
    )


def _subtotal(label: str, items: list[Row]) -> Row:
    counted = [row for row in items if NOT_APPLICABLE not in row.scores]
    return Row(
        kind="subtotal",
        label=label,
        points=sum((row.points for row in counted), Decimal(0)),
        scores=tuple(_sum(row.scores[column] for row in counted) for column in range(3)),
    )


def build(
    edition: StandardEdition,
    lines: list[str],
    scores: dict[str, tuple] | None = None,
    totals: tuple = ("", "", ""),
    levels: tuple = ("", "", ""),
) -> Sheet:
    """The sheet of `edition`. `scores` maps an item's code to its three columns (absent: blank);
    `totals` and `levels` are the three columns of the 总分 and 达到等级 rows."""
    scores = scores or {}
    indicators = list(edition.indicators.order_by("order", "pk"))
    # Sections in the order their first item comes; an item's 二级 heading may be absent ("").
    tree: dict[str, dict[str, list[Indicator]]] = {}
    bonus = []
    for indicator in indicators:
        if indicator.bonus:
            bonus.append(indicator)
            continue
        top, *rest = section_of(indicator)
        tree.setdefault(top, {}).setdefault(rest[0] if rest else "", []).append(indicator)

    def item_rows(group):
        return [_item_row(indicator, scores.get(indicator.code, ("", "", ""))) for indicator in group]

    rows: list[Row] = []
    for position, (top, subsections) in enumerate(tree.items(), start=1):
        rows.append(Row(kind="section", label=heading(1, position, top), depth=1))
        section_items = []
        numbered = 0
        for name, group in subsections.items():
            items = item_rows(group)
            section_items += items
            if not name:
                rows += items
                continue
            numbered += 1
            rows.append(Row(kind="section", label=heading(2, numbered, name), depth=2))
            rows += items
            rows.append(_subtotal(f"{name} 小计", items))
        rows.append(_subtotal(f"{top} 小计", section_items))
    cap = sheet.number(edition.bonus_cap)
    if bonus:
        rows.append(Row(kind="section", label=f"加分项(最高加{sheet.to_json(cap)}分)", depth=1))
        items = item_rows(bonus)
        rows += items
        line = _subtotal(f"加分合计(最高{sheet.to_json(cap)}分)", items)
        line.kind, line.points = "bonus", cap
        line.scores = tuple(min(value, cap) if value != "" else "" for value in line.scores)
        rows.append(line)
    rows.append(
        Row(kind="total", label="总分(按适用项折算为百分制,含加分)", points=Decimal(100), scores=totals)
    )
    rows.append(Row(kind="level", label="达到等级", scores=levels))
    return Sheet(
        title=f"{edition.name}评分表",
        lines=[f"标准:{edition.code} 第{edition.version}版", *lines],
        level_rules=level_rules(edition, indicators),
        rows=rows,
    )


def level_rules(edition: StandardEdition, indicators: list[Indicator]) -> list[str]:
    """One line per level, lowest first: "合格:不低于70分,且一票否决项 U-SETUP、U-ELECT 得满分"."""
    lines = []
    for code in edition.levels:
        vetoes = [indicator.code for indicator in indicators if code in (indicator.veto or [])]
        line = f"{Level(code).label}:不低于{sheet.to_json(edition.min_score(code))}分"
        lines.append(line + (f",且一票否决项 {'、'.join(vetoes)} 得满分" if vetoes else ""))
    return lines


def blank(edition: StandardEdition) -> Sheet:
    """The edition's sheet with every score column empty, to be filled in by hand."""
    return build(edition, ["社区名称:________________  所属街道(乡镇):________________  年度:________"])


def blank_name(edition: StandardEdition) -> str:
    return f"{edition.code}第{edition.version}版空白评分表"


# ---- files ------------------------------------------------------------------------------------------


def pdf(printed: Sheet) -> bytes:
    """The sheet as an A4 PDF. The template's CSS names "Noto Sans CJK SC" (Debian's fonts-noto-cjk)."""
    from weasyprint import HTML  # imported on use: it loads Pango, which pages without PDFs never need

    rows = [
        {**row.__dict__, "points": shown(row.points), "scores": [shown(value) for value in row.scores]}
        for row in printed.rows
    ]
    html = render_to_string(
        "standards/score_sheet.html",
        {"sheet": printed, "rows": rows, "header": HEADER, "signatures": SIGNATURES},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


WIDTHS = (12, 60, 11, 26, 7, 9, 9, 9)
THIN = Side(style="thin", color="999999")


def xlsx(printed: Sheet) -> bytes:
    """The sheet as a workbook: one worksheet, the header row frozen, A4 portrait fitted to the width.
    Every value goes through `core.exports.append`, so no requirement text is ever read as a formula."""
    book = Workbook()
    ws = book.active
    ws.title = "评分表"
    width = len(HEADER)
    exports.append(ws, [printed.title])
    for line in [*printed.lines, "等级标准:" + ";".join(printed.level_rules)]:
        exports.append(ws, [line])
    for row in range(1, ws.max_row + 1):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True)
    ws.cell(1, 1).font = Font(size=14, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    exports.append(ws, list(HEADER))
    header_row = ws.max_row
    for column in range(1, width + 1):
        ws.cell(header_row, column).font = Font(bold=True)
        ws.cell(header_row, column).alignment = Alignment(horizontal="center", vertical="center")
    for row in printed.rows:
        label = row.label + "".join(f"【{mark}】" for mark in row.marks)
        if row.kind == "section":
            exports.append(ws, [label])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        else:
            values = [row.code, label, row.method, row.rule, shown(row.points), *map(shown, row.scores)]
            exports.append(ws, [None if value == "" else value for value in values])
        bold = row.kind != "item"
        for column in range(1, width + 1):
            cell = ws.cell(ws.max_row, column)
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = Font(bold=bold)
    exports.append(ws, [])
    for stage, unit in SIGNATURES:
        exports.append(ws, [f"{stage}({unit})评估人员:", "", "", "日期:"])
    for column, size in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = size
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_response(printed: Sheet, file_format: str, name: str):
    """The sheet as a download of `file_format` ("pdf" or "xlsx") named `name` (Chinese allowed: the
    header carries it RFC 6266-encoded); shared by the pages and the API."""
    content = pdf(printed) if file_format == "pdf" else xlsx(printed)
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = attachment_header(f"{name}.{file_format}", fallback="score-sheet")
    return response
