"""The 评分表 journey through the real pages: the city officer copies the shipped urban edition, raises
an evidence item's full marks and makes it graded, previews the change against last year's
self-checks and publishes; the district reviewer scores that item in place below full marks and
approves; the town clerk prints the self-check's 评分表 as PDF and Excel, and both files carry the
item's requirement, its new full marks and the district's score."""

import re
import subprocess

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import SelfCheck
from assessments.runs import evaluate_communities
from demo.factories import EnrolmentFactory, shipped_edition
from standards.models import StandardEdition
from tests.browser.test_community_flow import log_in
from tests.browser.test_designation_journey import log_out

YEAR = timezone.localdate().year
ITEM = "U-CHARTER"  # a 材料审核 item (method documents), all-or-nothing at 1 point as shipped
FULL = "4"
SCORE = "2.5"
NOTE = "居民公约未经居民会议表决"


def test_city_sheet_is_scored_in_place_and_printed(
    transactional_db, world, live_server, page, tmp_path, eager_tasks
):
    shipped = shipped_edition("urban")
    requirement = shipped.indicators.get(code=ITEM).requirement
    EnrolmentFactory(community=world.c1, year=YEAR)
    # Saving a community evaluated it at once under the shipped edition; this year's self-checks start
    # only after the city publishes its own. Last year's, under the shipped edition, is what the
    # publish page's preview re-scores.
    SelfCheck.objects.filter(year=YEAR).delete()
    evaluate_communities([world.c1.pk], YEAR - 1)

    # 1. The city officer copies the shipped edition, edits the item and publishes after the preview.
    log_in(page, live_server, world.officer)
    page.goto(f"{live_server.url}/standards/")
    shipped_row = (
        page.get_by_test_id("edition-row")
        .filter(has_text=f"第{shipped.version}版")
        .filter(has_text="随平台提供")
    )
    shipped_row.filter(has_text="城市社区").get_by_role("link", name=shipped.name).click()
    page.get_by_role("button", name="复制为本市新版本").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿")
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    draft = StandardEdition.objects.get(tenant=world.tenant, based_on=shipped)

    page.get_by_test_id(f"indicator-{ITEM}").get_by_role("link", name="修改").click()
    expect(page.locator("h1")).to_have_text(f"修改指标 {ITEM}")
    page.locator("#id_points").fill(FULL)
    page.locator("#id_scoring").select_option("graded")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text(f"指标 {ITEM} 已保存。")
    row = page.get_by_test_id(f"indicator-{ITEM}")
    expect(row.get_by_test_id("points")).to_have_text(FULL)
    expect(row.get_by_test_id("scoring")).to_contain_text("评审在0至满分之间打分")

    page.get_by_role("link", name="发布", exact=True).click()
    expect(page.get_by_test_id("changes")).to_contain_text(ITEM)
    counts = page.get_by_test_id("preview-counts")
    expect(counts).to_be_visible()
    old_level = SelfCheck.objects.get(community=world.c1, year=YEAR - 1).level_display
    # The one community's level, once under 现有 and once under 按本草稿.
    level_row = counts.locator("tbody tr", has_text=old_level)
    expect(level_row.locator("td").nth(1)).to_have_text("1")
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator(".alert-success")).to_contain_text("已发布")
    expect(page.get_by_test_id("status")).to_have_text("已发布")
    log_out(page)

    # 2. This year's self-check comes under the published city edition; the town submits it.
    evaluate_communities([world.c1.pk], YEAR)
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    assert check.edition_id == draft.pk
    url = f"{live_server.url}/self-checks/{check.pk}/"

    log_in(page, live_server, world.clerk)
    page.goto(url)
    page.get_by_role("button", name="提交区县审核").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交区县审核。")
    log_out(page)

    # The district reviewer scores the graded item in its row, without a page load.
    log_in(page, live_server, world.reviewer)
    page.goto(url)
    expect(page.get_by_test_id(f"points-{ITEM}")).to_have_text(FULL)
    expect(page.get_by_test_id(f"earned-{ITEM}")).to_have_text("—")
    score_before = page.get_by_test_id("score").inner_text()
    page.evaluate("window.sameDocument = true")
    form = page.get_by_test_id(f"judge-{ITEM}")
    form.locator('input[name="earned"]').fill(SCORE)
    form.locator('input[name="note"]').fill(NOTE)
    form.get_by_role("button", name="判定").click()
    item_row = page.get_by_test_id(f"row-{ITEM}")
    expect(item_row).to_contain_text("已记录判定。")
    expect(page.get_by_test_id(f"earned-{ITEM}")).to_have_text(SCORE)
    expect(item_row).to_contain_text("部分得分")
    expect(item_row).to_contain_text(NOTE)
    expect(page.get_by_test_id("score")).not_to_have_text(score_before)
    check.refresh_from_db()
    expect(page.get_by_test_id("score")).to_have_text(str(check.score))
    assert page.evaluate("window.sameDocument") is True, "the judgement reloaded the page"

    # The 初审分 column is printed once the district approves: judge the other evidence items too.
    forms = page.locator('form[data-testid^="judge-"]')
    others = [forms.nth(i).get_attribute("data-testid") for i in range(forms.count())]
    assert f"judge-{ITEM}" in others  # the district may still change its score until it approves
    for code in [code for code in others if code != f"judge-{ITEM}"]:
        other = page.get_by_test_id(code)
        earned = other.locator('input[name="earned"][type="number"]')
        if earned.count():  # a graded item: its full marks
            earned.fill(earned.get_attribute("max"))
        else:
            other.locator('select[name="passed"]').select_option("true")
        other.get_by_role("button", name="判定").click()
        expect(page.get_by_test_id(code.replace("judge-", "row-", 1))).to_contain_text("已记录判定。")
    page.get_by_label("审核通过").check()
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成审核。")
    expect(page.get_by_test_id(f"earned-{ITEM}")).to_have_text(SCORE)
    log_out(page)

    # 3. The town clerk prints the 评分表.
    log_in(page, live_server, world.clerk)
    page.goto(url)
    with page.expect_download() as pdf_download:
        page.get_by_test_id("sheet-pdf").click()
    pdf = tmp_path / "sheet.pdf"
    pdf_download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", requirement) in flat  # a long requirement wraps inside its cell
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    item_line = next(line for line in layout.splitlines() if ITEM in line)
    # 分值, then 初审分 and 验收分 (the 自评分 of a judged item stays blank).
    assert re.search(rf"\s{FULL}\s+{re.escape(SCORE)}\s+{re.escape(SCORE)}\s*$", item_line), item_line

    with page.expect_download() as xlsx_download:
        page.get_by_test_id("sheet-xlsx").click()
    workbook_path = tmp_path / "sheet.xlsx"
    xlsx_download.value.save_as(workbook_path)
    sheet = openpyxl.load_workbook(workbook_path).active
    header = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "代码")
    item = next(row for row in sheet.iter_rows(values_only=True) if row[0] == ITEM)
    cells = dict(zip(header, item, strict=True))
    assert cells["评分项目"] == requirement
    assert float(cells["分值"]) == float(FULL)
    assert cells["自评分"] in (None, "")
    assert float(cells["初审分"]) == float(SCORE)
    assert float(cells["验收分"]) == float(SCORE)
