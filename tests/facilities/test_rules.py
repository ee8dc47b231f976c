"""Rules of the facility records: what is refused (by page form and API alike), what is only warned
about, and the API's shape (docs/api.md: areas are numbers, rooms a list of codes)."""

import re
from decimal import Decimal

import pytest

from facilities.models import EnvironmentCheck, Facility

STATION = {
    "kind": "service_station",
    "name": "幸福社区服务站",
    "area_m2": "320",
    "activity_area_m2": "220",
    "publicity_boards": "1",
    "disclosure_boards": "2",
}


@pytest.fixture
def clerk_page(world, client):
    client.force_login(world.clerk)
    return client


@pytest.fixture
def clerk_api(world, api):
    return api.as_user(world.clerk)


def _page(client, world, **change):
    return client.post("/records/facilities/new/", {"community": world.c1.pk, **STATION, **change})


def _api(client, world, **change):
    body = {"community": world.c1.pk, **STATION, "rooms": ["service_hall"], **change}
    return client.post("/api/v1/facilities/", body, format="json")


@pytest.mark.parametrize("area", ["0", "-20", "0.00"])
def test_area_not_above_zero_is_refused_by_the_page_form(world, clerk_page, area):
    response = _page(clerk_page, world, area_m2=area, activity_area_m2="0")
    assert response.status_code == 200
    assert response.context["form"].errors["area_m2"] == ["建筑面积必须大于0。"]
    assert "建筑面积必须大于0。" in response.content.decode()
    assert not Facility.objects.exists()


@pytest.mark.parametrize("area", [0, -20, "0.00"])
def test_area_not_above_zero_is_refused_by_the_api(world, clerk_api, area):
    response = _api(clerk_api, world, area_m2=area, activity_area_m2=0)
    assert response.status_code == 400
    assert response.json()["area_m2"] == ["建筑面积必须大于0。"]
    assert not Facility.objects.exists()


def test_activity_area_above_the_area_is_refused(world, clerk_page, clerk_api):
    message = "活动用房面积(320.01 平方米)不能超过建筑面积(320.00 平方米)。"
    response = _page(clerk_page, world, area_m2="320.00", activity_area_m2="320.01")
    assert response.context["form"].errors["activity_area_m2"] == [message]
    response = _api(clerk_api, world, area_m2="320.00", activity_area_m2="320.01")
    assert response.status_code == 400 and response.json()["activity_area_m2"] == [message]
    assert not Facility.objects.exists()
    # the whole building may be activity space
    assert _api(clerk_api, world, area_m2=300, activity_area_m2=300).status_code == 201


def test_a_patch_cannot_shrink_the_area_below_the_activity_area(world, clerk_api):
    created = _api(clerk_api, world).json()
    response = clerk_api.patch(f"/api/v1/facilities/{created['id']}/", {"area_m2": 100}, format="json")
    assert response.status_code == 400 and "activity_area_m2" in response.json()
    assert Facility.objects.get().area_m2 == Decimal("320.00")


def test_rural_rooms_on_an_urban_station_are_refused(world, clerk_page, clerk_api):
    response = _api(clerk_api, world, rooms=["service_hall", "clinic", "shop"])
    assert response.status_code == 400
    assert response.json()["rooms"] == ["社区服务站不设卫生室、便民超市,这些属于农村社区服务中心“八有”。"]
    response = _page(clerk_page, world, rooms=["service_hall", "clinic"])
    assert "卫生室" in response.context["form"].errors["rooms"][0]
    assert not Facility.objects.exists()


def test_urban_rooms_on_a_rural_centre_are_refused(world, api):
    client = api.as_user(world.clerk_t3)
    body = {
        "community": world.c3.pk,
        **STATION,
        "kind": "service_center",
        "area_m2": 600,
        "rooms": ["meeting_room", "council_room"],
    }
    response = client.post("/api/v1/facilities/", body, format="json")
    assert response.status_code == 400
    assert "居民议事室" in response.json()["rooms"][0]
    body["rooms"] = ["service_hall", "meeting_room", "activity_room", "reading_room"]
    body["rooms"] += ["family_planning_room", "police_room", "clinic", "shop"]
    assert client.post("/api/v1/facilities/", body, format="json").status_code == 201


def test_shared_rooms_fit_both_kinds(world, clerk_api):
    shared = ["service_hall", "activity_room", "police_room"]
    assert _api(clerk_api, world, rooms=shared).status_code == 201
    assert _api(clerk_api, world, kind="service_center", rooms=shared).status_code == 201


def test_a_kind_that_does_not_match_the_community_is_a_warning_not_a_refusal(world, clerk_api):
    response = _api(clerk_api, world, kind="service_center", rooms=["meeting_room"])
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        "城市社区一般设社区服务站,这里登记的是农村社区服务中心,请核实类别。"
    ]
    assert _api(clerk_api, world).json()["warnings"] == []


def test_the_api_gives_the_fields_api_md_promises(world, clerk_api):
    created = _api(clerk_api, world, area_m2="320.5", activity_area_m2=220).json()
    row = clerk_api.get(f"/api/v1/facilities/{created['id']}/").json()
    for name in ["id", "community", "kind", "area_m2", "activity_area_m2", "rooms"]:
        assert name in row
    assert row["kind"] == "service_station" and row["community"] == world.c1.pk
    assert row["area_m2"] == 320.5 and row["activity_area_m2"] == 220  # numbers, not strings
    assert row["rooms"] == ["service_hall"]
    assert row["publicity_boards"] == 1 and row["disclosure_boards"] == 2
    assert clerk_api.get("/api/v1/facilities/?kind=service_center").json()["count"] == 0
    assert clerk_api.get("/api/v1/facilities/?kind=service_station").json()["count"] == 1


def test_the_form_renders_for_a_town_clerk_with_checkbox_lists(world, clerk_page):
    response = clerk_page.get(f"/records/facilities/new/?community={world.c1.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ["rooms", "plaques", "windows", "one_stop_services", "stations", "functions", "rural_boards"]:
        assert f'type="checkbox" name="{name}"' in page
    assert 'value="family_planning_room"' in page and "计生服务室" in page


def test_checkbox_lists_submit_through_the_page_form(world, clerk_page):
    response = _page(
        clerk_page,
        world,
        rooms=["service_hall", "council_room", "police_room"],
        plaques=["party_org", "residents_committee", "service_center", "service_station"],
        windows=["party_service", "family_planning"],
        electronic_screen="on",
    )
    assert response.status_code == 302
    facility = Facility.objects.get()
    assert facility.rooms == ["service_hall", "council_room", "police_room"]
    assert facility.plaques == ["party_org", "residents_committee", "service_center", "service_station"]
    assert facility.windows == ["party_service", "family_planning"]
    assert facility.electronic_screen is True
    detail = clerk_page.get(f"/records/facilities/{facility.pk}/").content.decode()
    assert "居民议事室" in detail and "社区党员群众服务中心" in detail
    edit_page = clerk_page.get(f"/records/facilities/{facility.pk}/edit/").content.decode()
    ticked = re.findall(r'name="rooms" value="(\w+)"[^>]*checked', edit_page)
    assert ticked == ["service_hall", "police_room", "council_room"]  # in the list's order
    # unticking every box empties the list
    edit = {"community": world.c1.pk, **STATION, "rooms": ["service_hall"]}
    assert clerk_page.post(f"/records/facilities/{facility.pk}/edit/", edit).status_code == 302
    facility.refresh_from_db()
    assert (
        facility.rooms == ["service_hall"] and facility.plaques == [] and facility.electronic_screen is False
    )


def test_environment_checks_are_one_per_year_and_not_in_the_future(world, api):
    client = api.as_user(world.clerk_t3)
    body = {
        "community": world.c3.pk,
        "year": 2024,
        "four_links": ["road", "water"],
        "five_ones": ["green_space"],
    }
    created = client.post("/api/v1/environment/", body, format="json")
    assert created.status_code == 201 and created.json()["warnings"] == []
    again = client.post("/api/v1/environment/", body, format="json")
    assert again.status_code == 400 and again.json()["year"] == ["该社区2024年的环境检查已登记。"]
    future = client.post("/api/v1/environment/", {**body, "year": 2999}, format="json")
    assert future.status_code == 400 and future.json()["year"] == ["年度不能晚于今年。"]
    assert EnvironmentCheck.objects.count() == 1


def test_environment_form_submits_checkbox_lists(world, clerk_page):
    assert clerk_page.get("/records/environment/new/").status_code == 200
    data = {
        "community": world.c1.pk,
        "year": "2024",
        "four_links": ["road", "power"],
        "five_nos_five_upgrades": ["no_stone", "pen_upgraded"],
    }
    assert clerk_page.post("/records/environment/new/", data).status_code == 302
    check = EnvironmentCheck.objects.get()
    assert check.four_links == ["road", "power"] and check.five_nos_five_upgrades == [
        "no_stone",
        "pen_upgraded",
    ]
    assert check.warnings  # an urban community's environment checklist is noted
