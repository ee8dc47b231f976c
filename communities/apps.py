from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "社区"

    def ready(self):
        from . import exports, record_types  # noqa: F401  registers the community list and record types
