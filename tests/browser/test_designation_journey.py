"""The designation journey: one demo community from draft to a 示范 certificate, with the three demo users
in the browser — the town submits, the district judges the evidence and approves (held back until
then), the city records its site visit, judges the site indicators and accepts with 示范 (held back
likewise) — then the certificate's text is read with pdftotext and its verification code checked on
the public page."""

import io
import re
import subprocess

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import SelfCheck
from demo.city import JOURNEY_COMMUNITY
from designations.models import Designation

YEAR = timezone.localdate().year


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="退出").click()


def judge_open_indicators(page, kind_label):
    """Judge every indicator row that offers a form (the caller's kind) at full marks, each once: 达标,
    or a graded item's full points (the number input's maximum)."""
    forms = page.locator('form[data-testid^="judge-"]')
    codes = [forms.nth(i).get_attribute("data-testid") for i in range(forms.count())]
    assert codes, "no indicator to judge"
    for code in codes:
        form = page.get_by_test_id(code)
        earned = form.locator('input[name="earned"][type="number"]')
        if earned.count():
            earned.fill(earned.get_attribute("max"))
        else:
            form.locator('select[name="passed"]').select_option("true")
        form.locator('input[name="note"]').fill(f"{kind_label}符合要求")
        form.get_by_role("button", name="判定").click()
        # Judged in place (htmx): the row is replaced, saying so, without a reload.
        expect(page.get_by_test_id(code.replace("judge-", "row-", 1))).to_contain_text("已记录判定。")


def test_journey_from_draft_to_a_model_certificate(
    transactional_db, live_server, page, settings, tmp_path, eager_tasks
):
    # eager_tasks: the demo's self-checks are evaluated in this process (with a real broker, the
    # seed's bulk refresh would otherwise reach the worker after the test looks for them).
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--force", stdout=io.StringIO())  # tests run with DEBUG off
    check = SelfCheck.objects.get(community__name=JOURNEY_COMMUNITY, year=YEAR)
    url = f"{live_server.url}/self-checks/{check.pk}/"

    log_in(page, live_server, "town_clerk")
    page.goto(url)
    # Every auto item at full marks, the evidence and site items not yet judged: they earn nothing
    # yet (U-ELECTED, a 一票否决 evidence item, still open), so no level stands; judged at full
    # marks, the records reach 示范.
    expect(page.get_by_test_id("level")).to_have_text("未达标")
    expect(page.get_by_test_id("proposed-score")).to_have_text("100.00")
    expect(page.get_by_test_id("proposed-level")).to_have_text("示范")
    page.get_by_role("button", name="提交区县审核").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交区县审核。")
    log_out(page)

    log_in(page, live_server, "district_reviewer")
    page.goto(url)
    # The unjudged evidence indicators hold approval back: listed above the form, approving disabled.
    expect(page.get_by_test_id("review-blocked")).to_contain_text("尚未判定,不能审核通过")
    expect(page.get_by_label("审核通过")).to_be_disabled()
    judge_open_indicators(page, "材料")
    expect(page.get_by_test_id("review-blocked")).to_have_count(0)
    page.get_by_label("审核通过").check()
    page.locator("#review-comment").fill("材料齐全,同意上报")
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成审核。")
    log_out(page)

    log_in(page, live_server, "city_officer")
    page.goto(url)
    page.locator("#visited_on").fill(str(timezone.localdate()))
    page.locator("#forum_held").check()
    page.locator("#forum_participants").fill("15")
    page.locator("#questionnaire_sample").fill("60")
    page.locator("#satisfaction_score").fill("93.5")
    page.get_by_role("button", name="保存实地评估").click()
    expect(page.locator(".alert-success")).to_contain_text("已记录实地评估。")
    expect(page.get_by_test_id("accept-blocked")).to_contain_text("尚未判定,不能验收")
    expect(page.get_by_role("button", name="完成验收")).to_be_disabled()
    judge_open_indicators(page, "实地")
    expect(page.get_by_test_id("accept-blocked")).to_have_count(0)
    expect(page.get_by_test_id("level")).to_have_text("示范")
    page.locator("#designation").select_option("model")
    page.get_by_role("button", name="完成验收").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成市级验收。")

    designation = Designation.objects.get(self_check=check)
    assert (designation.title, designation.year, designation.revoked) == ("model", YEAR, False)
    page.get_by_role("link", name="示范").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("证书")).first.click()
    pdf = download.value.path()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert JOURNEY_COMMUNITY in text
    assert "示范" in text and designation.code_display in text

    log_out(page)
    page.goto(f"{live_server.url}/verify/{designation.code_display}/")
    expect(page.locator("body")).to_contain_text(JOURNEY_COMMUNITY)
    expect(page.locator("body")).to_contain_text("有效")
