"""`standards/`: one row per published edition the caller can see, with docs/api.md's fields exactly."""

import pytest

from standards import editing
from standards.models import StandardEdition

URL = "/api/v1/standards/"
EDITION_FIELDS = {"id", "code", "name", "version", "applies_to", "levels", "bonus_cap", "indicators"}
INDICATOR_FIELDS = {"code", "requirement", "check", "level", "weight"}
INDICATOR_FIELDS |= {"section", "points", "method", "scoring", "veto", "bonus"}  # the 评分表


def shipped(code="U") -> StandardEdition:
    return StandardEdition.objects.get(tenant__isnull=True, code=code, version=1)


def rows(api, user, **params):
    response = api.as_user(user).get(URL, params)
    assert response.status_code == 200
    return response.json()["results"]


def test_anonymous_is_refused(db, api):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize("who", ["clerk", "reviewer", "officer", "reader", "reader_d1", "other_officer"])
def test_the_shipped_editions_with_api_md_fields(world, api, who):
    found = rows(api, getattr(world, who))
    assert [(row["code"], row["version"], row["applies_to"]) for row in found] == [
        ("R", 1, "rural"),
        ("U", 1, "urban"),
        ("V", 1, "village"),
    ]
    for row in found:
        assert set(row) == EDITION_FIELDS
        for indicator in row["indicators"]:
            assert set(indicator) == INDICATOR_FIELDS
            assert indicator["check"] in {"auto", "evidence", "site"}
            assert indicator["level"] in [level["level"] for level in row["levels"]]
    urban = next(row for row in found if row["code"] == "U")
    assert [level["level"] for level in urban["levels"]] == ["qualified", "model"]
    assert len(urban["indicators"]) == 41
    first = urban["indicators"][0]
    assert {key: first[key] for key in ("code", "requirement", "check", "level", "weight")} == {
        "code": "U-SIZE",
        "requirement": shipped().indicators.get(code="U-SIZE").requirement,
        "check": "auto",
        "level": "qualified",
        "weight": 1.0,
    }
    rural = next(row for row in found if row["code"] == "R")
    assert [level["level"] for level in rural["levels"]] == ["standardized", "model", "premium"]
    assert {i["check"] for i in urban["indicators"]} == {"auto", "evidence", "site"}


def test_only_published_editions_are_listed_and_only_in_their_city(world, api):
    draft = editing.copy_edition(shipped(), world.officer)
    assert len(rows(api, world.officer)) == 3  # a draft is not part of the API
    assert api.as_user(world.officer).get(f"{URL}{draft.pk}/").status_code == 404
    editing.update_indicator(draft.indicators.get(code="U-AREA"), world.officer, weight=2)
    editing.publish(draft, world.officer)
    for user in (world.clerk, world.reviewer, world.officer, world.reader):
        codes = [(row["code"], row["version"]) for row in rows(api, user)]
        assert codes == [("R", 1), ("U", 1), ("U", 2), ("V", 1)]
    assert len(rows(api, world.other_officer)) == 3
    assert api.as_user(world.other_officer).get(f"{URL}{draft.pk}/").status_code == 404
    detail = api.as_user(world.reader).get(f"{URL}{draft.pk}/").json()
    assert next(i for i in detail["indicators"] if i["code"] == "U-AREA")["weight"] == 2.0


def test_filters(world, api):
    assert [row["code"] for row in rows(api, world.clerk, applies_to="village")] == ["V"]
    assert [row["code"] for row in rows(api, world.clerk, code="R")] == ["R"]
    assert api.as_user(world.clerk).get(URL, {"applies_to": "castle"}).status_code == 400


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_the_resource_is_read_only(world, api, method):
    client = api.as_user(world.officer)
    url = URL if method == "post" else f"{URL}{shipped().pk}/"
    response = getattr(client, method)(url, {"name": "x"})
    assert response.status_code in (403, 405)
    assert shipped().name != "x"


def test_the_schema_still_builds_and_describes_standards(db, client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/standards/", "/api/v1/standards/{id}/"} <= set(schema["paths"])
    operation = schema["paths"]["/api/v1/standards/"]["get"]
    assert {"200", "401", "403", "429"} <= set(operation["responses"])
    assert {"applies_to", "code"} <= {p["name"] for p in operation["parameters"]}
    edition = schema["components"]["schemas"]["StandardEdition"]["properties"]
    assert EDITION_FIELDS <= set(edition)
    indicator = schema["components"]["schemas"]["Indicator"]["properties"]
    assert set(indicator) == INDICATOR_FIELDS
    assert indicator["weight"]["type"] == "number"
