from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "设施"

    def ready(self):
        from . import measures, records  # noqa: F401  register the facilities measures and record types
