"""Self-check results are compressed with lz4 on PostgreSQL (14 and later, built with lz4).

A run writes one results document of several kilobytes per community; PostgreSQL's default
compression (pglz) cost about as much as parsing them, lz4 about half (docs/benchmarks.md, "Nearer the
floor"). Only values written from now on are compressed so; a server without lz4 keeps pglz, and
SQLite has no such setting."""

from django.db import DatabaseError, migrations, transaction


def compression(method: str):
    """A migration step setting the results column's compression (PostgreSQL only)."""

    def step(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("assessments", "SelfCheck")._meta.db_table
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(
                    f'ALTER TABLE "{table}" ALTER COLUMN "results" SET COMPRESSION {method}'
                )
        except DatabaseError:
            pass  # PostgreSQL before 14, or built without lz4: pglz, as before

    return step


class Migration(migrations.Migration):
    dependencies = [("assessments", "0010_evidence_step_label")]

    operations = [migrations.RunPython(compression("lz4"), compression("DEFAULT"))]
