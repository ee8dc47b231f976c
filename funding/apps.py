from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "经费"

    def ready(self):
        from core import changes

        from . import measures, records  # noqa: F401  registers the measures and the record types
        from .models import recompute_current_work_fund

        changes.register(community_saved=recompute_current_work_fund)
