"""Excel import limits: a workbook is refused before it is read when its zip unpacks to too much, and
its rows are streamed and counted so that reading stops at the first row past the cap. A refusal
imports nothing."""

import io
import re
import zipfile

import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from communities import imports
from communities.imports import open_workbook, run_import
from communities.models import Community
from core.models import Job
from demo.workbooks import workbook

from .test_import import GOOD_COMMUNITY, GOOD_MEMBER


def community(number: int) -> list:
    return [GOOD_COMMUNITY[0], f"限额社区{number}", *GOOD_COMMUNITY[2:]]


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows openpyxl handed out, all sheets together (the header rows included)."""
    read = []
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            read.append(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return read


@pytest.fixture
def loads(monkeypatch):
    """The calls made to openpyxl's load_workbook by the import."""
    calls = []
    original = imports.load_workbook

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "load_workbook", spy)
    return calls


class TestRows:
    def test_a_workbook_over_the_row_cap_is_refused_without_reading_the_rest(
        self, world, settings, rows_read
    ):
        settings.IMPORT_MAX_ROWS = 5
        report = run_import(world.clerk, workbook([community(n) for n in range(200)]), check_only=False)
        assert report.errors == ["文件最多 5 行数据,本文件超过了上限:请分成几个文件导入。"]
        # The header and the six data rows that showed the cap was passed, not the 200 rows.
        assert len(rows_read) == 7
        assert not Community.objects.filter(name__startswith="限额社区").exists()

    def test_a_workbook_at_the_row_cap_imports(self, world, settings):
        settings.IMPORT_MAX_ROWS = 5
        report = run_import(world.clerk, workbook([community(n) for n in range(5)]), check_only=False)
        assert report.errors == []
        assert Community.objects.filter(name__startswith="限额社区").count() == 5

    def test_the_cap_counts_the_rows_of_all_sheets_and_not_blank_ones(self, world, settings):
        settings.IMPORT_MAX_ROWS = 4
        blank = [None] * len(GOOD_COMMUNITY)
        fits = workbook([GOOD_COMMUNITY, blank, blank, community(2)], [GOOD_MEMBER, GOOD_MEMBER])
        assert run_import(world.clerk, fits, check_only=True).errors == []
        over = workbook([GOOD_COMMUNITY, community(2)], [GOOD_MEMBER] * 3)
        assert "文件最多 4 行数据" in run_import(world.clerk, over, check_only=True).errors[0]

    def test_a_dimension_that_understates_the_rows_drops_none(self, world):
        data = workbook([community(n) for n in range(4)], write_only=False)
        assert run_import(world.clerk, _with_dimension(data, "A1:I2"), check_only=False).errors == []
        assert Community.objects.filter(name__startswith="限额社区").count() == 4

    def test_the_page_job_fails_with_the_limit_and_imports_nothing(
        self, world, client, settings, eager_tasks, django_capture_on_commit_callbacks
    ):
        settings.IMPORT_MAX_ROWS = 2
        client.force_login(world.clerk)
        upload = io.BytesIO(workbook([community(n) for n in range(3)]))
        upload.name = "社区.xlsx"
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/communities/import/", {"workbook": upload})
        job = Job.objects.get(kind=Job.Kind.IMPORT)
        assert job.state == Job.State.FAILED
        assert "文件最多 2 行数据,本文件超过了上限" in client.get(f"/jobs/{job.pk}/").content.decode()
        assert not Community.objects.filter(name__startswith="限额社区").exists()


class TestUnpackedSize:
    def test_a_zip_that_unpacks_past_the_cap_is_refused_before_openpyxl_opens_it(
        self, world, settings, loads
    ):
        data = workbook([community(n) for n in range(50)])
        unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist())
        settings.IMPORT_MAX_UNCOMPRESSED_BYTES = unpacked - 1
        report = run_import(world.clerk, data, check_only=False)
        assert len(report.errors) == 1 and report.errors[0].startswith("文件解压后最多")
        assert "超过了上限" in report.errors[0]
        assert loads == []
        assert not Community.objects.filter(name__startswith="限额社区").exists()
        settings.IMPORT_MAX_UNCOMPRESSED_BYTES = unpacked
        assert run_import(world.clerk, data, check_only=False).errors == []
        assert len(loads) == 1

    def test_a_zip_bomb_is_refused_by_its_ratio(self, settings, loads):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/worksheets/sheet1.xml", " " * (8 * 1024 * 1024))
        assert settings.IMPORT_MAX_UNCOMPRESSED_BYTES > 8 * 1024 * 1024  # refused for its ratio only
        with pytest.raises(imports.WorkbookRefused, match="倍的上限"):
            open_workbook(buffer)
        assert loads == []

    def test_the_upload_form_refuses_it_on_the_file_field(self, world, client, settings, loads):
        settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
        client.force_login(world.clerk)
        upload = io.BytesIO(workbook([GOOD_COMMUNITY]))
        upload.name = "社区.xlsx"
        response = client.post("/communities/import/", {"workbook": upload})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["workbook"] and errors["workbook"][0].startswith("文件解压后最多 1000")
        assert loads == []
        assert not Job.objects.exists()


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's recorded dimension replaced by `ref`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
            target.writestr(member, content)
    return buffer.getvalue()
