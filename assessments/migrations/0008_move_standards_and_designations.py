"""Standards (StandardEdition, Indicator) and designations (Enrolment, Designation) now live in their
own apps, with their tables (`db_table` keeps the names): here they leave this app's migration state,
and the self-check's edition points at the standards app's model. Nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_indicator_evidence"),
        ("standards", "0001_initial"),
        ("designations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="selfcheck",
                    name="edition",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="self_checks",
                        to="standards.standardedition",
                        verbose_name="标准版本",
                    ),
                ),
                migrations.DeleteModel(name="Designation"),
                migrations.DeleteModel(name="Enrolment"),
                migrations.DeleteModel(name="Indicator"),
                migrations.DeleteModel(name="StandardEdition"),
            ],
        ),
    ]
