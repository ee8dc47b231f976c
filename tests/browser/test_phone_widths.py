"""Every main page fits a phone: at 390 px wide, for each role, the page never scrolls sideways. A
wide table may scroll inside its own box, never the page."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import SelfCheck
from core.models import Job, User
from core.roles import Action
from core.scope import may

WIDTH = 390
YEAR = timezone.localdate().year


def main_pages(user) -> list[str]:
    """The pages each role works in: home, lists, a self-check, a community, the dashboards,
    standards, designations, messages and jobs."""
    check = SelfCheck.objects.visible_to(user).filter(year=YEAR).order_by("-score").first()
    pages = [
        "/",
        "/communities/",
        f"/self-checks/?year={YEAR}",
        f"/self-checks/failures/?year={YEAR}",
        "/towns/recognitions/",
        "/stats/",
        "/standards/",
        f"/designations/?year={YEAR}",
        "/enrolments/",
        "/records/meetings/",
        "/records/facilities/",
        "/inbox/",
        "/jobs/",
    ]
    if may(user, Action.MANAGE_STANDARDS):  # the city's page of pay benchmarks
        pages.append("/funding/pay-benchmarks/")
    if check is not None:
        pages += [f"/self-checks/{check.pk}/", f"/communities/{check.community_id}/"]
    job = Job.objects.filter(owner=user).first()
    if job is not None:
        pages.append(f"/jobs/{job.pk}/")
    return pages


TITLE_LINES = """() => {
  const h1 = document.querySelector("main h1");
  if (!h1) return 0;
  return Math.round(h1.getBoundingClientRect().height / parseFloat(getComputedStyle(h1).lineHeight));
}"""

# An axis label that is a code (U-SATISF, R-321, ENROL) rather than a name.
CODE = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$"


def charts_labelled_in_chinese(page):
    """The charts of targets and indicators name their categories in Chinese and make room for them
    (the grid contains its labels; long names wrap rather than being cut)."""
    for kind in ("targets", "failed", "gaps"):
        box = page.locator(f'[data-chart="{kind}"]')
        expect(box).to_have_attribute("data-drawn", "true")
        option = box.evaluate("(el) => echarts.getInstanceByDom(el).getOption()")
        axis = option["yAxis"][0]
        names = axis["data"]
        assert names, kind
        assert not [name for name in names if re.match(CODE, str(name))], (kind, names)
        assert option["grid"][0]["containLabel"] is True, kind
        assert axis["axisLabel"]["overflow"] == "break", kind


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def demo(transactional_db, eager_tasks):
    call_command("seed_demo", "--force", stdout=io.StringIO())


# The widths are the stylesheet's doing: the same on either database, so CI's second pass leaves it out.
@pytest.mark.first_pass
@pytest.mark.parametrize("username", ["town_clerk", "district_reviewer", "city_officer"])
def test_every_main_page_fits_a_phone(demo, live_server, browser, console_watch, username):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    context.on("console", console_watch.on_console)
    context.on("weberror", console_watch.on_weberror)
    page = context.new_page()
    user = User.objects.get(username=username)
    Job.objects.create(owner=user, kind=Job.Kind.EXPORT, state=Job.State.DONE, total=1, done=1)
    # The phone's navigation is folded behind 菜单: logged in is the login page left behind.
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="菜单")).to_be_visible()
    assert "/login/" not in page.url
    too_wide = {}
    for path in main_pages(user):
        response = page.goto(f"{live_server.url}{path}")
        if response.status != 200:
            too_wide[path] = f"HTTP {response.status}"
            continue
        if path == "/stats/":
            expect(page.locator("[data-chart]").first).to_have_attribute("data-drawn", "true")
        width = overflow(page)
        if width > WIDTH:
            too_wide[path] = width
        # The title wraps as words do, never a character a line beside a crowd of buttons.
        if page.evaluate(TITLE_LINES) > 2:
            too_wide[path] = "title wraps"
        if path == "/stats/":
            charts_labelled_in_chinese(page)
    context.close()
    assert not too_wide, f"pages wider than {WIDTH} px for {username}: {too_wide}"
