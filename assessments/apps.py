from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "年度自查与审核"

    def ready(self):
        from core import measures

        from . import exports, signals  # noqa: F401  exports registers the self-check list
        from .evaluator import current_params

        signals.connect()
        measures.install_edition_params(current_params)
