"""Excel exports of any scoped list, run as a background job.

An app registers a list once (`register`); the export job rebuilds the list from the job owner's
scope (`visible_to`) and the same filterset the list page and the API use, so an export can never
show more than its owner may read. Personal values the owner may not see whole are masked row by row
(`core.privacy`), and every file written is logged (`ExportLog`: who, what, when).
"""

import datetime
import itertools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import privacy
from .scope import may

CHUNK = 2000
# The header of a row's database id (the `id` of the API and of `?community=`-style filters). "编号"
# heads no column: on paper it reads as a number people quote (a certificate's, an office's), which a
# database id is not; codes are headed by what they are (核验码, 代码, 区划代码).
ID_HEADER = "系统ID"


@dataclass(frozen=True)
class ExportSpec:
    name: str
    title: str
    model: Any
    filterset: Any
    # (Chinese header, function of one row) pairs.
    columns: list[tuple[str, Callable[[Any], Any]]]
    select_related: tuple[str, ...] = ()
    # Who may export the list: readers of it by default; the user list needs the user administrator.
    required_action: str = "read"


_REGISTRY: dict[str, ExportSpec] = {}


def register(spec: ExportSpec) -> ExportSpec:
    _REGISTRY[spec.name] = spec
    return spec


def get(name: str) -> ExportSpec:
    return _REGISTRY[name]


def exportable(name: str) -> bool:
    return name in _REGISTRY


# Files made within the request rather than by a job (a dashboard's few tables): logged all the same.
_DIRECT: dict[str, str] = {}


def register_direct(name: str, title: str) -> None:
    _DIRECT[name] = title


def choices() -> list[tuple[str, str]]:
    found = [(spec.name, spec.title) for spec in _REGISTRY.values()] + list(_DIRECT.items())
    return sorted(found, key=lambda choice: choice[1])


def start_export(user, name: str, query: dict):
    """Create the job in the caller's transaction; the worker picks it up once that commits. Raises
    `JobsUnavailable` (the job then failed) when the broker does not take it."""
    from .models import Job
    from .tasks import dispatch, run_export

    spec = get(name)
    if not may(user, spec.required_action):
        raise PermissionDenied("当前角色不能导出此列表。")
    query = {key: value for key, value in query.items() if key in spec.filterset.base_filters and value}
    filterset = spec.filterset(
        data=query, queryset=spec.model.objects.visible_to(user), request=_RequestStub(user)
    )
    if not filterset.is_valid():
        return None, filterset.errors
    job = Job.objects.create(owner=user, kind=Job.Kind.EXPORT, params={"list": name, "query": query})
    dispatch(job, run_export)
    return job, None


def export_queryset(spec: ExportSpec, user, query: dict):
    qs = spec.model.objects.visible_to(user).select_related(*spec.select_related)
    filterset = spec.filterset(data=query, queryset=qs, request=_RequestStub(user))
    # Invalid filters were refused when the job was created; here they can only mean "no filter".
    return (filterset.qs if filterset.is_valid() else qs).order_by("pk")


def write_workbook(job) -> None:
    from .models import ExportLog

    spec = get(job.params["list"])
    rows = export_queryset(spec, job.owner, job.params.get("query", {}))
    job.mark_running(total=rows.count(), worker=job.worker)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.title[:31])
    header = [header for header, _ in spec.columns]
    personal_rows = 0

    def values():
        nonlocal personal_rows
        for row in rows.iterator(chunk_size=CHUNK):
            # Masked on the row itself, so that no column function can print a value the owner may not see.
            personal_rows += privacy.redact(job.owner, row) > 0
            yield [_cell(value(row)) for _, value in spec.columns]

    stream = values()
    # A write-only sheet takes its column widths before its first row, and the rows are streamed:
    # the widths are fitted to the header and the first chunk.
    first = list(itertools.islice(stream, CHUNK))
    lay_out(sheet, [header, *first])
    append(sheet, header)
    done = 0
    for done, row_values in enumerate(itertools.chain(first, stream), start=1):
        append(sheet, row_values)
        if done % CHUNK == 0:
            job.advance(done)
    buffer = BytesIO()
    book.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    # The name the file is downloaded under is kept apart from the stored one, which the storage
    # cleans of quotes and brackets (居(村)务公开) and may suffix to keep it unique.
    job.params = {**job.params, "filename": download_name(job.owner.unit, spec.title)}
    # The file is offered (job.result) only together with its log row.
    with transaction.atomic():
        job.result.save(f"{spec.name}-{stamp}.xlsx", ContentFile(buffer.getvalue()), save=True)
        ExportLog.record(job, spec.title, rows=done, personal_rows=personal_rows)


def download_name(unit, what: str, day: datetime.date | None = None) -> str:
    """An exported workbook's file name as people file it: whose (the unit, by name), what, and the
    day made, e.g. 四十里镇-社区名录-2026-12-07.xlsx."""
    whose = unit.name if unit is not None else "全部"
    return f"{whose}-{what}-{(day or timezone.localdate()).isoformat()}.xlsx"


# Column widths in characters of a Latin font: the room left around the text, the narrowest and the
# widest column (a long text is cut on screen, not the whole sheet made unreadable).
WIDTH_PADDING, WIDTH_MIN, WIDTH_MAX = 2, 6, 50


def text_width(value) -> int:
    """The columns `value` takes in a spreadsheet: wide (Chinese) characters count two, and of a
    text of several lines the longest line counts."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        for line in text.split("\n")
    )


def lay_out(sheet, rows) -> None:
    """Make `sheet` (an ordinary one, or a write-only one before its first row) read and print well:
    each column as wide as the widest of `rows` (the header row first, then the rows or a sample of
    them) within WIDTH_MIN..WIDTH_MAX; the header row frozen on screen and repeated on every printed
    page; A4 landscape, fitted to one page wide and as many pages long as it takes."""
    widths: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, 0), text_width(value))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + WIDTH_PADDING, WIDTH_MIN), WIDTH_MAX
        )
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


# What a spreadsheet reads as the start of a formula when a cell is typed or edited, or a file is
# converted (=, +, -, @; tab and CR ahead of them in CSV-style pastes).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(sheet, value):
    """What to write into a cell of `sheet` (an ordinary or a write-only worksheet) for `value`.

    Every workbook the portal writes goes through here (`append`), because names, phones and
    addresses are typed by users and district and city staff open the files. Numbers, dates and
    booleans keep their types (a negative number stays a number); a string is always text: openpyxl
    would store a string starting with "=" as a live formula (and "#N/A" and its like as errors), so
    a string that could be read as a formula is written as a cell whose type is set to text ("s")
    and whose style carries `quotePrefix`. The value is kept exactly as typed. We do not prefix it
    with an apostrophe (the usual advice for CSV files) because that would change the value people
    see and copy; in an .xlsx file the cell type is what makes text text, and `quotePrefix` is
    Excel's and LibreOffice's own mark of "typed with a leading apostrophe": the apostrophe shows in
    the formula bar only, and editing the cell keeps it text instead of turning it into a formula.
    """
    if not isinstance(value, str) or not (value.startswith(FORMULA_STARTS) or value in ERROR_CODES):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def append(sheet, values) -> None:
    """`sheet.append(values)` with every value made safe by `cell_value`."""
    sheet.append([cell_value(sheet, value) for value in values])


class _RequestStub:
    """Filtersets restrict choice fields with `request.user`; a job has no request, only its owner."""

    def __init__(self, user):
        self.user = user


def register_builtin():
    """The lists core itself owns."""
    from .filtersets import UserFilterSet
    from .models import User
    from .roles import Action

    register(
        ExportSpec(
            name="users",
            title="用户名单",
            model=User,
            filterset=UserFilterSet,
            select_related=("unit",),
            required_action=Action.MANAGE_USERS,
            columns=[
                ("登录名", lambda u: u.username),
                ("姓名", lambda u: u.full_name),
                ("单位", lambda u: u.unit.name if u.unit_id else ""),
                ("角色", lambda u: u.get_role_display()),
                ("联系电话", lambda u: u.phone),
                ("电子邮箱", lambda u: u.email),
                ("启用", lambda u: u.is_active),
                (
                    "最近登录",
                    lambda u: (
                        timezone.localtime(u.last_login).strftime("%Y-%m-%d %H:%M") if u.last_login else ""
                    ),
                ),
            ],
        )
    )
