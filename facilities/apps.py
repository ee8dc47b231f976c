from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "设施"

    def ready(self):
        from . import records  # noqa: F401  registers the facilities record types
