"""Excel import of communities, members and facilities, validated by the same forms as the pages.

A workbook is read sheet by sheet, row by row; each row becomes the form data the page would have
posted and is validated and saved by that form for the importing user (so scope, choices and every
rule are exactly the page's). Everything runs in one transaction: a workbook with any bad row, or a
"check only" run, is rolled back whole and saves nothing; the report lists each bad row.

A workbook is bounded before it is read: an .xlsx file is a zip archive, and a few megabytes can
unpack to gigabytes of sheet XML holding millions of rows. `open_workbook` refuses an archive that
unpacks to more than IMPORT_MAX_UNCOMPRESSED_BYTES (or at an implausible compression ratio) from its
directory alone, before openpyxl opens it; `read_sheets` streams the rows and stops at the first one
past IMPORT_MAX_ROWS, so neither memory nor the one transaction grows with the file.
"""

import datetime
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django import forms
from django.conf import settings
from django.db import transaction
from django.forms import modelform_factory
from django.template.defaultfilters import filesizeformat
from openpyxl import Workbook, load_workbook
from simple_history.utils import bulk_create_with_history

from core import changes, exports
from core.models import Unit

from . import records
from .forms import CommunityForm
from .models import Community

TOWN, COMMUNITY_OF_RECORD = "乡镇(街道)", "社区"


@dataclass(frozen=True)
class Sheet:
    title: str
    form: type
    key: tuple[str, ...]  # fields that find an existing row to update instead of adding one
    exclude: tuple[str, ...] = ()

    def form_class(self):
        return records.get(self.form).form if isinstance(self.form, str) else self.form

    def fields(self, user) -> list[tuple[str, forms.Field]]:
        """(name, field) in column order; the town/community choices become name columns."""
        form = self.form_class()(user=user)
        return [
            (name, field)
            for name, field in form.fields.items()
            if name not in ("unit", "community", *self.exclude)
        ]

    def headers(self, user) -> list[str]:
        # Records name their community by town and community name; a community row names itself.
        parents = [TOWN] if self.form is CommunityForm else [TOWN, COMMUNITY_OF_RECORD]
        return [*parents, *[str(field.label) for _, field in self.fields(user)]]


SHEETS = [
    Sheet("社区", CommunityForm, key=("unit", "name")),
    Sheet("成员", "members", key=("community", "name", "body")),
    Sheet("设施", "facilities", key=("community", "kind", "name"), exclude=("photo",)),
]


class ImportReport:
    def __init__(self):
        self.errors: list[str] = []
        self.created: dict[str, int] = {}
        self.updated: dict[str, int] = {}
        self.rows = 0

    def error(self, sheet: str, row: int, column: str, message: str):
        self.errors.append(f"“{sheet}”第{row}行 {column}:{message}")

    @staticmethod
    def count(bucket: dict, sheet: str):
        bucket[sheet] = bucket.get(sheet, 0) + 1

    def as_summary(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated}


def template_workbook(user) -> bytes:
    """The workbook to fill in: one sheet per kind of row, headers as the forms label them, and a
    sheet that lists the accepted values of every choice column."""
    book = Workbook()
    book.remove(book.active)
    codes = book.create_sheet("填写说明")
    exports.append(codes, ["表", "列", "可填写的值"])
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        exports.append(ws, sheet.headers(user))
        for _, field in sheet.fields(user):
            choices = [label for value, label in getattr(field, "choices", []) if value != ""]
            if isinstance(field, forms.BooleanField):
                choices = ["是", "否"]
            if choices:
                exports.append(codes, [sheet.title, str(field.label), "、".join(map(str, choices))])
    exports.append(codes, ["全部", "日期", "YYYY-MM-DD,或 Excel 日期单元格"])
    exports.append(codes, ["全部", "多选", "用顿号或逗号分隔,如:一门式综合服务厅、居民文体活动室"])
    for ws in book.worksheets:
        exports.lay_out(ws, ws.iter_rows(values_only=True))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NOT_A_WORKBOOK = "无法读取该文件:请上传 .xlsx 格式的 Excel 工作簿(可先下载模板)。"
# Below this many unpacked bytes the ratio says nothing: tiny parts of any workbook pack very well.
RATIO_FLOOR = 1024 * 1024


class WorkbookRefused(Exception):
    """A workbook that is not read (or not read further), with the reason shown to the user."""


def open_workbook(file):
    """The workbook in `file` (a binary file object), opened for streaming, once its zip directory
    shows it stays within the limits. The declared sizes are what openpyxl can read: Python's zip
    reader stops each member at its declared size, so a member that lies about it cannot unpack more."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookRefused(NOT_A_WORKBOOK) from exc
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        raise WorkbookRefused(
            f"文件解压后最多 {filesizeformat(limit)},本文件解压后有 {filesizeformat(unpacked)},"
            "超过了上限:请分成几个文件导入。"
        )
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    if unpacked > RATIO_FLOOR and unpacked > packed * ratio:
        raise WorkbookRefused(
            f"文件解压后是压缩时的 {unpacked // max(packed, 1):,} 倍,超过了 {ratio:,} 倍的上限,"
            "不像是正常的 Excel 工作簿:请用模板重新填写。"
        )
    file.seek(0)
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:
        raise WorkbookRefused(NOT_A_WORKBOOK) from exc


def read_sheets(book) -> list[tuple["Sheet", tuple, list[tuple[int, tuple]]]]:
    """(sheet, header, [(row number, values)]) for each import sheet the workbook has, blank rows left
    out. Rows are streamed (read-only mode) and counted as they come: the first data row past
    IMPORT_MAX_ROWS (all sheets together) stops the reading with `WorkbookRefused`."""
    limit = settings.IMPORT_MAX_ROWS
    found, count = [], 0
    for sheet in SHEETS:
        if sheet.title not in book.sheetnames:
            continue
        worksheet = book[sheet.title]
        # The recorded dimension may be wrong (too small drops rows, too large pads every row with
        # empty cells): the rows are read as they are.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None)
        kept = []
        for number, values in enumerate(rows, start=2):
            if all(value in (None, "") for value in values):
                continue
            count += 1
            if count > limit:
                raise WorkbookRefused(f"文件最多 {limit:,} 行数据,本文件超过了上限:请分成几个文件导入。")
            # Cells right of the header name no column; they are dropped rather than kept in memory.
            kept.append((number, values[: len(header)]))
        found.append((sheet, header, kept))
    return found


def check_workbook(file) -> None:
    """Raise `WorkbookRefused` when the workbook in `file` is one `run_import` would refuse unread
    (not a workbook, too large unpacked, too many rows); the upload form checks this at once."""
    book = open_workbook(file)
    try:
        read_sheets(book)
    finally:
        book.close()
        file.seek(0)


def run_import(user, data: bytes, *, check_only: bool, progress=None) -> ImportReport:
    report = ImportReport()
    try:
        book = open_workbook(BytesIO(data))
    except WorkbookRefused as exc:
        report.errors.append(str(exc))
        return report
    try:
        sheets = read_sheets(book)
    except WorkbookRefused as exc:
        report.errors.append(str(exc))
        return report
    except Exception:
        report.errors.append(NOT_A_WORKBOOK)
        return report
    finally:
        book.close()
    if not sheets:
        report.errors.append(f"工作簿中没有“{'”“'.join(s.title for s in SHEETS)}”中的任何一张表。")
        return report
    total = sum(len(rows) for _, _, rows in sheets)
    with transaction.atomic():
        # The user's communities by (town, name), with those the 社区 sheet adds, for the later sheets.
        communities = {
            (c.unit_id, c.name): c for c in Community.objects.within_scope(user).select_related("unit")
        }
        for sheet, header, rows in sheets:
            _import_sheet(user, sheet, header, rows, report, progress, total, communities)
        if report.errors or check_only:
            transaction.set_rollback(True)
    if report.errors:
        report.created, report.updated = {}, {}
    return report


def _import_sheet(user, sheet: Sheet, header, rows, report, progress, total, communities: dict):
    if header is None:
        return
    header = [str(cell).strip() if cell is not None else "" for cell in header]
    # An optional column may be left out (a workbook made from an older template): it is then not
    # touched at all, rather than emptied on the rows the import updates.
    fields = [(name, field) for name, field in sheet.fields(user) if str(field.label) in header]
    optional = {str(field.label) for _, field in sheet.fields(user) if not field.required}
    missing = [title for title in sheet.headers(user) if title not in header and title not in optional]
    if missing:
        report.error(sheet.title, 1, "表头", f"缺少列:{'、'.join(missing)}(请使用模板)。")
        return
    # The page's form without the town/community choice: the import finds the parent among the user's
    # own towns and communities itself, which saves a choice lookup and a foreign-key check a row.
    form_class = modelform_factory(
        sheet.form_class()._meta.model, form=sheet.form_class(), fields=[n for n, _ in fields]
    )
    model = form_class._meta.model
    # One query each, not one per row: the user's towns and the rows already there.
    towns = {town.name: town for town in Unit.objects.within_scope(user).towns()}
    existing = {_key(sheet, obj): obj for obj in model.objects.within_scope(user)}
    added = {}
    for number, values in rows:
        report.rows += 1
        cells = dict(zip(header, values, strict=False))  # trailing empty cells may be missing
        town = towns.get(_text(cells.get(TOWN)))
        if town is None:
            report.error(sheet.title, number, TOWN, f"“{_text(cells.get(TOWN))}”不是您管辖的乡镇(街道)。")
            continue
        data = {name: _form_value(field, cells.get(str(field.label))) for name, field in fields}
        if sheet.form is CommunityForm:
            parent_field, parent = "unit", town
        else:
            name = _text(cells.get(COMMUNITY_OF_RECORD))
            parent_field, parent = "community", communities.get((town.pk, name))
            if parent is None:
                report.error(sheet.title, number, COMMUNITY_OF_RECORD, f"{town.name}没有名为“{name}”的社区。")
                continue
        data[parent_field] = parent.pk
        current = existing.get(tuple(str(data.get(name, "")) for name in sheet.key))
        instance = current or model()
        setattr(instance, parent_field, parent)
        form = form_class(data=data, instance=instance, user=user)
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = str(form.fields[name].label) if name in form.fields else "整行"
                for message in messages:
                    report.error(sheet.title, number, column, message)
            continue
        instance = form.save(commit=False)
        key = _key(sheet, instance)
        if isinstance(instance, Community):
            communities[(instance.unit_id, instance.name)] = instance  # the later sheets may name it
        if instance.pk is None:
            added[key] = instance  # written in bulk below; a later row with this key updates it
        else:
            instance._history_user = user  # who made the change, as on the page
            instance.save()
            report.count(report.updated, sheet.title)
        existing[key] = instance
        if progress and report.rows % 500 == 0:
            progress(report.rows, total)
    if added and not report.errors:
        # New rows (most of a large workbook) go in with their history rows in a few statements.
        bulk_create_with_history(list(added.values()), model, batch_size=500, default_user=user)
        report.created[sheet.title] = len(added)
        # A bulk insert goes past the models' save(): the change path is told here.
        changes.communities_changed(
            row.pk if isinstance(row, Community) else row.community_id for row in added.values()
        )


def _key(sheet: Sheet, obj) -> tuple[str, ...]:
    """The natural key of a row, as strings, the same whether read from a record or from form data."""
    return tuple(
        str(getattr(obj, f"{name}_id" if name in ("unit", "community") else name)) for name in sheet.key
    )


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _form_value(field: forms.Field, value):
    """An Excel cell as the form would receive it from the page: labels become codes, 是/否 booleans,
    Excel dates ISO strings, lists split on 、 or commas."""
    if value is None:
        return "" if not isinstance(field, forms.MultipleChoiceField) else []
    if isinstance(field, forms.BooleanField):
        return _text(value) in ("是", "1", "True", "true", "TRUE", "Y", "y")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(field, forms.MultipleChoiceField):
        by_label = {str(label): code for code, label in field.choices}
        parts = [
            part.strip()
            for part in _text(value).replace(",", "、").replace(",", "、").split("、")
            if part.strip()
        ]
        return [by_label.get(part, part) for part in parts]
    if isinstance(field, forms.ChoiceField):
        by_label = {str(label): code for code, label in field.choices}
        return by_label.get(_text(value), _text(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return _text(value)
