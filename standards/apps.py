from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_shipped_editions(sender, using, apps=None, **kwargs):
    """After `migrate` or a `flush` (which empties the tables but keeps the migration history), the
    shipped editions are there whenever their data migration is applied, as Django does for content
    types. Reversing that migration removes them for good."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder
    from django.utils import timezone

    from . import shipped

    applied = MigrationRecorder(connections[using]).applied_migrations()
    if shipped.LEGACY_MIGRATION not in applied:
        return
    if apps is None:  # `flush` sends no migration state: the tables are the current models'
        from django.apps import apps
    try:
        StandardEdition = apps.get_model("standards", "StandardEdition")
        Indicator = apps.get_model("standards", "Indicator")
    except LookupError:
        return
    shipped.ship(StandardEdition, Indicator, timezone.now(), sheets=shipped.SHEETS_MIGRATION in applied)


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = "标准"

    def ready(self):
        post_migrate.connect(restore_shipped_editions, sender=self, dispatch_uid="standards_shipped_editions")
