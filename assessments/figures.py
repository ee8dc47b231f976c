"""Figures over a unit, read off its self-checks of a year (no re-measuring): the programme targets
that STANDARD.md sets over a township or a city rather than over one community.

- direct election of urban residents' committees (U-ELECT), city target 60%;
- villages whose two committees are cross-appointed to V-CROSS's level;
- villages whose branch secretary is also the committee director (V-ONE's share, pooled over the
  unit: each village carries its town's share, and a unit holds whole towns);
- the year's enrolment share (communities in the creation activity), target about 20%.
"""

from collections import Counter
from fractions import Fraction

from communities.models import Community

from . import thresholds
from .evaluator import evaluator_for
from .models import Enrolment, Indicator

# STANDARD.md, U's programme targets: direct election in 60% of communities by 2015, and about 20%
# of communities entering the creation activity each year.
DIRECT_ELECTION_TARGET = Fraction(3, 5)
ENROLMENT_TARGET = Fraction(1, 5)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _edition_target(self_checks, code: str) -> float | None:
    """The threshold of `code` in the edition the unit's self-checks use (its first, if several)."""
    check = self_checks.filter(edition__indicators__code=code).select_related("edition").first()
    rule = evaluator_for(check.edition).rules.get(code) if check else None
    if rule is None or thresholds.is_measure_ref(rule.threshold):
        return None
    return round(float(thresholds.exact(rule.threshold) * 100), 1)


def unit_figures(self_checks) -> list[dict]:
    """[{"code", "label", "percent", "of", "target"}] for the given self-checks (already scoped)."""
    urban = villages = direct = crossed = 0
    for kind, failed in self_checks.values_list("community__kind", "failed"):
        if kind == Community.Kind.URBAN:
            urban += 1
            direct += "U-ELECT" not in failed
        elif kind == Community.Kind.VILLAGE:
            villages += 1
            crossed += "V-CROSS" not in failed
    village_checks = self_checks.filter(community__kind=Community.Kind.VILLAGE)
    one_person = Fraction(0)
    for (results,) in village_checks.values_list("results"):
        town_share = next((r["value"] for r in results if r["indicator"] == "V-ONE"), None)
        if isinstance(town_share, int | float):
            one_person += Fraction(str(town_share))
    return [
        {
            "code": "U-ELECT",
            "label": "城市社区居委会直接选举覆盖率",
            "percent": _share(direct, urban),
            "of": urban,
            "target": float(DIRECT_ELECTION_TARGET * 100),
        },
        {
            "code": "V-CROSS",
            "label": "“两委”交叉任职达标的村",
            "percent": _share(crossed, villages),
            "of": villages,
            "target": None,
        },
        {
            "code": "V-ONE",
            "label": "书记、主任“一人兼”的村",
            "percent": round(float(one_person * 100 / villages), 1) if villages else None,
            "of": villages,
            "target": _edition_target(village_checks, "V-ONE"),
        },
    ]


def enrolment_figure(communities, year: int) -> dict:
    """The share of `communities` (already scoped) enrolled in `year`'s creation activity."""
    total = communities.count()
    enrolled = Enrolment.objects.filter(community__in=communities, year=year).count()
    return {
        "code": "ENROL",
        "label": "列入本年度创建活动的社区",
        "percent": _share(enrolled, total),
        "enrolled": enrolled,
        "of": total,
        "target": float(ENROLMENT_TARGET * 100),
    }


def most_failed(self_checks, limit: int = 30) -> tuple[list[dict], int]:
    """(indicator code, requirement, failures, share of self-checks) by failures, most first."""
    counts: Counter = Counter()
    editions: Counter = Counter()
    for edition_id, failed in self_checks.values_list("edition_id", "failed"):
        editions[edition_id] += 1
        counts.update((edition_id, code) for code in failed)
    requirements = {
        (indicator.edition_id, indicator.code): indicator
        for indicator in Indicator.objects.filter(edition_id__in=list(editions))
    }
    rows = []
    for (edition_id, code), failures in counts.most_common(limit):
        indicator = requirements.get((edition_id, code))
        rows.append(
            {
                "code": code,
                "indicator": indicator,
                "failures": failures,
                "of": editions[edition_id],
                "percent": round(failures * 100 / editions[edition_id], 1),
            }
        )
    return rows, sum(editions.values())
