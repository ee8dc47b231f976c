"""Standards and designations left the assessments app with their tables (`db_table`), so a database
migrated before the split, with the demo loaded, migrates forward with every row as it was: the
tables' checksums of the backup manifest (`core.backups.fingerprint`) are the same before and after,
save the migration history and the four content types, which follow their models."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from core import backups

# The newest migrations at the last commit before the split.
BEFORE_SPLIT = [("assessments", "0007_indicator_evidence"), ("standards", None), ("designations", None)]
AFTER_SPLIT = [("assessments", "0008_move_standards_and_designations")]
MOVED = {
    "standardedition": "standards",
    "indicator": "standards",
    "enrolment": "designations",
    "designation": "designations",
}


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def tables() -> dict:
    with transaction.atomic():
        connection.ensure_connection()
        return backups.fingerprint(connection.connection)


def content_types() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_from_before_the_split_migrates_forward_with_every_row(tmp_path):
    with override_settings(DEBUG=True, DEMO_PASSWORD="demo-pass-2026", MEDIA_ROOT=tmp_path):
        call_command("seed_demo", stdout=io.StringIO())
    migrate(BEFORE_SPLIT)
    before, types_before = tables(), content_types()
    assert before["assessments_designation"]["rows"] > 0 and before["assessments_enrolment"]["rows"] > 0
    assert {types_before[pk] for pk in types_before if types_before[pk][1] in MOVED} == {
        ("assessments", model) for model in MOVED
    }

    migrate(AFTER_SPLIT)
    after, types_after = tables(), content_types()
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the schema the next tests expect

    unchanged = set(before) - {"django_migrations", "django_content_type"}
    assert set(after) == set(before)
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}
    # The same content type rows (so permissions and admin log entries keep pointing at them), now
    # under the app each model moved to.
    assert set(types_after) == set(types_before)
    for pk, (app, model) in types_before.items():
        expected = (MOVED[model], model) if app == "assessments" and model in MOVED else (app, model)
        assert types_after[pk] == expected
