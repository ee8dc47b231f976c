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
    shipped.unship(apps.get_model("standards", "StandardEdition"), apps.get_model("standards", "Indicator"), version=2)


class Migration(migrations.Migration):
    dependencies = [("standards", "0002_scoring_sheets")]

    operations = [migrations.RunPython(ship, unship)]
