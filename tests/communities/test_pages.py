"""The community pages a town clerk works in: list, detail, create, edit, delete, export."""

import io

import pytest
from openpyxl import load_workbook

from communities.models import Community
from core.models import Job
from demo.factories import CommunityFactory

GOOD = {
    "name": "光华社区",
    "kind": "urban",
    "subtype": "ordinary",
    "households": "2100",
    "residents": "6100",
    "established_on": "2016-04-01",
    "address": "光华路1号",
    "phone": "0471-1234567",
}


@pytest.fixture
def clerk_client(world, client):
    client.force_login(world.clerk)
    return client


def test_create_saves_in_the_clerks_town_and_shows_the_record(world, clerk_client):
    response = clerk_client.post("/communities/new/", {**GOOD, "unit": world.t1.pk}, follow=True)
    created = Community.objects.get(name="光华社区")
    assert created.unit == world.t1
    assert response.redirect_chain[-1][0] == f"/communities/{created.pk}/"
    assert "社区已创建。" in response.content.decode()


def test_the_only_town_is_preselected(world, clerk_client):
    form = clerk_client.get("/communities/new/").context["form"]
    assert list(form.fields["unit"].queryset) == [world.t1]
    assert form.fields["unit"].initial == world.t1


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"households": "0"}, "households", "户数必须为正整数。"),
        ({"households": "-3"}, "households", "户数必须为正整数。"),
        ({"residents": "0"}, "residents", "人口必须为正整数。"),
        ({"households": "3000", "residents": "200"}, "residents", "人口不能少于户数。"),
        ({"established_on": "2999-12-31"}, "established_on", "日期不能晚于今天。"),
        ({"name": "幸福社区"}, "name", "该乡镇(街道)下已有同名社区。"),
        ({"name": ""}, "name", "该字段是必填项。"),
    ],
)
def test_invalid_input_shows_a_chinese_message_and_saves_nothing(world, clerk_client, change, field, message):
    response = clerk_client.post("/communities/new/", {**GOOD, "unit": world.t1.pk, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Community.objects.filter(unit=world.t1).count() == 1


def test_a_tampered_town_id_is_refused(world, clerk_client):
    response = clerk_client.post("/communities/new/", {**GOOD, "unit": world.t3.pk})
    assert "unit" in response.context["form"].errors
    assert not Community.objects.filter(name="光华社区").exists()


def test_rural_name_off_the_pattern_is_saved_with_a_visible_warning(world, clerk_client):
    response = clerk_client.post(
        "/communities/new/", {**GOOD, "name": "红星社区", "kind": "rural", "unit": world.t1.pk}, follow=True
    )
    page = response.content.decode()
    assert Community.objects.filter(name="红星社区").exists()
    assert page.count("R-NAME") >= 1 and "东华街道××社区" in page


def test_rural_name_on_the_pattern_has_no_warning(world):
    community = CommunityFactory(unit=world.t3, name="四十里镇兴隆社区", kind="rural")
    assert community.warnings == []
    assert not CommunityFactory(unit=world.t3, name="兴隆社区", kind="rural").follows_rural_naming()
    assert not CommunityFactory(unit=world.t3, name="四十里镇社区", kind="rural").follows_rural_naming()


def test_edit_changes_the_record(world, clerk_client):
    clerk_client.post(f"/communities/{world.c1.pk}/edit/", {**GOOD, "name": "幸福社区", "unit": world.t1.pk})
    world.c1.refresh_from_db()
    assert (world.c1.households, world.c1.address) == (2100, "光华路1号")


def test_delete_asks_first_then_deletes(world, clerk_client):
    page = clerk_client.get(f"/communities/{world.c1.pk}/delete/").content.decode()
    assert "确定要删除“幸福社区”" in page
    assert Community.objects.filter(pk=world.c1.pk).exists()
    clerk_client.post(f"/communities/{world.c1.pk}/delete/")
    assert not Community.objects.filter(pk=world.c1.pk).exists()


def test_detail_hides_edit_buttons_from_readers(world, client):
    client.force_login(world.reviewer)
    page = client.get(f"/communities/{world.c1.pk}/").content.decode()
    assert "幸福社区" in page and f"/communities/{world.c1.pk}/edit/" not in page


class TestList:
    def test_search_filter_and_paging(self, world, client):
        for i in range(30):
            CommunityFactory(unit=world.t2, name=f"翠园{i:02d}社区")
        client.force_login(world.officer)
        first = client.get("/communities/?search=翠园")
        assert first.context["paginator"].count == 30 and len(first.context["object_list"]) == 25
        second = client.get("/communities/?search=翠园&page=2")
        assert len(second.context["object_list"]) == 5
        rural = client.get("/communities/?kind=rural").context["object_list"]
        assert [c.name for c in rural] == ["四十里镇红光社区"]
        district = client.get(f"/communities/?unit={world.d2.pk}").context["object_list"]
        assert [c.name for c in district] == ["四十里镇红光社区"]

    def test_a_foreign_unit_filter_shows_an_error_not_data(self, world, client):
        client.force_login(world.clerk)
        response = client.get(f"/communities/?unit={world.t3.pk}")
        assert "unit" in response.context["filter_form"].errors
        assert [c.name for c in response.context["object_list"]] == ["幸福社区"]

    def test_list_queries_are_bounded(self, world, client, django_assert_max_num_queries):
        for _ in range(20):
            CommunityFactory(unit=world.t2)
        client.force_login(world.officer)
        with django_assert_max_num_queries(10):
            client.get("/communities/")


def test_dashboard_counts_and_drills_down(world, client):
    client.force_login(world.officer)
    response = client.get("/")
    assert response.context["total"] == 3
    rows = {child.name: (counts, total) for child, counts, total in response.context["breakdown"]}
    assert rows == {
        "东城区": ([("urban", 2), ("rural", 0), ("village", 0)], 2),
        "青山县": ([("urban", 0), ("rural", 1), ("village", 0)], 1),
    }
    assert f"/communities/?unit={world.d1.pk}" in response.content.decode()


def test_page_export_runs_a_job_and_downloads_only_the_scope(
    world, client, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(world.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exports/communities/", {"kind": "urban"})
    job = Job.objects.get(owner=world.reviewer)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == Job.State.DONE and job.total == 2
    assert "下载结果文件" in client.get(f"/jobs/{job.pk}/").content.decode()
    download = client.get(f"/jobs/{job.pk}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("系统ID", "社区名称")
    assert sorted(row[1] for row in rows[1:]) == ["和平社区", "幸福社区"]
    client.force_login(world.clerk_t3)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_job_progress_fragment_for_htmx(world, client):
    job = Job.objects.create(
        owner=world.clerk, kind=Job.Kind.EXPORT, total=10, done=4, state=Job.State.RUNNING
    )
    client.force_login(world.clerk)
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "40%" in fragment and "<html" not in fragment


def test_an_edit_does_not_silently_overwrite_a_newer_change(world, clerk_client):
    form = clerk_client.get(f"/communities/{world.c1.pk}/edit/").context["form"]
    opened_with = form["version"].value()
    world.c1.households = 2500
    world.c1.save()  # somebody else saves while the form is open
    response = clerk_client.post(
        f"/communities/{world.c1.pk}/edit/",
        {**GOOD, "name": "幸福社区", "unit": world.t1.pk, "version": opened_with},
    )
    assert response.status_code == 200
    assert "该记录在您编辑期间已被他人修改" in response.content.decode()
    world.c1.refresh_from_db()
    assert world.c1.households == 2500
    fresh = clerk_client.get(f"/communities/{world.c1.pk}/edit/").context["form"]["version"].value()
    clerk_client.post(
        f"/communities/{world.c1.pk}/edit/",
        {**GOOD, "name": "幸福社区", "unit": world.t1.pk, "version": fresh},
    )
    world.c1.refresh_from_db()
    assert world.c1.households == 2100
