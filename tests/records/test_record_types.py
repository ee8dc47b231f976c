"""The same tests for every registered record type: scope and roles on every endpoint and page,
field-keyed refusals that change nothing, history, export. Cases live in tests/records/cases.py."""

import pytest

from communities import records

from .cases import CASES

SLUGS = sorted(CASES)
# Every role, plus the anonymous caller and a clerk of another town (town_clerk, district_reviewer,
# city_officer, api_reader; the record lives in community c1, town T1 of district D1).
USERS = ["anon", "clerk", "clerk_t3", "reviewer", "officer", "reader"]
SEES = {"clerk": 200, "reviewer": 200, "officer": 200, "reader": 200, "clerk_t3": 404}


def test_every_registered_record_type_has_a_case():
    assert {rt.slug for rt in records.all_types()} == set(CASES)


@pytest.fixture
def api_as(api):
    def make(user):
        return api if user is None else api.as_user(user)

    return make


@pytest.fixture
def page_as(client):
    def make(user):
        if user is not None:
            client.force_login(user)
        return client

    return make


API_ROWS = [
    # (method, target, expected per user; "*" for the rest)
    ("list", {"anon": 401, "*": 200}),
    ("retrieve", {"anon": 401, **SEES}),
    ("create", {"anon": 401, "clerk": 201, "clerk_t3": 400, "*": 403}),
    ("partial_update", {"anon": 401, "clerk": 200, "clerk_t3": 404, "*": 403}),
    ("destroy", {"anon": 401, "clerk": 204, "clerk_t3": 404, "*": 403}),
    ("export", {"anon": 401, "*": 202}),
]


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("action,expect", API_ROWS, ids=[row[0] for row in API_ROWS])
@pytest.mark.parametrize("user", USERS)
def test_api_matrix(world, api_as, slug, action, expect, user):
    spec, record_type = CASES[slug], records.get(slug)
    obj = spec.make(world.c1)
    before = record_type.model.objects.count()
    client = api_as(None if user == "anon" else getattr(world, user))
    base, detail = f"/api/v1/{slug}/", f"/api/v1/{slug}/{obj.pk}/"
    response = {
        "list": lambda: client.get(base),
        "retrieve": lambda: client.get(detail),
        "create": lambda: client.post(base, spec.body(world.c1), format="json"),
        "partial_update": lambda: client.patch(detail, spec.change, format="json"),
        "destroy": lambda: client.delete(detail),
        "export": lambda: client.post(f"{base}export/"),
    }[action]()
    expected = expect.get(user, expect.get("*"))
    assert response.status_code == expected, response.content[:400]
    if expected >= 400:  # a refused request changes nothing
        assert record_type.model.objects.count() == before
        assert record_type.model.history.filter(id=obj.pk).count() == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_api_list_is_scoped(world, api, slug):
    spec = CASES[slug]
    spec.make(world.c1)
    spec.make(world.c3)
    spec.make(world.c_other)
    rows = api.as_user(world.clerk).get(f"/api/v1/{slug}/").json()["results"]
    assert [row["community"] for row in rows] == [world.c1.pk]
    rows = api.as_user(world.reader).get(f"/api/v1/{slug}/?community={world.c3.pk}").json()["results"]
    assert [row["community"] for row in rows] == [world.c3.pk]


@pytest.mark.parametrize("slug", SLUGS)
def test_api_refuses_bad_input_by_field(world, api, slug):
    spec, record_type = CASES[slug], records.get(slug)
    client = api.as_user(world.clerk)
    for change, field in spec.invalid:
        response = client.post(f"/api/v1/{slug}/", {**spec.body(world.c1), **change}, format="json")
        assert response.status_code == 400, (change, response.content)
        assert field in response.json(), (change, response.json())
    assert not record_type.model.objects.exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_api_cannot_move_a_record_to_another_town(world, api, slug):
    spec = CASES[slug]
    obj = spec.make(world.c1)
    response = api.as_user(world.clerk).patch(
        f"/api/v1/{slug}/{obj.pk}/", {"community": world.c3.pk}, format="json"
    )
    assert response.status_code == 400 and "community" in response.json()
    obj.refresh_from_db()
    assert obj.community_id == world.c1.pk


PAGE_ROWS = [
    ("list", "get", "/records/{slug}/", {"anon": 302, "*": 200}),
    ("detail", "get", "/records/{slug}/{pk}/", {"anon": 302, **SEES}),
    ("history", "get", "/records/{slug}/{pk}/history/", {"anon": 302, **SEES}),
    ("new", "get", "/records/{slug}/new/", {"anon": 302, "clerk": 200, "clerk_t3": 200, "*": 403}),
    ("create", "post", "/records/{slug}/new/", {"anon": 302, "clerk": 302, "clerk_t3": 200, "*": 403}),
    ("edit", "get", "/records/{slug}/{pk}/edit/", {"anon": 302, "clerk": 200, "clerk_t3": 404, "*": 403}),
    ("update", "post", "/records/{slug}/{pk}/edit/", {"anon": 302, "clerk": 302, "clerk_t3": 404, "*": 403}),
    (
        "delete",
        "post",
        "/records/{slug}/{pk}/delete/",
        {"anon": 302, "clerk": 302, "clerk_t3": 404, "*": 403},
    ),
    ("export", "post", "/exports/{slug}/", {"anon": 302, "*": 302}),
]


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("name,method,url,expect", PAGE_ROWS, ids=[row[0] for row in PAGE_ROWS])
@pytest.mark.parametrize("user", USERS)
def test_page_matrix(world, page_as, slug, name, method, url, expect, user):
    spec = CASES[slug]
    obj = spec.make(world.c1)
    client = page_as(None if user == "anon" else getattr(world, user))
    data = spec.form_data(world.c1) if name in ("create", "update") else {}
    if name == "update":
        data.update({k: v for k, v in spec.change.items()})
    response = getattr(client, method)(url.format(slug=slug, pk=obj.pk), data)
    expected = expect.get(user, expect.get("*"))
    if expected == 302 and response.status_code == 200 and "form" in (response.context or {}):
        pytest.fail(f"form refused: {response.context['form'].errors.as_data()}")
    assert response.status_code == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_history_keeps_who_changed_what(world, api, client, slug):
    spec, record_type = CASES[slug], records.get(slug)
    client_api = api.as_user(world.clerk)
    created = client_api.post(f"/api/v1/{slug}/", spec.body(world.c1), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client_api.patch(f"/api/v1/{slug}/{pk}/", spec.change, format="json").status_code == 200
    assert client_api.delete(f"/api/v1/{slug}/{pk}/").status_code == 204
    rows = list(record_type.model.history.filter(id=pk).order_by("history_date"))
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert {row.history_user_id for row in rows} == {world.clerk.pk}
    entries = client_api.get(f"/api/v1/history/?community={world.c1.pk}").json()["results"]
    mine = [e for e in entries if e["slug"] == slug and e["object_id"] == pk]
    assert [e["action"] for e in mine] == ["删除", "修改", "新增"]
    assert mine[1]["changes"], "an update lists the fields it changed"
    client.force_login(world.reviewer)
    page = client.get(f"/communities/{world.c1.pk}/history/").content.decode()
    assert record_type.title in page and str(world.clerk) in page


@pytest.mark.parametrize("slug", SLUGS)
def test_community_page_shows_the_section(world, client, slug):
    spec, record_type = CASES[slug], records.get(slug)
    spec.make(world.c1)
    client.force_login(world.clerk)
    page = client.get(f"/communities/{world.c1.pk}/").content.decode()
    assert f'data-record="{slug}"' in page and record_type.title in page
