"""The town clerk uploads a file for a 材料审核 item far down the self-check page: the row shows the
file at once, the gap list moves the item from what the town can fix to what awaits review, and the
page stays where it was (no reload, no jump to the top)."""

from playwright.sync_api import expect

from assessments.models import SelfCheck
from tests.browser.test_community_flow import log_in

ITEM = "U-CHARTER"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_clerk_uploads_evidence_in_place(transactional_db, world, live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    check = SelfCheck.objects.get(community=world.c1)  # saving the community evaluated it
    log_in(page, live_server, world.clerk)
    page.goto(f"{live_server.url}/self-checks/{check.pk}/")
    gaps_town = page.get_by_test_id("gaps-town")
    expect(gaps_town.locator(f'[data-indicator="{ITEM}"]')).to_contain_text("尚未上传材料")

    row = page.get_by_test_id(f"row-{ITEM}")
    row.scroll_into_view_if_needed()
    page.evaluate("window.sameDocument = true")
    before = page.evaluate("window.scrollY")
    assert before > 300, "the item's row should be well down the page"

    form = page.get_by_test_id(f"upload-{ITEM}")
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "居民公约.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_placeholder("说明").fill("居民会议通过")
    form.get_by_role("button", name="上传材料").click()

    row = page.get_by_test_id(f"row-{ITEM}")
    expect(row).to_contain_text("材料已上传。")
    expect(page.get_by_test_id(f"evidence-{ITEM}")).to_contain_text("居民公约.pdf")
    assert page.evaluate("window.sameDocument") is True, "the upload reloaded the page"
    assert abs(page.evaluate("window.scrollY") - before) < 50, "the page jumped"
    # The gap card, swapped out of band: the item now waits for the district's review.
    expect(page.get_by_test_id("gaps-pending").locator(f'[data-indicator="{ITEM}"]')).to_be_visible()
    expect(page.locator(f'[data-testid="gaps-town"] [data-indicator="{ITEM}"]')).to_have_count(0)
