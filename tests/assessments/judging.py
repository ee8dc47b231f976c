"""Judge one indicator of a community against the current edition for its kind, through the one
evaluator (the same path a self-check run takes), for boundary tests; and judge a self-check's
evidence or site indicators for the tests of the steps that wait for them."""

from assessments import runs
from assessments.evaluator import EditionEvaluator, evaluator_for
from assessments.models import SelfCheck
from communities.models import Community
from core.measures import Batch
from standards import sheet
from standards.models import StandardEdition


def evaluate(community: Community, year: int):
    community = Community.objects.select_related("unit__parent").get(pk=community.pk)
    edition = StandardEdition.objects.current_for(community.unit.tenant_id, community.kind)
    return EditionEvaluator(edition).evaluate(Batch([community], year))[community.pk]


def judge(community: Community, code: str, year: int) -> dict:
    """The result of indicator `code` for `community` in `year`: {"passed", "value", "expected", "note"}."""
    outcome = evaluate(community, year)
    return next(result for result in outcome.results if result["indicator"] == code)


def judge_all(check: SelfCheck, *kinds: str, passed: bool = True) -> SelfCheck:
    """Every indicator of `kinds` (`Indicator.Check`) of `check` judged, as the district (evidence) and
    the city (site) would, and the self-check evaluated again through the run, which keeps the
    judgements: for tests that take a step waiting for them (approve, accept). `check` must still be
    open (the run leaves a submitted one alone); move its status afterwards."""
    by_code = evaluator_for(check.edition).by_code
    check.judgements = {
        **check.judgements,
        **{
            code: _judgement(indicator, passed)
            for code, indicator in by_code.items()
            if indicator.check_kind in kinds
        },
    }
    check.save(update_fields=["judgements"])
    runs.evaluate_communities([check.community_id], check.year)
    check.refresh_from_db()
    return check


def _judgement(indicator, passed: bool) -> dict:
    """A judgement at full marks or none; a satisfaction item is the site visit's figure, at the top
    band's floor or 0."""
    if indicator.scoring == sheet.Scoring.BANDS:
        top = max(band["min"] for band in indicator.scoring_params["bands"])
        return {"value": top if passed else 0, "note": "已判定"}
    return {"passed": passed, "note": "已判定"}


def codes_of(check: SelfCheck, kind: str) -> list[str]:
    """The codes of `check`'s indicators of `kind`, in the edition's order (as a 409 names them)."""
    by_code = evaluator_for(check.edition).by_code
    return [
        result["indicator"] for result in check.results if by_code[result["indicator"]].check_kind == kind
    ]
