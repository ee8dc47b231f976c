"""Judge one indicator of a community against the current edition for its kind, through the one
evaluator (the same path a self-check run takes), for boundary tests."""

from assessments.evaluator import EditionEvaluator
from communities.models import Community
from core.measures import Batch
from standards.models import StandardEdition


def evaluate(community: Community, year: int):
    community = Community.objects.select_related("unit__parent").get(pk=community.pk)
    edition = StandardEdition.objects.current_for(community.unit.tenant_id, community.kind)
    return EditionEvaluator(edition).evaluate(Batch([community], year))[community.pk]


def judge(community: Community, code: str, year: int) -> dict:
    """The result of indicator `code` for `community` in `year`: {"passed", "value", "expected", "note"}."""
    outcome = evaluate(community, year)
    return next(result for result in outcome.results if result["indicator"] == code)
