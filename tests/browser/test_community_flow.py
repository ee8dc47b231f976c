"""A town clerk manages communities through the real pages: login form, list, create form, detail, 404."""

import datetime
import re

from playwright.sync_api import expect

from communities.models import Community
from demo.factories import PASSWORD

# `live_server` makes pytest-django run these tests with `transactional_db` (it is also requested
# explicitly, before `world`), so the rows `world` creates are committed and the server thread sees them.


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(user.unit.name)


def open_create_form(page):
    page.get_by_role("navigation").get_by_role("link", name="社区", exact=True).click()
    expect(page.locator("h1")).to_have_text("社区")
    page.get_by_role("link", name="新增社区").click()
    expect(page.locator("h1")).to_have_text("新增社区")


def fill_form(page, town, *, name, kind, subtype, households, residents, established_on):
    unit = page.locator("#id_unit")
    if unit.is_visible():
        unit.select_option(str(town.pk))
    page.locator("#id_name").fill(name)
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_subtype").select_option(subtype)
    page.locator("#id_households").fill(str(households))
    page.locator("#id_residents").fill(str(residents))
    page.locator("#id_established_on").fill(established_on.isoformat())


def test_clerk_creates_community_and_sees_it_listed(transactional_db, world, live_server, page, pytestconfig):
    log_in(page, live_server, world.clerk)
    open_create_form(page)
    fill_form(
        page,
        world.t1,
        name="光明社区",
        kind="urban",
        subtype="new_residential",
        households=1234,
        residents=3456,
        established_on=datetime.date(2015, 6, 1),
    )
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".alert-success")).to_contain_text("社区已创建。")
    expect(page).to_have_url(re.compile(r"/communities/\d+/$"))
    expect(page.locator("h1")).to_have_text("光明社区")
    details = page.locator("dl")
    for text in ("城市社区", "新建住宅区", "1234", "3456", "2015-06-01", "东城区 / 东华街道"):
        expect(details).to_contain_text(text)
    expect(page.get_by_test_id("warning")).to_have_count(0)

    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="社区", exact=True).click()
    row = page.locator("tbody tr", has=page.get_by_role("link", name="光明社区", exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("东华街道")
    expect(row).to_contain_text("1234")
    expect(page.locator("tbody tr", has_text="幸福社区")).to_have_count(1)  # the clerk's existing one
    expect(page.locator("tbody")).not_to_contain_text("四十里镇红光社区")  # another town's
    shot = pytestconfig.rootpath / "test-results" / "community-list.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)

    created = Community.objects.get(name="光明社区")
    assert created.unit == world.t1
    assert (created.kind, created.subtype) == ("urban", "new_residential")
    assert (created.households, created.residents) == (1234, 3456)
    assert created.established_on == datetime.date(2015, 6, 1)


def test_invalid_form_shows_chinese_errors_and_creates_nothing(transactional_db, world, live_server, page):
    before = Community.objects.count()
    log_in(page, live_server, world.clerk)
    open_create_form(page)
    future = datetime.date.today() + datetime.timedelta(days=400)
    fill_form(
        page,
        world.t1,
        name="未来社区",
        kind="urban",
        subtype="ordinary",
        households=0,
        residents=100,
        established_on=future,
    )
    page.get_by_role("button", name="保存").click()

    expect(page.locator("h1")).to_have_text("新增社区")  # still the form
    expect(page.locator('.invalid-feedback[data-field="households"]')).to_have_text("户数必须为正整数。")
    expect(page.locator('.invalid-feedback[data-field="established_on"]')).to_have_text("日期不能晚于今天。")
    expect(page.locator(".alert-success")).to_have_count(0)
    expect(page.locator("#id_name")).to_have_value("未来社区")  # what was typed is kept
    assert Community.objects.count() == before
    assert not Community.objects.filter(name="未来社区").exists()


def test_rural_community_with_irregular_name_is_saved_with_warning(
    transactional_db, world, live_server, page
):
    log_in(page, live_server, world.clerk)
    open_create_form(page)
    fill_form(
        page,
        world.t1,
        name="红星社区",
        kind="rural",
        subtype="ordinary",
        households=300,
        residents=900,
        established_on=datetime.date(2012, 3, 15),
    )
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".alert-success")).to_contain_text("社区已创建。")
    expect(page.locator("h1")).to_have_text("红星社区")
    warning = page.get_by_test_id("warning")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("R-NAME")
    expect(warning).to_contain_text("东华街道××社区")

    saved = Community.objects.get(unit=world.t1, name="红星社区")
    assert saved.kind == "rural"
    assert saved.warnings


def test_clerk_gets_chinese_404_for_another_towns_community(
    transactional_db, world, live_server, page, console_watch
):
    log_in(page, live_server, world.clerk)
    url = f"{live_server.url}/communities/{world.c3.pk}/"
    # Chromium reports the 404 document itself as a failed resource load: expected here, and only here.
    console_watch.allow(rf"^console error at {re.escape(url)}: Failed to load resource: .*status of 404")
    response = page.goto(url)

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator("main")).to_contain_text("不在您的管辖范围内")
    expect(page.locator("body")).not_to_contain_text("四十里镇红光社区")
    expect(page.get_by_test_id("whoami")).to_contain_text("东华街道")  # still logged in, styled page
