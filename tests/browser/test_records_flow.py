"""A town clerk keeps a community's records in the browser: a member, a facility with rooms, a meeting
with its minutes; the community page then shows them all, and the history page says who did it."""

import re

from playwright.sync_api import expect

from communities.models import Meeting
from facilities.models import Facility
from personnel.models import Member
from tests.browser.test_community_flow import log_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def open_new(page, live_server, community, section, title):
    page.goto(f"{live_server.url}/communities/{community.pk}/")
    page.get_by_role("tab", name=section).click()
    page.get_by_role("link", name=f"新增{title}").click()
    expect(page.locator("h1")).to_have_text(f"新增{title}")


def save(page):
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("记录已保存。")


def test_clerk_records_member_facility_and_meeting(transactional_db, world, live_server, page, tmp_path):
    log_in(page, live_server, world.clerk)

    open_new(page, live_server, world.c1, "人员", "组织成员")
    page.locator("#id_name").fill("赵红梅")
    page.locator("#id_body").select_option("residents_committee")
    page.locator("#id_role").select_option("director")
    page.locator("#id_resident_since").fill("2004-03-01")
    save(page)
    expect(page.locator("h1")).to_contain_text("赵红梅")

    open_new(page, live_server, world.c1, "设施", "社区服务站(中心)")
    page.locator("#id_kind").select_option("service_station")
    page.locator("#id_name").fill("幸福社区服务站")
    page.locator("#id_area_m2").fill("360")
    page.locator("#id_activity_area_m2").fill("250")
    for room in ("综合服务大厅(一门式/便民)", "文体活动室", "居民议事室", "图书档案室", "警务室"):
        page.get_by_label(room, exact=True).check()
    save(page)

    minutes = tmp_path / "会议记录.pdf"
    minutes.write_bytes(PDF)
    open_new(page, live_server, world.c1, "社区生活", "会议")
    page.locator("#id_kind").select_option("residents")
    page.locator("#id_held_on").fill("2026-03-15")
    page.locator("#id_topic").fill("年度工作计划")
    page.locator("#id_minutes").set_input_files(str(minutes))
    save(page)
    expect(page.get_by_role("link", name=re.compile(r"会议记录.*\.pdf"))).to_be_visible()

    page.goto(f"{live_server.url}/communities/{world.c1.pk}/")
    expect(page.locator('[data-record="members"]')).to_contain_text("赵红梅")
    expect(page.locator('[data-record="facilities"]')).to_contain_text("幸福社区服务站")
    expect(page.locator('[data-record="facilities"]')).to_contain_text("居民议事室")
    expect(page.locator('[data-record="meetings"]')).to_contain_text("年度工作计划")

    page.get_by_role("link", name="变更历史").click()
    history = page.get_by_test_id("history")
    for title in ("组织成员", "社区服务站(中心)", "会议"):
        expect(history).to_contain_text(title)
    expect(history).to_contain_text(str(world.clerk))

    member = Member.objects.get(name="赵红梅")
    assert (member.community, member.role) == (world.c1, "director")
    station = Facility.objects.get(community=world.c1)
    assert set(station.rooms) == {
        "service_hall",
        "activity_room",
        "council_room",
        "library_archive",
        "police_room",
    }
    meeting = Meeting.objects.get(community=world.c1)
    assert meeting.minutes.read() == PDF
