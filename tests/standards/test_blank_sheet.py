"""An edition's blank 评分表 (docs/scoring.md, "The printed sheet"): the same tree as a self-check's
sheet with every score column empty, as PDF and Excel, for whoever may read the edition."""

import subprocess
from io import BytesIO
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from standards import editing
from standards.models import StandardEdition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def urban(db):
    return StandardEdition.objects.current_for(None, "urban")


def sheet(api, user, edition, file_format="xlsx"):
    return api.as_user(user).get(f"/api/v1/standards/{edition.pk}/sheet/?format={file_format}")


def workbook(content: bytes):
    return load_workbook(BytesIO(content)).active


def test_the_workbook_has_every_item_under_its_section_and_blank_score_columns(world, api, urban):
    response = sheet(api, world.reader, urban)
    assert response["Content-Type"] == XLSX
    name = quote(f"U第{urban.version}版空白评分表.xlsx")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"score-sheet-U{urban.version}.xlsx\"; filename*=UTF-8''{name}"
    )
    ws = workbook(response.content)
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(("代码", "评分项目", "考评方法", "评分标准", "分值", "自评分", "初审分", "验收分"))
    items = {row[0]: row for row in rows[header:] if row[0] and row[0].startswith("U-")}
    indicators = {indicator.code: indicator for indicator in urban.indicators.all()}
    assert items.keys() == indicators.keys()
    for code, row in items.items():
        assert row[1].startswith(indicators[code].requirement)  # a veto item also names its levels
        assert row[2] == indicators[code].method_label
        assert row[4] == float(indicators[code].points)
        assert row[5:] == (None, None, None), code
    first_section = indicators[min(indicators, key=lambda c: indicators[c].order)].section[0]
    assert rows[header + 1][0] == f"一、{first_section}"
    total = next(row for row in rows if row[1] and row[1].startswith("总分"))
    assert total[4] == 100 and total[5:] == (None, None, None)
    assert any(row[0] and "合格:不低于" in row[0] for row in rows[:header])
    assert any(row[0] and "评估人员" in row[0] for row in rows[header:])
    # printed on A4 with the header row repeated and frozen
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.freeze_panes == f"A{header + 2}"


def test_a_formula_like_requirement_is_written_as_text(world, api):
    draft = editing.copy_edition(StandardEdition.objects.current_for(None, "urban"), world.officer)
    item = draft.indicators.order_by("order").first()
    item.requirement = '=HYPERLINK("http://example.invalid")'
    item.save()
    editing.publish(draft, world.officer)
    cell = next(
        row[1]
        for row in workbook(sheet(api, world.clerk, draft).content).iter_rows()
        if row[0].value == item.code
    )
    assert cell.data_type == "s" and cell.value == item.requirement


def test_the_pdf_prints_the_tree_and_empty_columns(world, api, urban):
    response = sheet(api, world.clerk, urban, "pdf")
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    for expected in ("一、", "自评分", "初审分", "验收分", "总分", "达到等级", "评估人员", "日期"):
        assert expected in text, expected
    assert "社区名称" in text
    first = urban.indicators.order_by("order").first()
    assert first.code in text


class TestAccess:
    @pytest.mark.parametrize("user", ["clerk", "clerk_t3", "reviewer", "officer", "reader", "reader_d1"])
    def test_everybody_who_reads_editions_downloads_a_shipped_one(self, world, api, urban, user):
        assert sheet(api, getattr(world, user), urban).status_code == 200

    def test_another_citys_edition_is_404_and_a_bad_format_400(self, world, api, urban):
        theirs = editing.copy_edition(urban, world.other_officer)
        editing.publish(theirs, world.other_officer)
        assert sheet(api, world.officer, theirs).status_code == 404
        assert sheet(api, world.officer, theirs, "doc").status_code == 404
        assert sheet(api, world.other_officer, theirs).status_code == 200
        response = sheet(api, world.officer, urban, "csv")
        assert response.status_code == 400 and list(response.json()) == ["format"]
        api.credentials()
        assert api.get(f"/api/v1/standards/{urban.pk}/sheet/").status_code == 401

    def test_a_draft_is_not_in_the_api_but_its_page_prints_it(self, world, api, client, urban):
        draft = editing.copy_edition(urban, world.officer)
        assert sheet(api, world.officer, draft).status_code == 404
        client.force_login(world.officer)
        page = client.get(f"/standards/{draft.pk}/").content.decode()
        assert "空白评分表 (PDF)" in page and "空白评分表 (Excel)" in page
        response = client.get(f"/standards/{draft.pk}/sheet.xlsx")
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        client.force_login(world.other_officer)
        assert client.get(f"/standards/{draft.pk}/sheet.pdf").status_code == 404

    def test_the_schema_declares_both_files(self, db, client):
        paths = client.get("/api/schema/?format=json").json()["paths"]
        operation = paths["/api/v1/standards/{id}/sheet/"]["get"]
        assert set(operation["responses"]["200"]["content"]) == {"application/pdf", XLSX}
        assert {"400", "401", "404"} <= set(operation["responses"])
