"""Each tier's dashboard in the browser on the demo data — every chart drawn (a canvas in
each chart box, fed by the `stats/` API), no console error — and the drill-down from the city to a
district, a town and a community."""

import io
import re

from django.core.management import call_command
from playwright.sync_api import expect

from .test_designation_journey import log_in


def expect_charts_drawn(page, count):
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(count)
    for index in range(count):
        chart = charts.nth(index)
        expect(chart).to_have_attribute("data-drawn", "true")
        assert chart.locator("canvas").count() >= 1, chart.get_attribute("data-chart")


def test_each_tier_sees_its_dashboard_drawn(transactional_db, live_server, page, eager_tasks):
    call_command("seed_demo", "--force", stdout=io.StringIO())

    # The city: ten charts, the districts below it; one click drills down to a district.
    log_in(page, live_server, "city_officer")
    page.get_by_test_id("nav-stats").click()
    expect_charts_drawn(page, 10)
    units = page.get_by_test_id("units")
    first = units.get_by_test_id("drill").first
    district = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(district)
    expect_charts_drawn(page, 10)
    # ... and on to a town, whose communities are listed with a chart of their scores.
    page.get_by_test_id("units").get_by_test_id("drill").first.click()
    expect_charts_drawn(page, 10)
    expect(page.get_by_test_id("communities")).to_be_visible()
    page.get_by_test_id("communities").locator("tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/communities/\d+/$"))
    page.get_by_role("button", name="退出").click()

    # The district reviewer: its towns.
    log_in(page, live_server, "district_reviewer")
    page.goto(f"{live_server.url}/stats/")
    expect_charts_drawn(page, 10)
    expect(page.get_by_test_id("units")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    # The town clerk: its communities.
    log_in(page, live_server, "town_clerk")
    page.goto(f"{live_server.url}/stats/")
    expect_charts_drawn(page, 10)
    expect(page.get_by_test_id("communities")).to_be_visible()
    # The year selector reloads the page for the year chosen.
    year = page.locator("#stats-year")
    previous = year.locator("option").nth(1).get_attribute("value")
    year.select_option(previous)
    expect(page).to_have_url(re.compile(rf"/stats/\?(unit=\d+&)?year={previous}$"))
    expect_charts_drawn(page, 10)
