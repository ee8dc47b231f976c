"""The town's yearly "六个好" recognition: a town-level record, scoped by its unit."""

import io

import pytest

from communities.models import TownRecognition
from demo.factories import TownRecognitionFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
USERS = ["anon", "clerk", "clerk_t3", "reviewer", "officer", "reader"]
SEES_T1 = {"clerk": 200, "reviewer": 200, "officer": 200, "reader": 200, "clerk_t3": 404}

API = [
    ("list", {"anon": 401, "*": 200}),
    ("retrieve", {"anon": 401, **SEES_T1}),
    ("create", {"anon": 401, "clerk": 201, "clerk_t3": 400, "*": 403}),
    ("partial_update", {"anon": 401, "clerk": 200, "clerk_t3": 404, "*": 403}),
    ("destroy", {"anon": 401, "clerk": 204, "clerk_t3": 404, "*": 403}),
    ("export", {"anon": 401, "*": 202}),
]


@pytest.fixture
def recognition(world):
    return TownRecognitionFactory(unit=world.t1, year=2025, recognised=True)


@pytest.mark.parametrize("action,expect", API, ids=[row[0] for row in API])
@pytest.mark.parametrize("user", USERS)
def test_api_matrix(world, api, recognition, action, expect, user):
    client = api if user == "anon" else api.as_user(getattr(world, user))
    base, detail = "/api/v1/town-recognitions/", f"/api/v1/town-recognitions/{recognition.pk}/"
    response = {
        "list": lambda: client.get(base),
        "retrieve": lambda: client.get(detail),
        "create": lambda: client.post(
            base, {"unit": world.t1.pk, "year": 2024, "recognised": True}, format="json"
        ),
        "partial_update": lambda: client.patch(detail, {"note": "已整改"}, format="json"),
        "destroy": lambda: client.delete(detail),
        "export": lambda: client.post(f"{base}export/"),
    }[action]()
    expected = expect.get(user, expect["*"] if "*" in expect else None)
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert TownRecognition.objects.count() == 1


PAGES = [
    ("get", "/towns/recognitions/", {"anon": 302, "*": 200}),
    ("get", "/towns/recognitions/new/", {"anon": 302, "clerk": 200, "clerk_t3": 200, "*": 403}),
    ("get", "/towns/recognitions/{pk}/edit/", {"anon": 302, "clerk": 200, "clerk_t3": 404, "*": 403}),
    ("get", "/towns/recognitions/{pk}/history/", {"anon": 302, **SEES_T1}),
    ("post", "/towns/recognitions/{pk}/delete/", {"anon": 302, "clerk": 302, "clerk_t3": 404, "*": 403}),
]


@pytest.mark.parametrize("method,url,expect", PAGES, ids=[f"{m} {u}" for m, u, _ in PAGES])
@pytest.mark.parametrize("user", USERS)
def test_page_matrix(world, client, recognition, method, url, expect, user):
    if user != "anon":
        client.force_login(getattr(world, user))
    response = getattr(client, method)(url.format(pk=recognition.pk))
    assert response.status_code == expect.get(user, expect.get("*"))


def test_list_is_scoped(world, api, recognition):
    TownRecognitionFactory(unit=world.t3, year=2025)
    TownRecognitionFactory(unit=world.other_town, year=2025)
    rows = api.as_user(world.clerk).get("/api/v1/town-recognitions/").json()["results"]
    assert [row["unit"] for row in rows] == [world.t1.pk]
    assert api.as_user(world.officer).get("/api/v1/town-recognitions/").json()["count"] == 2


def test_one_per_town_and_year_and_only_towns(world, api, recognition):
    client = api.as_user(world.clerk)
    response = client.post("/api/v1/town-recognitions/", {"unit": world.t1.pk, "year": 2025}, format="json")
    assert response.status_code == 400 and response.json() == {
        "year": ["该乡镇(街道)本年度已有“六个好”认定记录。"]
    }
    response = client.post("/api/v1/town-recognitions/", {"unit": world.d1.pk, "year": 2024}, format="json")
    assert response.status_code == 400 and "unit" in response.json()
    response = client.post("/api/v1/town-recognitions/", {"unit": world.t1.pk, "year": 2999}, format="json")
    assert response.status_code == 400 and "year" in response.json()


def test_confirmation_is_not_the_towns(world, api, client, recognition):
    response = api.as_user(world.clerk).patch(
        f"/api/v1/town-recognitions/{recognition.pk}/", {"confirmed_by_district": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["confirmed_by_district"] is False
    client.force_login(world.clerk)
    client.post(
        f"/towns/recognitions/{recognition.pk}/edit/",
        {"unit": world.t1.pk, "year": 2025, "recognised": "on", "confirmed_by_district": "on"},
    )
    recognition.refresh_from_db()
    assert recognition.confirmed_by_district is False


def test_evidence_upload_is_served_in_scope_only(world, client, recognition):
    client.force_login(world.clerk)
    upload = io.BytesIO(PDF)
    upload.name = "认定材料.pdf"
    response = client.post(
        f"/towns/recognitions/{recognition.pk}/edit/",
        {"unit": world.t1.pk, "year": 2025, "recognised": "on", "evidence": upload},
    )
    assert response.status_code == 302
    assert b"".join(client.get(f"/towns/recognitions/{recognition.pk}/evidence/").streaming_content) == PDF
    client.force_login(world.clerk_t3)
    assert client.get(f"/towns/recognitions/{recognition.pk}/evidence/").status_code == 404


def test_history_shows_who_changed_what(world, client, recognition):
    client.force_login(world.clerk)
    client.post(
        f"/towns/recognitions/{recognition.pk}/edit/", {"unit": world.t1.pk, "year": 2025, "note": "补充材料"}
    )
    client.force_login(world.reviewer)
    page = client.get(f"/towns/recognitions/{recognition.pk}/history/").content.decode()
    assert str(world.clerk) in page and "达到“六个好”标准" in page and "是 → 否" in page


def test_yes_no_filters_offer_all_yes_no(world, client, recognition):
    client.force_login(world.officer)
    page = client.get("/towns/recognitions/").content.decode()
    assert ">全部</option>" in page and "未知" not in page
    assert len(client.get("/towns/recognitions/?recognised=false").context["object_list"]) == 0
    assert len(client.get("/towns/recognitions/?recognised=unknown").context["object_list"]) == 1
