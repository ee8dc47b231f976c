"""Ship the 100-point scoring sheets U, R and V (version 2, `standards/editions/{U,R,V}.json`,
docs/scoring.md). Self-checks already run keep the edition they started with; a community's first
run from now on uses these (the newest shipped version). Reversing deletes exactly these editions."""

from django.db import migrations
from django.utils import timezone

from standards import shipped


def ship(apps, schema_editor):
    shipped.ship(
        apps.get_model("standards", "StandardEdition"), apps.get_model("standards", "Indicator"), timezone.now(), legacy=False
    )


def unship(apps, schema_editor):
    # Sheets some self-check already uses stay (their rows follow the schema back); the others go.
    used = apps.get_model("assessments", "SelfCheck").objects.values("edition_id")
    shipped.unship(
        apps.get_model("standards", "StandardEdition"),
        apps.get_model("standards", "Indicator"),
        version=2,
        keep=used,
    )


class Migration(migrations.Migration):
    dependencies = [("standards", "0002_scoring_sheets"), ("assessments", "0008_move_standards_and_designations")]

    operations = [migrations.RunPython(ship, unship)]
