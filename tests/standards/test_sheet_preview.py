"""The publish page of a draft previews it over the latest year's self-checks of its kind of community
in the officer's scope: communities per level, old (stored) against new (the draft's evaluator over
the same records and judgements), and the communities that move. Nothing is written."""

import pytest
from django.urls import reverse

from assessments import runs
from assessments.evaluator import EditionEvaluator
from assessments.models import SelfCheck
from assessments.preview import preview_edition
from communities.models import Community
from core.measures import Batch
from demo.factories import last_year, this_year
from standards import editing
from standards.models import StandardEdition


def shipped(code="U") -> StandardEdition:
    return StandardEdition.objects.shipped().filter(code=code).order_by("-version").first()


@pytest.fixture
def draft(world):
    """A city's urban draft without veto items, so that its level follows its minimum scores alone."""
    draft = editing.copy_edition(shipped(), world.officer)
    for indicator in draft.indicators.exclude(veto=[]):
        editing.update_indicator(indicator, world.officer, veto=[])
    editing.update_edition(draft, world.officer, min_scores={"qualified": 0, "model": 100})
    return draft


@pytest.fixture
def checks(world):
    """Last year: 幸福社区 合格, 和平社区 未达标 (as a run left them, levels then set); the year before,
    幸福社区 again; this year, only the other city's community (which must not make this year the
    preview's)."""
    runs.evaluate_communities([world.c1.pk, world.c2.pk], last_year())
    runs.evaluate_communities([world.c1.pk], last_year() - 1)
    runs.evaluate_communities([world.c_other.pk], this_year())
    SelfCheck.objects.filter(community=world.c1, year=last_year()).update(level="qualified", score=80)
    SelfCheck.objects.filter(community=world.c2, year=last_year()).update(level="none", score=40)
    SelfCheck.objects.filter(community=world.c1, year=last_year() - 1).update(level="model", score=95)
    SelfCheck.objects.filter(community=world.c_other).update(level="qualified", score=80)
    return {check.community.name + str(check.year): check for check in SelfCheck.objects.all()}


def new_scores(draft, *communities):
    rows = Community.objects.filter(pk__in=[c.pk for c in communities]).select_related("unit__parent")
    outcomes = EditionEvaluator(draft).evaluate(Batch(list(rows), last_year()))
    return {pk: outcome.score for pk, outcome in outcomes.items()}


def test_counts_per_level_old_against_new(world, draft, checks):
    preview = preview_edition(draft, world.officer)
    assert (preview.year, preview.total) == (last_year(), 2)  # the other city's self-check is not counted
    # With 合格 at 0 and 示范 at 100 both communities come out 合格 (neither scores 100 without records).
    assert preview.counts() == [("未达标", 1, 0), ("合格", 1, 2), ("示范", 0, 0)]
    assert preview.rows() == [("未达标", [0, 1, 0], 1), ("合格", [0, 1, 0], 1), ("示范", [0, 0, 0], 0)]
    assert preview.moved == 1
    [move] = preview.moves
    assert (move.community, move.old_level, move.new_level) == ("和平社区", "未达标", "合格")


def test_a_draft_that_raises_the_qualified_minimum_moves_a_community_down(world, draft, checks):
    scores = new_scores(draft, world.c1, world.c2)
    assert max(scores.values()) < 99  # room for a minimum above both
    editing.update_edition(
        draft, world.officer, min_scores={"qualified": float(max(scores.values())) + 0.5, "model": 100}
    )
    preview = preview_edition(draft, world.officer)
    assert preview.counts() == [("未达标", 1, 2), ("合格", 1, 0), ("示范", 0, 0)]
    assert preview.rows()[1] == ("合格", [1, 0, 0], 1)
    [move] = preview.moves
    assert (move.community, move.town, move.old_level, move.new_level) == (
        "幸福社区",
        "东华街道",
        "合格",
        "未达标",
    )
    assert (move.old_score, move.new_score) == (80, scores[world.c1.pk])
    assert SelfCheck.objects.get(community=world.c1, year=last_year()).level == "qualified"  # nothing written


def test_a_changed_auto_item_is_measured_again_an_unchanged_one_keeps_its_result(world, draft, checks):
    check = SelfCheck.objects.get(community=world.c1, year=last_year())
    area = next(result for result in check.results if result["indicator"] == "U-AREA")
    assert area["passed"] is False  # no service station on record
    # As if the station had been judged then: a kept result is the one the self-check holds.
    full = dict(area, passed=True, earned=area["points"])
    results = [full if result["indicator"] == "U-AREA" else result for result in check.results]
    SelfCheck.objects.filter(pk=check.pk).update(results=results, level="none")

    def score_of_c1():
        return next(
            move.new_score
            for move in preview_edition(draft, world.officer).moves
            if move.community == "幸福社区"
        )

    kept = score_of_c1()
    assert kept > new_scores(draft, world.c1)[world.c1.pk]
    editing.update_indicator(draft.indicators.get(code="U-AREA"), world.officer, threshold=250)
    assert score_of_c1() == new_scores(draft, world.c1)[world.c1.pk] < kept


def test_another_citys_officer_never_counts_this_city(world, checks):
    theirs = editing.copy_edition(shipped(), world.other_officer)
    preview = preview_edition(theirs, world.other_officer)
    assert (preview.year, preview.total) == (this_year(), 1)


def test_the_publish_page_shows_the_preview(world, client, draft, checks):
    client.force_login(world.officer)
    html = client.get(reverse("standard-publish", args=[draft.pk])).content.decode()
    assert f"{last_year()} 年度" in html and 'data-testid="preview-matrix"' in html
    assert "和平社区" in html and "未达标 → 合格" in html
    assert "幸福社区" not in html.split('data-testid="preview-moves"')[1]


def test_without_self_checks_the_page_says_so(world, client):
    rural = editing.copy_edition(shipped("R"), world.officer)
    client.force_login(world.officer)
    html = client.get(reverse("standard-publish", args=[rural.pk])).content.decode()
    assert "本市还没有适用于" in html and "无法预览" in html
