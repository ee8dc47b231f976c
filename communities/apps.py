from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "社区"

    def ready(self):
        # Registers the community list, the record types and the measures.
        from . import exports, measures, record_types  # noqa: F401
