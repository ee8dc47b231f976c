"""The Content-Security-Policy in a real browser: the scripts moved out of templates still work, Swagger
UI renders, and the lockout page shows; the console watch fails any test on a refused script or style."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from demo.factories import PASSWORD, CommunityFactory, UserFactory
from standards import editing
from standards.models import StandardEdition

from .test_community_flow import log_in


@pytest.fixture
def officer_page(transactional_db, world, page, live_server):
    log_in(page, live_server, world.officer)
    return page


def test_swagger_ui_renders_under_the_policy(transactional_db, page, live_server):
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The page fetches the whole schema (some 20,000 lines) and renders it: on a busy machine that takes
    # longer than the default five seconds.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "社区规范化建设管理平台 API", timeout=30_000
    )
    expect(page.locator(".opblock-summary-path").first).to_be_visible()


def test_select_all_ticks_every_user(officer_page, live_server, world):
    page = officer_page
    page.goto(f"{live_server.url}/users/")
    boxes = page.locator("input[name=users]")
    assert boxes.count() >= 2
    page.get_by_label("全选").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_label("全选").uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))


def test_indicator_form_shows_the_chosen_threshold_inputs(officer_page, live_server, world):
    page = officer_page
    draft = editing.copy_edition(
        StandardEdition.objects.get(tenant__isnull=True, code="U", version=1), world.officer
    )
    page.goto(live_server.url + reverse("indicator-create", args=[draft.pk]))
    expect(page.locator("#id_threshold_number")).to_be_visible()
    expect(page.locator("#id_threshold_factor")).to_be_hidden()
    page.locator("#id_threshold_form").select_option("measure")
    expect(page.locator("#id_threshold_number")).to_be_hidden()
    expect(page.locator("#id_threshold_factor")).to_be_visible()


def test_enrolment_page_previews_the_share(officer_page, live_server, world):
    for n in range(2):
        CommunityFactory(unit=world.t1, name=f"新村{n}社区")
    page = officer_page
    page.goto(f"{live_server.url}/enrolments/")
    preview = page.get_by_test_id("enrolment-share").locator("[data-preview]")
    expect(preview).to_be_hidden()
    page.get_by_label(f"列入{world.c1.name}").check()
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("(1/5)")
    page.get_by_label(f"列入{world.c1.name}").uncheck()
    expect(preview).to_be_hidden()


def test_repeated_failures_show_the_lockout_page(transactional_db, world, page, live_server, console_watch):
    # The browser reports the lockout page's status (429) on its console.
    console_watch.allow(r"status of 429")
    user = UserFactory(username="locked_clerk", unit=world.t1)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("locked")).to_contain_text("账号已暂时锁定")
    page.get_by_role("link", name="返回登录页").click()
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("locked")).to_be_visible()
