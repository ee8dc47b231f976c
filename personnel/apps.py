from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = "人员"

    def ready(self):
        from . import measures, records  # noqa: F401  registers the personnel measures and record types
