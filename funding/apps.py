from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "经费"

    def ready(self):
        from . import measures, records  # noqa: F401  registers the measures and the record types
