"""`standards/` carries the 评分表 (docs/api.md "Scoring sheets"): each indicator's section, points,
method, scoring rule, veto levels and bonus flag beside the checklist's fields (`weight` = `points`),
and the edition's levels as objects with their minimum score and veto items, and its bonus cap."""

from decimal import Decimal

from standards import editing
from standards.models import StandardEdition

URL = "/api/v1/standards/"
EDITION_FIELDS = {"id", "code", "name", "version", "applies_to", "levels", "bonus_cap", "indicators"}
INDICATOR_FIELDS = {
    "code",
    "requirement",
    "check",
    "level",
    "weight",
    "section",
    "points",
    "method",
    "scoring",
    "veto",
    "bonus",
}


def shipped(code="U") -> StandardEdition:
    return StandardEdition.objects.shipped().filter(code=code).order_by("-version").first()


def test_every_edition_and_indicator_carries_the_sheet(world, api):
    rows = api.as_user(world.reader).get(URL).json()["results"]
    assert rows
    for row in rows:
        assert set(row) == EDITION_FIELDS
        edition = StandardEdition.objects.get(pk=row["id"])
        assert [level["level"] for level in row["levels"]] == edition.levels
        for level in row["levels"]:
            assert set(level) == {"level", "min_score", "veto"}
            assert Decimal(str(level["min_score"])) == edition.min_score(level["level"])
            assert level["veto"] == edition.veto_codes(level["level"])
        for indicator in row["indicators"]:
            assert set(indicator) == INDICATOR_FIELDS
            assert indicator["weight"] == indicator["points"]


def test_a_citys_edited_sheet_as_the_api_gives_it(world, api):
    draft = editing.copy_edition(shipped(), world.officer)
    editing.update_edition(draft, world.officer, min_scores={"qualified": 60, "model": 85}, bonus_cap=3)
    editing.update_indicator(
        draft.indicators.get(code="U-AREA"),
        world.officer,
        section=["阵地建设", "服务站"],
        points=Decimal("2.5"),
        scoring="deduction",
        scoring_params={"per": 1},
        veto=["qualified", "model"],
    )
    editing.update_indicator(draft.indicators.get(code="U-SCREEN"), world.officer, bonus=True, veto=[])
    editing.update_indicator(
        draft.indicators.get(code="U-PROPERTY"), world.officer, method="forum", scoring="graded", veto=[]
    )
    editing.publish(draft, world.officer)
    row = api.as_user(world.clerk).get(f"{URL}{draft.pk}/").json()
    assert row["bonus_cap"] == 3
    assert row["levels"] == [
        {"level": "qualified", "min_score": 60, "veto": draft.veto_codes("qualified")},
        {"level": "model", "min_score": 85, "veto": draft.veto_codes("model")},
    ]
    assert "U-AREA" in row["levels"][0]["veto"] and "U-AREA" in row["levels"][1]["veto"]
    by_code = {indicator["code"]: indicator for indicator in row["indicators"]}
    area = by_code["U-AREA"]
    assert {key: area[key] for key in INDICATOR_FIELDS - {"requirement"}} == {
        "code": "U-AREA",
        "check": "auto",
        "level": area["level"],
        "weight": 2.5,
        "section": ["阵地建设", "服务站"],
        "points": 2.5,
        "method": "system",
        "scoring": "deduction",
        "veto": ["qualified", "model"],
        "bonus": False,
    }
    assert by_code["U-SCREEN"]["bonus"] is True and by_code["U-SCREEN"]["veto"] == []
    assert (by_code["U-PROPERTY"]["method"], by_code["U-PROPERTY"]["scoring"]) == ("forum", "graded")


def test_the_schema_describes_the_sheet(db, client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    edition = schema["StandardEdition"]["properties"]
    assert {"levels", "bonus_cap"} <= set(edition)
    assert edition["levels"]["items"]["$ref"].endswith("/LevelBand")
    assert set(schema["LevelBand"]["properties"]) == {"level", "min_score", "veto"}
    assert INDICATOR_FIELDS <= set(schema["Indicator"]["properties"])
    assert schema["Indicator"]["properties"]["veto"]["type"] == "array"
