"""A self-check's printed 评分表 (docs/scoring.md, "The printed sheet"): the tree, full marks and the
three columns 自评分 / 初审分 / 验收分 in the PDF and the workbook, not applicable items off the totals,
a visit item judged by two officers at their mean, and who may download it (API and pages)."""

import subprocess
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments import runs, workflow
from assessments.evaluator import evaluator_for
from assessments.models import SelfCheck
from core.roles import Role
from demo.factories import EnrolmentFactory, UserFactory
from standards import editing
from standards.models import Indicator, StandardEdition

from .judging import judge_all

YEAR = timezone.localdate().year
READERS = ["clerk", "reviewer", "officer", "reader", "reader_d1"]
OUTSIDERS = ["clerk_t3", "other_officer"]


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def workbook_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def row_of(rows, first: str, column: int = 0) -> tuple:
    return next(row for row in rows if row[column] == first)


@pytest.fixture
def edition(world):
    """The city's copy of the urban sheet with a graded visit item (4 points) under a 二级 heading."""
    draft = editing.copy_edition(StandardEdition.objects.current_for(None, "urban"), world.officer)
    item = draft.indicators.get(code="U-PROPERTY")
    item.requirement, item.section = "物业服务到位", ["服务", "物业服务"]
    item.points, item.scoring = 4, "graded"
    item.save()
    return editing.publish(draft, world.officer)


@pytest.fixture
def check(world, edition):
    """c1's self-check of the city's sheet, the evidence judged and approved by the district."""
    EnrolmentFactory(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR)
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    assert check.edition == edition
    judge_all(check, Indicator.Check.EVIDENCE)
    SelfCheck.objects.filter(pk=check.pk).update(status=SelfCheck.Status.SUBMITTED)
    workflow.review(world.reviewer, check.pk, "approve")
    return SelfCheck.objects.get(pk=check.pk)


def judged_by_two_officers(world, check) -> SelfCheck:
    second = UserFactory(username="officer_two", unit=world.city, role=Role.CITY_OFFICER)
    workflow.judge(world.officer, check.pk, "U-PROPERTY", earned=3, note="部分楼栋未覆盖")
    workflow.judge(second, check.pk, "U-PROPERTY", earned=4)
    return SelfCheck.objects.get(pk=check.pk)


def sheet(api, user, check, file_format="xlsx"):
    return api.as_user(user).get(f"/api/v1/self-checks/{check.pk}/sheet/?format={file_format}")


def shown(value):
    """A result's points as the workbook holds them (4, 2.5)."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


class TestColumns:
    def test_the_workbook_holds_the_tree_full_marks_and_the_three_columns(self, world, api, check):
        check = judged_by_two_officers(world, check)
        rows = workbook_rows(sheet(api, world.clerk, check).content)
        header = row_of(rows, "代码")
        assert header == ("代码", "评分项目", "考评方法", "评分标准", "分值", "自评分", "初审分", "验收分")
        labels = [row[0] for row in rows]
        assert "一、组织建设" in labels and "(一)物业服务" in labels
        results = {result["indicator"]: result for result in check.results}
        by_code = evaluator_for(check.edition).by_code

        # a graded visit item: the city's column holds the two officers' mean, the others are blank
        assert row_of(rows, "U-PROPERTY")[1:] == (
            "物业服务到位",
            by_code["U-PROPERTY"].method_label,
            "评审在0至满分之间打分(0.5分一档)",
            4,
            None,
            None,
            3.5,
        )
        # a computed item: the same points in all three columns
        size = row_of(rows, "U-SIZE")
        assert size[4:] == (shown(by_code["U-SIZE"].points), *[shown(results["U-SIZE"]["earned"])] * 3)
        # a 材料审核 item: judged by the district (at full marks), so blank in the town's column
        charter = shown(by_code["U-CHARTER"].points)
        assert row_of(rows, "U-CHARTER")[5:] == (None, charter, charter)

        total = row_of(rows, "总分(按适用项折算为百分制,含加分)", column=1)
        assert total[4] == 100 and total[7] == shown(check.score)
        level = row_of(rows, "达到等级", column=1)
        assert level[7] == check.level_display
        # the town's total leaves the judged items out: it is below the district's
        assert total[5] < total[6]
        assert any("评估人员" in str(row[0]) for row in rows)

    def test_the_pdf_prints_the_same(self, world, api, check):
        check = judged_by_two_officers(world, check)
        response = sheet(api, world.reader, check, "pdf")
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        for expected in (
            "一、组织建设",
            "(一)物业服务",
            "物业服务到位",
            "自评分",
            "初审分",
            "验收分",
            "总分",
            "达到等级",
            check.level_display,
            "评估人员",
            "日期",
        ):
            assert expected in text, expected
        assert "3.5" in text.split()  # the officers' mean
        assert str(shown(check.score)) in text.split()

    def test_a_subtotal_per_section_sums_its_items(self, world, api, check):
        rows = workbook_rows(sheet(api, world.clerk, check).content)
        by_code = evaluator_for(check.edition).by_code
        # a 一级 section holding both computed and 材料审核 items
        heading = by_code["U-CHARTER"].section[0]
        results = {result["indicator"]: result for result in check.results}
        items = [
            code
            for code, i in by_code.items()
            if i.section and i.section[0] == heading and not i.bonus and results[code]["applicable"]
        ]
        auto = [code for code in items if by_code[code].check_kind == Indicator.Check.AUTO]
        assert auto and len(auto) < len(items)
        subtotal = row_of(rows, f"{heading} 小计", column=1)
        assert subtotal[4] == shown(sum(by_code[code].points for code in items))
        # the town's column: the computed items only; the district's: every item it has
        assert subtotal[5] == shown(sum(Decimal(str(results[code]["earned"])) for code in auto))
        assert subtotal[6] == shown(sum(Decimal(str(results[code]["earned"])) for code in items))

    def test_before_approval_only_the_towns_column_is_filled(self, world, api, edition):
        runs.evaluate_communities([world.c1.pk], YEAR)
        check = SelfCheck.objects.get(community=world.c1, year=YEAR)
        rows = workbook_rows(sheet(api, world.clerk, check).content)
        size = row_of(rows, "U-SIZE")
        earned = next(result["earned"] for result in check.results if result["indicator"] == "U-SIZE")
        assert size[5] == shown(earned) and size[6:] == (None, None)
        assert row_of(rows, "达到等级", column=1)[6:] == (None, None)

    def test_a_not_applicable_item_is_shown_so_and_left_out_of_the_totals(self, world, api, edition):
        world.c1.subtype = "unit"  # U-SIZE does not apply to a unit-type community
        world.c1.save()
        runs.evaluate_communities([world.c1.pk], YEAR)
        check = SelfCheck.objects.get(community=world.c1, year=YEAR)
        rows = workbook_rows(sheet(api, world.clerk, check).content)
        assert row_of(rows, "U-SIZE")[5] == "不适用"
        by_code = evaluator_for(check.edition).by_code
        applicable = {result["indicator"] for result in check.results if result["applicable"]}
        assert "U-SIZE" not in applicable
        heading = by_code["U-SIZE"].section[0]
        full = sum(
            i.points
            for i in by_code.values()
            if i.section[0] == heading and i.code in applicable and not i.bonus
        )
        assert row_of(rows, f"{heading} 小计", column=1)[4] == shown(full)
        assert row_of(rows, "总分(按适用项折算为百分制,含加分)", column=1)[5] == shown(check.score)


class TestAccess:
    @pytest.mark.parametrize("user", READERS)
    def test_every_reader_downloads_it(self, world, api, check, user):
        response = sheet(api, getattr(world, user), check)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = quote(f"{world.c1.name}{YEAR}年度评分表.xlsx")
        assert response["Content-Disposition"] == (
            f"attachment; filename=\"score-sheet-{YEAR}.xlsx\"; filename*=UTF-8''{name}"
        )

    @pytest.mark.parametrize("user", OUTSIDERS)
    def test_out_of_scope_is_404_whatever_the_format(self, world, api, check, user):
        assert sheet(api, getattr(world, user), check).status_code == 404
        assert sheet(api, getattr(world, user), check, "doc").status_code == 404

    def test_a_bad_format_is_400_on_format(self, world, api, check):
        response = sheet(api, world.clerk, check, "docx")
        assert response.status_code == 400
        assert list(response.json()) == ["format"]

    def test_without_a_format_it_is_the_pdf_and_anonymous_callers_are_refused(self, world, api, check):
        response = api.as_user(world.clerk).get(f"/api/v1/self-checks/{check.pk}/sheet/")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].endswith(quote("年度评分表.pdf"))
        api.credentials()
        assert api.get(f"/api/v1/self-checks/{check.pk}/sheet/?format=pdf").status_code == 401

    def test_the_schema_declares_both_files_and_the_refusals(self, db, client):
        paths = client.get("/api/schema/?format=json").json()["paths"]
        operation = paths["/api/v1/self-checks/{id}/sheet/"]["get"]
        assert set(operation["responses"]["200"]["content"]) == {
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        assert {"400", "401", "403", "404"} <= set(operation["responses"])
        assert {p["name"] for p in operation["parameters"]} == {"format", "id"}

    def test_the_page_offers_both_files_to_readers_and_404_outside(self, world, client, check):
        client.force_login(world.clerk)
        page = client.get(f"/self-checks/{check.pk}/").content.decode()
        assert "打印评分表 (PDF)" in page and "导出评分表 (Excel)" in page
        response = client.get(f"/self-checks/{check.pk}/sheet.xlsx")
        assert response.status_code == 200
        assert row_of(workbook_rows(response.content), "U-PROPERTY")[4] == 4
        client.force_login(world.clerk_t3)
        assert client.get(f"/self-checks/{check.pk}/sheet.pdf").status_code == 404
