"""No value a user typed can become a formula in a workbook the portal writes, and phone fields take
phone numbers only.

Every export (each list of the registry, the dashboard workbook, the import template) writes its
cells through `core.exports.append`: a string is text whatever it starts with, numbers, dates and
booleans keep their types. Phone fields share `core.validators.validate_phone`, so model, page, API
and Excel import refuse the same input.
"""

import datetime
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from openpyxl import Workbook, load_workbook

from communities.imports import run_import, template_workbook
from communities.models import Community
from core import exports
from core.models import Job, Unit, User
from core.validators import PHONE_MESSAGE, validate_phone
from demo.factories import TownRecognitionFactory
from demo.workbooks import COMMUNITY_HEADER, MEMBER_HEADER
from personnel.models import Member

from ..records.cases import CASES

STARTS = ("=", "+", "-", "@", "\t", "\r")
DDE = "=cmd|' /C calc'!A0"
LISTS = [name for name, _ in exports.choices() if exports.exportable(name)]
NOT_POISONED = {"path", "password"}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _intact(value: str) -> str:
    # XML turns a bare CR into LF when the file is read (openpyxl writes it unescaped): still text.
    return value.replace("\r", "\n")


def _poison(queryset, start="=") -> set[str]:
    """Set every free-text field of the rows to a value starting with `start`, which a spreadsheet
    would read as a formula."""
    written = set()
    fields = [
        field
        for field in queryset.model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not field.primary_key
        and field.name not in NOT_POISONED
    ]
    for obj in queryset:
        values = {}
        for number, field in enumerate(fields):
            value = f"{DDE}{obj.pk}" if number == 0 and start == "=" else f"{start}1+{obj.pk}"
            # Within the column's length: PostgreSQL refuses a longer value (SQLite would store it).
            values[field.name] = value[: field.max_length] if field.max_length else value
        queryset.filter(pk=obj.pk).update(**values)
        written |= {_intact(value) for value in values.values()}
    return written


def _rows_of(name, world):
    """At least one row in the officer's scope for the list `name`."""
    from assessments.models import SelfCheck, SelfCheckEvent
    from designations import titles
    from standards.models import StandardEdition

    edition = StandardEdition.objects.current_for(world.tenant.pk, "urban")
    if name in ("self-checks", "self-check-events", "designations"):
        check = SelfCheck.objects.create(community=world.c1, year=2025, edition=edition)
        if name == "self-check-events":
            SelfCheckEvent.objects.create(
                self_check=check, step="submit", from_status="draft", to_status="submitted", actor=world.clerk
            )
        if name == "designations":
            titles.issue(title="model", year=2025, user=world.officer, self_check=check)
    elif name == "town-recognitions":
        TownRecognitionFactory(unit=world.t1)
    elif name in CASES:
        CASES[name].make(world.c1)


def _assert_text(cells, written):
    found = [
        cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(STARTS + ("\n",))
    ]
    assert found, "nothing of the poisoned values was exported"
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert all(cell.data_type == "s" for cell in found), [
        (c.coordinate, c.value) for c in found if c.data_type != "s"
    ]
    # ... and marked "typed with an apostrophe", so that editing the cell keeps it text.
    assert all(cell.quotePrefix for cell in found)
    # Every such value came out exactly as stored.
    assert {cell.value for cell in found} <= written, {cell.value for cell in found} - written


# One case per list, the lists taking the dangerous first characters in turn: every list and every
# character is exported, without building the world and a workbook for each of the pairs.
LIST_STARTS = [(name, STARTS[number % len(STARTS)]) for number, name in enumerate(LISTS)]


def test_the_lists_take_every_dangerous_start():
    assert {start for _, start in LIST_STARTS} == set(STARTS)


@pytest.mark.parametrize("name,start", LIST_STARTS)
def test_every_list_export_writes_user_text_as_text(
    world, client, eager_tasks, django_capture_on_commit_callbacks, name, start
):
    spec = exports.get(name)
    _rows_of(name, world)
    assert spec.model.objects.visible_to(world.officer).exists()
    written = _poison(spec.model.objects.all(), start)
    written |= _poison(Community.objects.all(), start) | _poison(
        User.objects.exclude(pk=world.officer.pk), start
    )
    for unit in Unit.objects.all():
        Unit.objects.filter(pk=unit.pk).update(name=f"{start}{unit.name}")
        written.add(_intact(f"{start}{unit.name}"))
    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exports/{name}/", {})
    job = Job.objects.get(owner=world.officer)
    assert job.state == Job.State.DONE, job.errors
    response = client.get(f"/jobs/{job.pk}/download/")
    cells = _cells(b"".join(response.streaming_content))
    _assert_text(cells, written)


def test_the_dashboard_workbook_writes_names_as_text(world, client):
    for unit in Unit.objects.all():
        Unit.objects.filter(pk=unit.pk).update(name=f"={unit.pk}+1")
    written = _poison(Community.objects.all()) | {
        f"={pk}+1" for pk in Unit.objects.values_list("pk", flat=True)
    }
    client.force_login(world.officer)
    response = client.get("/stats/export.xlsx", {"year": datetime.date.today().year})
    assert response.status_code == 200
    cells = _cells(response.content)
    _assert_text(cells, written)
    numbers = [
        cell for cell in cells if isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
    ]
    assert numbers and all(cell.data_type == "n" for cell in numbers)


def test_the_import_template_writes_labels_as_text(world):
    cells = _cells(template_workbook(world.clerk))
    assert cells and not [cell for cell in cells if cell.data_type == "f"]


@pytest.mark.parametrize("write_only", [True, False])
def test_append_keeps_types_and_makes_every_string_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else book.active
    texts = [DDE, "=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "#N/A", "普通文字"]
    others = [-5, 3.5, 0, datetime.date(2020, 1, 2), True, None]
    exports.append(sheet, texts + others)
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [cell.value for cell in row[: len(texts)]] == [_intact(text) for text in texts]
    assert all(cell.data_type == "s" for cell in row[: len(texts)])
    # What a spreadsheet would read as a formula is also marked "typed with an apostrophe".
    assert all(cell.quotePrefix for cell in row[:8]) and not row[8].quotePrefix
    numbers = row[len(texts) :]
    assert [cell.value for cell in numbers[:3]] == [-5, 3.5, 0]
    assert [cell.data_type for cell in numbers[:5]] == ["n", "n", "n", "d", "b"]
    assert numbers[3].value == datetime.datetime(2020, 1, 2) and numbers[4].value is True


# ---- phone fields --------------------------------------------------------------------------------

VALID_PHONES = [
    "13912345678",
    "139-1234-5678",
    "+8613912345678",
    "0551-62881234",
    "0551 62881234",
    "(0551)62881234",
    "（0551）62881234",
    "6288123",
    "62881234",
    "0551-62881234-8001",
    "0551-6288123转801",
    "0471-1234567",
    "12345",
    "95588",
    "400-123-4567",
    "8001234567",
]
INVALID_PHONES = [
    DDE,
    "=1+1",
    "+1",
    "-1",
    "@1",
    "\t13912345678",
    "\r13912345678",
    "1234567",
    "12345678",
    "1391234567",
    "139123456789",
    "12912345678",
    "abc",
    "110",
    "0551--62881234",
    "13912345678 13812345678",
    "１３９１２３４５６７８",
]


@pytest.mark.parametrize("value", VALID_PHONES)
def test_phone_numbers_are_accepted(value):
    validate_phone(value)


@pytest.mark.parametrize("value", INVALID_PHONES)
def test_anything_else_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_phone(value)
    assert refused.value.messages == [PHONE_MESSAGE]


def test_every_phone_field_takes_the_validator():
    phones = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if "phone" in field.name and model._meta.app_label not in ("auth", "contenttypes")
    ]
    assert len(phones) >= 4
    assert all(validate_phone in field.validators for field in phones), [
        f"{field.model.__name__}.{field.name}" for field in phones if validate_phone not in field.validators
    ]


def test_the_model_refuses_a_formula_as_phone(world):
    member = CASES["members"].make(world.c1)
    member.phone = "=1+1"
    with pytest.raises(ValidationError) as refused:
        member.full_clean()
    assert refused.value.message_dict == {"phone": [PHONE_MESSAGE]}


def test_the_api_refuses_it_keyed_by_field(world, api):
    body = {**CASES["members"].body(world.c1), "phone": DDE}
    response = api.as_user(world.clerk).post("/api/v1/members/", body, format="json")
    assert response.status_code == 400
    assert response.json()["phone"] == [PHONE_MESSAGE]
    response = api.as_user(world.clerk).patch(
        f"/api/v1/communities/{world.c1.pk}/", {"phone": "=1+1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["phone"] == [PHONE_MESSAGE]


def test_the_community_page_refuses_it(world, client):
    client.force_login(world.clerk)
    response = client.post(f"/communities/{world.c1.pk}/edit/", {"phone": "=1+1"})
    form = response.context["form"]
    assert form.errors["phone"] == [PHONE_MESSAGE]


def test_the_excel_import_reports_the_row(world):
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("社区")
    exports.append(sheet, COMMUNITY_HEADER)
    exports.append(
        sheet, ["东华街道", "朝阳社区", "城市社区", "普通型", 2600, 7300, "2012-05-01", "朝阳路8号", "=1+1"]
    )
    sheet = book.create_sheet("成员")
    exports.append(sheet, MEMBER_HEADER)
    member = [
        "东华街道",
        "幸福社区",
        "刘洋",
        "社区居委会",
        "主任",
        "是",
        "2003-04-01",
        DDE,
        "是",
        "否",
        "",
        "",
    ]
    exports.append(sheet, member)
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(world.clerk, buffer.getvalue(), check_only=False)
    assert f"“社区”第2行 办公电话:{PHONE_MESSAGE}" in report.errors
    assert f"“成员”第2行 联系电话:{PHONE_MESSAGE}" in report.errors
    assert not Member.objects.exists()
