"""Exported workbooks read and print well and are named for people: columns fitted to their content,
the header frozen and repeated on every printed page, landscape fitted to the page width; a file
named by unit, list and day, sent with an RFC 5987 name and an ASCII one; and "编号" heads no column,
a database id being 系统ID in every export."""

import io
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from communities.imports import template_workbook
from communities.models import Community
from core import exports
from core.fields import attachment_header
from core.models import Job
from demo.factories import CommunityFactory
from standards.printing import HEADER as SCORE_SHEET_HEADER

from .test_formula_injection import LISTS, _rows_of


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def sheets_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content)).worksheets


def assert_laid_out(sheet):
    header = [cell.value for cell in sheet[1]]
    for column, title in enumerate(header, start=1):
        width = sheet.column_dimensions[get_column_letter(column)].width
        # At least the header's own width, Chinese counted double, within the cap.
        assert min(exports.text_width(title) + exports.WIDTH_PADDING, exports.WIDTH_MAX) <= width, title
        assert width <= exports.WIDTH_MAX
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


@pytest.fixture
def export(client, eager_tasks, django_capture_on_commit_callbacks):
    """Run the list export `name` as `user` through the page, in this process; the download."""

    def run(user, name, data=None):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/exports/{name}/", data or {})
        job = Job.objects.filter(owner=user).latest("pk")
        assert job.state == Job.State.DONE, job.errors
        return client.get(f"/jobs/{job.pk}/download/")

    return run


class TestListExports:
    @pytest.mark.parametrize("name", LISTS)
    def test_every_list_is_laid_out_and_named_by_unit_list_and_day(self, world, export, name):
        _rows_of(name, world)
        with_rows = exports.get(name).model.objects.visible_to(world.officer)
        assert with_rows.exists()
        response = export(world.officer, name)
        (sheet,) = sheets_of(response)
        assert_laid_out(sheet)
        day = timezone.localdate().isoformat()
        title = exports.get(name).title
        assert response["Content-Disposition"] == (
            f'attachment; filename="{name}-{day}.xlsx"; '
            f"filename*=UTF-8''{quote(f'甲市-{title}-{day}.xlsx')}"
        )

    def test_the_file_bears_the_clerks_town_and_the_columns_fit_their_content(self, world, export):
        long_name = "四十里镇幸福家园第一社区"  # 12 characters, 24 columns wide
        CommunityFactory(unit=world.t1, name=long_name)
        response = export(world.clerk, "communities")
        assert quote("东华街道-社区名录-") in response["Content-Disposition"]
        (sheet,) = sheets_of(response)
        header = [cell.value for cell in sheet[1]]
        width = sheet.column_dimensions[get_column_letter(header.index("社区名称") + 1)].width
        assert width == 2 * len(long_name) + exports.WIDTH_PADDING
        year = sheet.column_dimensions[get_column_letter(header.index("户数") + 1)].width
        assert year < width

    def test_the_apis_download_bears_the_same_name_as_the_pages(self, world, export, api):
        page = export(world.clerk, "communities")
        job = Job.objects.filter(owner=world.clerk).latest("pk")
        response = api.as_user(world.clerk).get(f"/api/v1/jobs/{job.pk}/result/")
        assert response.status_code == 200
        assert response["Content-Disposition"] == page["Content-Disposition"]
        assert quote("东华街道-社区名录-") in response["Content-Disposition"]

    def test_the_id_column_is_the_rows_database_id(self, world, export):
        (sheet,) = sheets_of(export(world.reviewer, "communities"))
        rows = list(sheet.values)
        ids = {row[rows[0].index(exports.ID_HEADER)] for row in rows[1:]}
        assert ids == set(Community.objects.visible_to(world.reviewer).values_list("pk", flat=True))


def all_export_headers(world, client) -> dict[str, list[str]]:
    """The header row of every exported workbook: each list, each dashboard sheet, each template sheet
    and the score sheet."""
    headers = {f"list:{name}": [title for title, _ in exports.get(name).columns] for name in LISTS}
    client.force_login(world.officer)
    response = client.get("/stats/export.xlsx", {"year": timezone.localdate().year})
    assert response.status_code == 200
    for sheet in sheets_of(response):
        headers[f"stats:{sheet.title}"] = [cell.value for cell in sheet[1]]
    for sheet in load_workbook(io.BytesIO(template_workbook(world.clerk))).worksheets:
        headers[f"template:{sheet.title}"] = [cell.value for cell in sheet[1]]
    headers["score-sheet"] = list(SCORE_SHEET_HEADER)
    return headers


def test_no_export_heads_a_column_编号_and_every_database_id_is_系统ID(world, client):
    headers = all_export_headers(world, client)
    assert len(headers) > len(LISTS) + 3
    assert not {key: row for key, row in headers.items() if any("编号" in str(title) for title in row)}
    # Every list that exports its rows' ids does it under the one header, in the first column.
    for name in LISTS:
        columns = exports.get(name).columns
        row = exports.get(name).model.objects.first() or exports.get(name).model()
        row.pk = 987654
        ids = [title for title, value in columns if _safe(value, row) == 987654]
        assert ids in ([], [exports.ID_HEADER]), (name, ids)


def _safe(value, row):
    try:
        return value(row)
    except Exception:
        return None


class TestOtherWorkbooks:
    def test_the_dashboard_workbook_is_laid_out_and_named_by_the_unit_shown(self, world, client):
        client.force_login(world.officer)
        year = timezone.localdate().year
        response = client.get("/stats/export.xlsx", {"year": year, "unit": world.d1.pk})
        assert (
            quote(f"东城区-统计看板{year}年-{timezone.localdate().isoformat()}.xlsx")
            in (response["Content-Disposition"])
        )
        for sheet in sheets_of(response):
            assert_laid_out(sheet)

    def test_the_import_template_is_laid_out(self, world):
        for sheet in load_workbook(io.BytesIO(template_workbook(world.clerk))).worksheets:
            assert_laid_out(sheet)


class TestWidths:
    def test_chinese_counts_double_and_the_longest_line_counts(self):
        assert exports.text_width("abc") == 3
        assert exports.text_width("四十里镇") == 8
        assert exports.text_width("ab\n四十里镇\nc") == 8
        assert exports.text_width(None) == 0

    def test_widths_are_capped_and_floored(self):
        sheet = Workbook().active
        exports.lay_out(sheet, [["名" * 100, "x"]])
        assert sheet.column_dimensions["A"].width == exports.WIDTH_MAX
        assert sheet.column_dimensions["B"].width == exports.WIDTH_MIN


class TestContentDisposition:
    def test_a_chinese_name_has_an_rfc_5987_form_and_an_ascii_one(self):
        assert attachment_header("四十里镇-社区名录-2026-12-07.xlsx", "communities") == (
            'attachment; filename="communities-2026-12-07.xlsx"; '
            "filename*=UTF-8''%E5%9B%9B%E5%8D%81%E9%87%8C%E9%95%87-%E7%A4%BE%E5%8C%BA%E5%90%8D%E5%BD%95"
            "-2026-12-07.xlsx"
        )

    def test_a_plain_ascii_name_is_sent_as_it_is(self):
        assert attachment_header("report-2026.pdf") == 'attachment; filename="report-2026.pdf"'

    def test_quotes_never_reach_the_ascii_name(self):
        header = attachment_header('a"b;c.pdf')
        assert header.startswith('attachment; filename="a-b-c.pdf"; filename*=UTF-8')
