"""The shipped editions (tenant null, published), kept as data in `editions/`.

- `editions/v1/{U,R,V}.json`: the first editions, pass/fail checklists with weights, loaded by the data
  migration `assessments.0002_ship_standards` in their own format and converted to scoring sheets by
  `standards.0002_scoring_sheets` (`sheet_from_legacy` says how, so nothing they decided changes).
- `editions/{U,R,V}.json`: the 100-point scoring sheets (docs/scoring.md), loaded by
  `standards.0003_ship_sheets`. A change to a shipped standard is a new version in a new file and
  migration, never an edit of these files.

`ship` is also run after a database flush by the `post_migrate` handler in `apps.py`, the way Django
restores content types: it creates only what is missing and what the applied migrations say exists.
"""

import json
from pathlib import Path

STANDARDS_DIR = Path(__file__).resolve().parent / "editions"
CODES = ("U", "R", "V")
LEGACY_MIGRATION = ("assessments", "0002_ship_standards")
SHEETS_MIGRATION = ("standards", "0003_ship_sheets")
# How a legacy check kind is assessed on the sheet (docs/scoring.md, "Method").
LEGACY_METHODS = {"auto": "system", "evidence": "documents", "site": "inspection"}


def load(code: str) -> dict:
    return json.loads((STANDARDS_DIR / f"{code}.json").read_text(encoding="utf-8"))


def load_legacy(code: str) -> dict:
    return json.loads((STANDARDS_DIR / "v1" / f"{code}.json").read_text(encoding="utf-8"))


def legacy_veto(levels: list[str], level: str) -> list[str]:
    """A checklist indicator of `level` was required for that level and every higher one: on the
    sheet, it is a veto item of exactly those levels."""
    return list(levels[levels.index(level) :]) if level in levels else list(levels)


def legacy_min_scores(levels: list[str], premium_min_score) -> dict:
    """A checklist level needed no score, except 精品 its `premium_min_score`: its vetoes decided it. On
    the sheet the minimums must rise, so the lowest level gets 0 and each next one a point more, which
    a community meeting that level's vetoes (every item of the level and below) always scores; 精品
    keeps its own minimum (at least a point above the level below it)."""
    scores = {}
    for position, level in enumerate(levels):
        scores[level] = position
        if level == "premium":
            scores[level] = max(float(premium_min_score), position)
    return scores


def sheet_from_legacy(data: dict) -> dict:
    """A legacy edition's JSON as a scoring sheet that judges every community exactly as it did: each
    indicator all-or-nothing for its weight, a veto item of its level and the levels above."""
    levels = data["levels"]
    return {
        **{key: value for key, value in data.items() if key not in ("premium_min_score", "indicators")},
        "min_scores": legacy_min_scores(levels, data.get("premium_min_score", 95)),
        "bonus_cap": 5,
        "indicators": [
            {
                **{key: value for key, value in row.items() if key != "weight"},
                "points": row["weight"],
                "section": [row["category"]],
                "method": LEGACY_METHODS[row["check"]],
                "scoring": "all_or_nothing",
                "veto": legacy_veto(levels, row["level"]),
            }
            for row in data["indicators"]
        ],
    }


def _is_sheet_model(Indicator) -> bool:
    return any(field.name == "points" for field in Indicator._meta.get_fields())


def indicator_fields(row: dict, sheet: bool = True) -> dict:
    """An indicator's model fields from its row in an edition file (a sheet's, or a legacy checklist's
    with its `weight`)."""
    fields = {
        "code": row["code"],
        "category": row["category"],
        "requirement": row["requirement"],
        "check_kind": row["check"],
        "level": row["level"],
        "measure": row.get("measure", ""),
        "params": row.get("params", {}),
        "operator": row.get("operator", ""),
        "threshold": row.get("threshold"),
        "advice": row.get("advice", ""),
    }
    if sheet:
        fields.update(
            points=row["points"],
            section=row["section"],
            method=row["method"],
            scoring=row["scoring"],
            scoring_params=row.get("scoring_params", {}),
            veto=row.get("veto", []),
            bonus=row.get("bonus", False),
        )
    else:
        fields["weight"] = row["weight"]
    return fields


def _create(StandardEdition, Indicator, data: dict, published_at, sheet: bool) -> bool:
    if StandardEdition.objects.filter(
        tenant__isnull=True, code=data["code"], version=data["version"]
    ).exists():
        return False
    edition_fields = {
        "tenant": None,
        "code": data["code"],
        "name": data["name"],
        "version": data["version"],
        "applies_to": data["applies_to"],
        "levels": data["levels"],
        "status": "published",
        "published_at": published_at,
    }
    if sheet:
        edition_fields.update(min_scores=data["min_scores"], bonus_cap=data.get("bonus_cap", 5))
    else:
        edition_fields.update(premium_min_score=data["premium_min_score"])
    edition = StandardEdition.objects.create(**edition_fields)
    rows = [
        Indicator(edition=edition, order=position, **indicator_fields(row, sheet))
        for position, row in enumerate(data["indicators"], start=1)
    ]
    Indicator.objects.bulk_create(rows)
    return True


def ship(StandardEdition, Indicator, published_at, legacy: bool = True, sheets: bool = True) -> int:
    """Create the shipped editions that do not exist yet (the legacy checklists, in whichever format the
    given models have, and the scoring sheets where the models have them); returns how many."""
    sheet_model = _is_sheet_model(Indicator)
    created = 0
    for code in CODES:
        if legacy:
            data = load_legacy(code)
            created += _create(
                StandardEdition,
                Indicator,
                sheet_from_legacy(data) if sheet_model else data,
                published_at,
                sheet_model,
            )
        if sheets and sheet_model:
            created += _create(StandardEdition, Indicator, load(code), published_at, True)
    return created


def unship(StandardEdition, Indicator, version: int, keep=None) -> None:
    """Delete exactly the shipped editions of `version` (but those whose ids `keep` lists); copies made
    from them keep their indicators."""
    shipped = StandardEdition.objects.filter(tenant__isnull=True, code__in=CODES, version=version)
    if keep is not None:
        shipped = shipped.exclude(pk__in=keep)
    StandardEdition.objects.filter(based_on__in=shipped).update(based_on=None)
    Indicator.objects.filter(edition__in=shipped).delete()
    shipped.delete()
