"""Load the shipped editions U, R and V (tenant null: every city sees them) from
`standards/editions/v1/{U,R,V}.json`, published, version 1. Reversing deletes exactly those editions.

The JSON files are the shipped data; a later change to a shipped standard is a new edition (a new
version in a new file and migration), never an edit of these files.
"""

from django.db import migrations
from django.utils import timezone

from standards import shipped


def ship(apps, schema_editor):
    shipped.ship(apps.get_model("assessments", "StandardEdition"), apps.get_model("assessments", "Indicator"), timezone.now(), sheets=False)


def unship(apps, schema_editor):
    shipped.unship(apps.get_model("assessments", "StandardEdition"), apps.get_model("assessments", "Indicator"), version=1)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(ship, unship)]
