"""A town clerk runs the year's self-checks in the browser, follows the job's progress bar to the end,
reads a community's indicators and gap list, saves a record and sees the gap list change at once."""

import re

from playwright.sync_api import expect

from standards import shipped
from tests.browser.test_community_flow import log_in


def sheet_items(*codes) -> list[dict]:
    """The shipped urban sheet's items of `codes`, in that order."""
    rows = {row["code"]: row for row in shipped.load("U")["indicators"]}
    return [rows[code] for code in codes]


def test_clerk_runs_self_checks_and_closes_a_gap(transactional_db, world, live_server, page):
    log_in(page, live_server, world.clerk)

    page.goto(f"{live_server.url}/self-checks/")
    page.get_by_role("button", name="运行年度自查").click()
    expect(page.get_by_test_id("job-state")).to_contain_text("已完成", timeout=30000)
    expect(page.locator(".progress-bar")).to_have_text("100%")
    page.get_by_role("link", name="查看自查结果").click()

    page.get_by_role("link", name=world.c1.name).click()
    expect(page.locator("h1")).to_contain_text("年度自查")
    indicators = page.get_by_test_id("indicators")
    expect(indicators).to_contain_text("U-AREA")
    station, area = (item["points"] for item in sheet_items("U-STATION", "U-AREA"))
    expect(page.get_by_test_id("gaps")).to_contain_text(f"尚未登记社区服务站,可得{station:g}分。")

    # A station of 282 m²: the community page's gap list says what is still missing, in square metres.
    page.goto(f"{live_server.url}/records/facilities/new/?community={world.c1.pk}")
    page.locator("#id_kind").select_option("service_station")
    page.locator("#id_name").fill("幸福社区服务站")
    page.locator("#id_area_m2").fill("282")
    page.locator("#id_activity_area_m2").fill("200")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{live_server.url}/communities/{world.c1.pk}/")
    gaps = page.get_by_test_id("gap-list")
    # U-AREA is scored in proportion: 282 of 300 m² leaves 18/300 of its points to gain.
    expect(gaps).to_contain_text(f"社区服务站面积282平方米,还差18平方米,可得{area * 18 / 300:g}分。")
    expect(gaps).not_to_contain_text("尚未登记社区服务站")
    expect(page.get_by_test_id("standing")).to_contain_text(re.compile(r"得分 \d+"))

    page.goto(f"{live_server.url}/self-checks/failures/")
    expect(page.get_by_test_id("failures")).to_contain_text("U-SOCORG")
