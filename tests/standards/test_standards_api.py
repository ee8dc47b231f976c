"""`standards/`: one row per published edition the caller can see, with docs/api.md's fields exactly."""

import pytest

from demo.factories import shipped_edition
from standards import editing
from standards import shipped as shipped_data

URL = "/api/v1/standards/"
EDITION_FIELDS = {"id", "code", "name", "version", "applies_to", "levels", "bonus_cap", "indicators"}
INDICATOR_FIELDS = {"code", "requirement", "check", "level", "weight"}
INDICATOR_FIELDS |= {"section", "points", "method", "scoring", "veto", "bonus"}  # the 评分表


def rows(api, user, **params):
    response = api.as_user(user).get(URL, params)
    assert response.status_code == 200
    return response.json()["results"]


def test_anonymous_is_refused(db, api):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize("who", ["clerk", "reviewer", "officer", "reader", "reader_d1", "other_officer"])
def test_the_shipped_editions_with_api_md_fields(world, api, who):
    found = rows(api, getattr(world, who))
    # Both shipped versions of each code: 1 the legacy checklist as a sheet, 2 the 100-point sheet.
    assert [(row["code"], row["version"], row["applies_to"]) for row in found] == [
        ("R", 1, "rural"),
        ("R", 2, "rural"),
        ("U", 1, "urban"),
        ("U", 2, "urban"),
        ("V", 1, "village"),
        ("V", 2, "village"),
    ]
    for row in found:
        assert set(row) == EDITION_FIELDS
        for indicator in row["indicators"]:
            assert set(indicator) == INDICATOR_FIELDS
            assert indicator["check"] in {"auto", "evidence", "site"}
            assert indicator["level"] in [level["level"] for level in row["levels"]]
            assert indicator["weight"] == indicator["points"]
        for level in row["levels"]:
            assert set(level) == {"level", "min_score", "veto"}
    urban = next(row for row in found if (row["code"], row["version"]) == ("U", 2))
    data = shipped_data.load("U")
    assert [(level["level"], level["min_score"], level["veto"]) for level in urban["levels"]] == [
        (
            level,
            data["min_scores"][level],
            [row["code"] for row in data["indicators"] if level in row["veto"]],
        )
        for level in data["levels"]
    ]
    assert urban["bonus_cap"] == data["bonus_cap"]
    assert len(urban["indicators"]) == len(data["indicators"])
    first, row = urban["indicators"][0], data["indicators"][0]
    assert {key: first[key] for key in INDICATOR_FIELDS} == {
        "code": row["code"],
        "requirement": row["requirement"],
        "check": row["check"],
        "level": row["level"],
        "weight": row["points"],
        "section": row["section"],
        "points": row["points"],
        "method": row["method"],
        "scoring": row["scoring"],
        "veto": row["veto"],
        "bonus": row.get("bonus", False),
    }
    # Version 1 is the legacy checklist converted: every indicator a veto item of its level and above.
    legacy = next(row for row in found if (row["code"], row["version"]) == ("U", 1))
    qualified, model = legacy["levels"]
    assert set(qualified["veto"]) == {i["code"] for i in legacy["indicators"] if i["level"] == "qualified"}
    assert set(model["veto"]) == {i["code"] for i in legacy["indicators"]}
    rural = next(row for row in found if (row["code"], row["version"]) == ("R", 2))
    assert [level["level"] for level in rural["levels"]] == ["standardized", "model", "premium"]
    assert {i["check"] for i in urban["indicators"]} == {"auto", "evidence", "site"}


def test_only_published_editions_are_listed_and_only_in_their_city(world, api):
    draft = editing.copy_edition(shipped_edition("U"), world.officer)
    assert len(rows(api, world.officer)) == 6  # a draft is not part of the API
    assert api.as_user(world.officer).get(f"{URL}{draft.pk}/").status_code == 404
    editing.update_indicator(draft.indicators.get(code="U-AREA"), world.officer, points=2)
    editing.publish(draft, world.officer)
    for user in (world.clerk, world.reviewer, world.officer, world.reader):
        codes = [(row["code"], row["version"]) for row in rows(api, user)]
        assert codes == [("R", 1), ("R", 2), ("U", 1), ("U", 2), ("U", 3), ("V", 1), ("V", 2)]
    assert len(rows(api, world.other_officer)) == 6
    assert api.as_user(world.other_officer).get(f"{URL}{draft.pk}/").status_code == 404
    detail = api.as_user(world.reader).get(f"{URL}{draft.pk}/").json()
    area = next(i for i in detail["indicators"] if i["code"] == "U-AREA")
    assert (area["points"], area["weight"]) == (2.0, 2.0)


def test_filters(world, api):
    village = [(row["code"], row["version"]) for row in rows(api, world.clerk, applies_to="village")]
    assert village == [("V", 1), ("V", 2)]
    assert [(row["code"], row["version"]) for row in rows(api, world.clerk, code="R")] == [("R", 1), ("R", 2)]
    assert api.as_user(world.clerk).get(URL, {"applies_to": "castle"}).status_code == 400


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_the_resource_is_read_only(world, api, method):
    client = api.as_user(world.officer)
    url = URL if method == "post" else f"{URL}{shipped_edition().pk}/"
    response = getattr(client, method)(url, {"name": "x"})
    assert response.status_code in (403, 405)
    assert shipped_edition().name != "x"


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
