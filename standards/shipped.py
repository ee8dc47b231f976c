"""The shipped editions U, R and V (tenant null, published, version 1), kept as data in
`editions/{U,R,V}.json`.

`ship` is used by the data migration `0002_ship_standards` (with its historical models) and, after a
database flush, by the `post_migrate` handler in `apps.py`, the way Django restores content types:
whenever that migration is applied, every city sees the shipped editions. It creates only what is
missing, so running it twice changes nothing.
"""

import json
from pathlib import Path

STANDARDS_DIR = Path(__file__).resolve().parent / "editions"
CODES = ("U", "R", "V")
MIGRATION = ("assessments", "0002_ship_standards")


def load(code: str) -> dict:
    return json.loads((STANDARDS_DIR / f"{code}.json").read_text(encoding="utf-8"))


def ship(StandardEdition, Indicator, published_at) -> int:
    """Create the shipped editions that do not exist yet; returns how many were created."""
    created = 0
    for code in CODES:
        data = load(code)
        if StandardEdition.objects.filter(
            tenant__isnull=True, code=data["code"], version=data["version"]
        ).exists():
            continue
        edition = StandardEdition.objects.create(
            tenant=None,
            code=data["code"],
            name=data["name"],
            version=data["version"],
            applies_to=data["applies_to"],
            levels=data["levels"],
            premium_min_score=data["premium_min_score"],
            status="published",
            published_at=published_at,
        )
        Indicator.objects.bulk_create(
            Indicator(
                edition=edition,
                order=position,
                code=row["code"],
                category=row["category"],
                requirement=row["requirement"],
                check_kind=row["check"],
                level=row["level"],
                weight=row["weight"],
                measure=row.get("measure", ""),
                params=row.get("params", {}),
                operator=row.get("operator", ""),
                threshold=row.get("threshold"),
                advice=row.get("advice", ""),
            )
            for position, row in enumerate(data["indicators"], start=1)
        )
        created += 1
    return created


def unship(StandardEdition, Indicator) -> None:
    """Delete exactly the shipped editions; copies made from them keep their indicators."""
    shipped = StandardEdition.objects.filter(tenant__isnull=True, code__in=CODES, version=1)
    StandardEdition.objects.filter(based_on__in=shipped).update(based_on=None)
    Indicator.objects.filter(edition__in=shipped).delete()
    shipped.delete()
