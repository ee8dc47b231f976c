from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "年度自查与审核"

    def ready(self):
        from core import changes, measures
        from standards import editing

        from . import exports, live  # noqa: F401  exports registers the self-check list
        from .evaluator import current_params
        from .preview import preview_edition

        # A changed community or record evaluates its open self-checks again (`core.changes`).
        changes.register(refresh=live.refresh)
        measures.install_edition_params(current_params)
        # The publish page of a draft shows how the latest year's self-checks would come out under it.
        editing.install_preview(preview_edition)
