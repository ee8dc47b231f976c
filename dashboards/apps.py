from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "统计看板"

    def ready(self):
        from core import changes

        from . import sources

        # The cached figures end when what they count changes (`core.changes`).
        changes.register(end_figures=sources.end, figure_paths=sources.paths, figure_sources=sources.RECORDS)
