"""The gap list in points (docs/scoring.md, "The gap list and the figures"): each item below full marks
says what fixing it is worth (full marks less earned, whatever its scoring rule), town-fixable items
first, veto items first among them, 加分项 last, then the most points; items awaiting review apart; a score below
the target level's minimum named first; the pages group them."""

import pytest
from django.utils import timezone

from assessments import runs
from assessments.models import SelfCheck
from demo.factories import CommunityFactory, FacilityFactory, OrganizationFactory
from standards import editing
from standards.models import StandardEdition

YEAR = timezone.localdate().year
ROOMS = ["service_hall", "activity_room"]  # 2 of the 6 rooms U-ROOMS asks for


@pytest.fixture
def scored(world):
    """The city's urban edition with three items re-scored:

    - U-VOLORG all-or-nothing, 4 points, 一票否决 for 合格: no volunteer organisation → 0, recovers 4;
    - U-SOCORG proportional, 5 points: 8 of 10 organisations → 4, recovers 1;
    - U-ROOMS deduction, 1 point per missing room, 6 points: 4 rooms missing → 2, recovers 4;

    and no other item 一票否决, so that U-VOLORG is the one veto item the ordering is about.
    """
    shipped = StandardEdition.objects.current_for(None, "urban")
    edition = editing.copy_edition(shipped, world.officer)
    items = edition.indicators
    items.exclude(code="U-VOLORG").update(veto=[])
    items.filter(code="U-VOLORG").update(points=4, veto=["qualified", "model"])
    items.filter(code="U-SOCORG").update(points=5, scoring="proportional")
    items.filter(code="U-ROOMS").update(points=6, scoring="deduction", scoring_params={"per": 1})
    items.filter(code="U-CONSULT").update(points=2)
    editing.publish(edition, world.officer)
    community = CommunityFactory(unit=world.t1, name="积分社区")
    for _ in range(8):
        OrganizationFactory(community=community)
    FacilityFactory(community=community, rooms=ROOMS)
    runs.evaluate_communities([community.pk], YEAR)
    check = SelfCheck.objects.get(community=community, year=YEAR)
    assert check.edition_id == edition.pk
    return check


def by_code(gaps):
    return {gap["indicator"]: gap for gap in gaps}


@pytest.mark.django_db
def test_each_scoring_rule_recovers_full_marks_less_earned(scored):
    results = {result["indicator"]: result for result in scored.results}
    assert (results["U-SOCORG"]["earned"], results["U-ROOMS"]["earned"]) == (4, 2)
    gaps = by_code(scored.gaps)

    assert gaps["U-VOLORG"]["points"] == 4 and gaps["U-VOLORG"]["veto"] is True
    assert gaps["U-VOLORG"]["text"] == "尚未建立社区志愿者组织,可得4分。"
    assert gaps["U-SOCORG"]["points"] == 1
    assert gaps["U-SOCORG"]["text"] == "社区社会组织8个,还需2个,可得1分。"
    assert gaps["U-ROOMS"]["points"] == 4
    assert gaps["U-ROOMS"]["text"].startswith("还缺少:") and gaps["U-ROOMS"]["text"].endswith(",可得4分。")
    assert all(
        gaps[code]["town"] and not gaps[code]["pending"] for code in ("U-VOLORG", "U-SOCORG", "U-ROOMS")
    )


@pytest.mark.django_db
def test_pending_items_come_last_worth_their_full_marks(scored):
    gaps = scored.gaps
    pending = [gap for gap in gaps if gap["pending"]]
    assert pending and gaps[-len(pending) :] == pending
    consult = by_code(gaps)["U-CONSULT"]
    assert consult["points"] == 2 and not consult["town"]
    assert consult["text"].endswith("(待区县审核材料),可得2分。")


@pytest.mark.django_db
def test_the_minimum_score_row_comes_first_and_town_items_go_veto_first_then_by_points(scored):
    gaps = scored.gaps
    minimum = gaps[0]
    assert minimum["indicator"] == "" and minimum["level"] == "qualified"
    assert minimum["points"] == float(70 - scored.score)
    assert (
        minimum["text"] == f"得分{float(scored.score):g}分,“合格”须不低于70分,还差{minimum['points']:g}分。"
    )

    town = [gap for gap in gaps[1:] if gap["town"]]
    assert gaps[1 : len(town) + 1] == town  # the town's own items before anything a reviewer judges
    assert town[0]["indicator"] == "U-VOLORG"  # the only veto item, though not the most points
    assert max(gap["points"] for gap in town[1:]) > town[0]["points"]
    # Then 加分项 last (never required), each group by the most points.
    rest = [(gap["bonus"], -gap["points"]) for gap in town[1:]]
    assert rest == sorted(rest) and any(gap["bonus"] for gap in town)
    assert [gap["indicator"] for gap in town].index("U-ROOMS") < [gap["indicator"] for gap in town].index(
        "U-SOCORG"
    )


@pytest.mark.django_db
def test_reviewers_marked_down_items_follow_the_town_s_and_precede_pending(scored):
    results = [
        {**result, "passed": False, "earned": 0.5, "note": "议事记录不完整。"}
        if result["indicator"] == "U-CONSULT"
        else result
        for result in scored.results
    ]
    SelfCheck.objects.filter(pk=scored.pk).update(results=results)
    scored.refresh_from_db()
    gaps = scored.gaps[1:]
    kinds = [("pending" if gap["pending"] else "town" if gap["town"] else "judged") for gap in gaps]
    assert kinds == sorted(kinds, key=["town", "judged", "pending"].index)
    consult = by_code(gaps)["U-CONSULT"]
    assert (consult["points"], consult["text"]) == (1.5, "议事记录不完整,可得1.5分。")


@pytest.mark.django_db
def test_no_minimum_row_once_the_score_is_met(scored):
    SelfCheck.objects.filter(pk=scored.pk).update(score=75)
    scored.refresh_from_db()
    assert all(gap["indicator"] for gap in scored.gaps)
    assert scored.gap_summary["minimum"] is None and scored.gap_summary["short"] == 0


@pytest.mark.django_db
def test_the_pages_group_the_gaps_with_points_and_veto_badges(scored, client, world):
    client.force_login(world.clerk)
    html = client.get(f"/self-checks/{scored.pk}/").content.decode()
    summary = scored.gap_summary
    assert f"距“合格”: 还差{summary['short']:g}分 / 一票否决项1项" in html
    town, pending = html.index('data-testid="gaps-town"'), html.index('data-testid="gaps-pending"')
    assert town < pending
    assert 'data-testid="gaps-judged"' not in html  # nothing marked down by a reviewer yet
    volorg = html.index('data-indicator="U-VOLORG"')
    assert town < volorg < pending
    assert "一票否决" in html[volorg : html.index("</li>", volorg)]
    assert "4分" in html[volorg : html.index("</li>", volorg)]
    assert town < html.index('data-indicator="U-ROOMS"') < pending
    # An evidence item with no file yet is the town's to upload; the site items wait for review.
    assert town < html.index('data-indicator="U-CONSULT"') < pending
    assert "尚未上传材料" in html[html.index('data-indicator="U-CONSULT"') : pending]
    assert html.index('data-indicator="U-SATISF"') > pending

    community = client.get(f"/communities/{scored.community_id}/").content.decode()
    standing = community[community.index('data-testid="standing"') :]
    assert f"距“合格”: 还差{summary['short']:g}分 / 一票否决项1项" in standing
    assert 'data-testid="gaps-town"' in standing and 'data-testid="gaps-pending"' in standing
    assert "尚未建立社区志愿者组织,可得4分。" in standing


def test_a_score_already_high_enough_is_said_so_rather_than_short_by_nought():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    summary = {"short": 0, "vetoes": 1, "minimum": None, "town": [], "judged": [], "pending": []}
    check = SimpleNamespace(next_level="qualified", next_level_display="合格", gap_summary=summary)
    html = render_to_string("assessments/_gap_groups.html", {"check": check})
    assert "距“合格”: 得分已达到 / 一票否决项1项" in html and "还差0分" not in html
