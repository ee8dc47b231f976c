"""The score figures of `stats/overview/` and the dashboard (docs/api.md, docs/scoring.md "The gap list
and the figures"): self-checks per score band for each child unit, and the points lost per 一级
section, from known self-checks; another district's (and another city's) never counted."""

import pytest
from django.utils import timezone

from assessments import runs
from assessments.models import SelfCheck
from dashboards import stats

YEAR = timezone.localdate().year


def result(code, points, earned, passed=None, **more):
    passed = (earned is not None and earned >= points) if passed is None else passed
    return {"indicator": code, "passed": passed, "value": None, "expected": None, "note": "", "earned": earned,
            "points": points, "applicable": True, **more}  # fmt: skip


@pytest.fixture
def scores(world):
    """This year's self-checks, scores and results set by hand:

    | district | town | community | score | results below full marks (section: lost)             |
    |----------|------|-----------|-------|------------------------------------------------------|
    | D1       | T1   | c1 urban  | 55    | U-AREA 阵地建设 3−0 = 3; U-SOCORG 服务 2−1.5 = 0.5   |
    | D1       | T2   | c2 urban  | 85    | U-STATION 组织建设 1; U-SOCORG stored before points: |
    |          |      |           |       | its full marks (1 in the edition) lost               |
    | D2       | T3   | c3 rural  | 95    | R's first item 2 lost (another district)             |
    | other    |      | c_other   | 10    | U-AREA 3 lost (another city)                         |

    Not counted anywhere: U-CONSULT unjudged (pending), U-SIZE not applicable, U-FILE at full marks.
    """
    w = world
    runs.evaluate_communities([w.c1.pk, w.c2.pk, w.c3.pk, w.c_other.pk], YEAR)
    urban = [
        result("U-SIZE", 1, None, passed=True, applicable=False),
        result("U-FILE", 1, 1),
        result("U-CONSULT", 1, None, passed=None),
    ]
    checks = {c: SelfCheck.objects.get(community=c, year=YEAR) for c in (w.c1, w.c2, w.c3, w.c_other)}
    first_rural = checks[w.c3].results[0]["indicator"]
    rows = {
        w.c1: (55, [*urban, result("U-AREA", 3, 0), result("U-SOCORG", 2, 1.5)]),
        w.c2: (
            85,
            [
                *urban,
                result("U-STATION", 1, 0),
                {"indicator": "U-SOCORG", "passed": False, "value": None, "expected": None, "note": ""},
            ],
        ),  # fmt: skip
        w.c3: (95, [result(first_rural, 2, 0)]),
        w.c_other: (10, [*urban, result("U-AREA", 3, 0)]),
    }
    for community, (score, results) in rows.items():
        SelfCheck.objects.filter(pk=checks[community].pk).update(score=score, results=results)
    editions = {community: checks[community].edition for community in rows}
    # Every figure in the table above is read from the editions the self-checks use.
    w.sections = {
        (community, code): indicator.section[0] if indicator.section else indicator.category
        for community, edition in editions.items()
        for indicator in edition.indicators.all()
        for code in [indicator.code]
    }
    w.first_rural = first_rural
    stats.invalidate()
    return w


def overview(api, user, **params):
    response = api.as_user(user).get("/api/v1/stats/overview/", {"year": YEAR, **params})
    assert response.status_code == 200, response.content
    return response.json()


BANDS = ["0-59", "60-69", "70-79", "80-89", "90-100"]


def counts(**found):
    return {band: found.get(band, 0) for band in BANDS}


@pytest.mark.django_db
def test_the_city_counts_each_district_s_scores_per_band(api, scores):
    body = overview(api, scores.officer)
    distribution = body["score_distribution"]
    assert distribution["bands"] == BANDS
    assert distribution["total"] == counts(**{"0-59": 1, "80-89": 1, "90-100": 1})  # not the other city's 10
    assert distribution["rows"] == [
        {"unit": scores.d1.pk, "name": "东城区", "counts": counts(**{"0-59": 1, "80-89": 1})},
        {"unit": scores.d2.pk, "name": "青山县", "counts": counts(**{"90-100": 1})},
    ]


@pytest.mark.django_db
def test_a_district_counts_its_towns_and_its_own_points_lost_only(api, scores):
    body = overview(api, scores.reviewer)
    assert body["score_distribution"]["rows"] == [
        {"unit": scores.t1.pk, "name": "东华街道", "counts": counts(**{"0-59": 1})},
        {"unit": scores.t2.pk, "name": "建设街道", "counts": counts(**{"80-89": 1})},
    ]
    sections = scores.sections
    area, org, station = (sections[(scores.c1, code)] for code in ("U-AREA", "U-SOCORG", "U-STATION"))
    assert len({area, org, station}) == 3
    lost = {row["section"]: row for row in body["points_lost_by_section"]}
    # c2's U-SOCORG, stored before items had points, lost its full marks in the edition.
    legacy = float(
        SelfCheck.objects.get(community=scores.c2, year=YEAR).edition.indicators.get(code="U-SOCORG").points
    )
    assert lost[area] == {"section": area, "lost": 3, "self_checks": 2, "average": 1.5}
    assert lost[org]["lost"] == 0.5 + legacy and lost[org]["self_checks"] == 2
    assert lost[station]["lost"] == 1 and lost[station]["average"] == 0.5
    # Nothing else lost: not the unjudged, the not applicable or the full-marks items, not D2's rural
    # self-check (outside the district) and not the other city's.
    assert sum(row["lost"] for row in body["points_lost_by_section"]) == 3 + 0.5 + legacy + 1
    assert [row["lost"] for row in body["points_lost_by_section"]] == sorted(
        (row["lost"] for row in body["points_lost_by_section"]), reverse=True
    )


@pytest.mark.django_db
def test_the_city_adds_the_other_district_s_self_check_not_the_other_city_s(api, scores):
    lost = overview(api, scores.officer)["points_lost_by_section"]
    legacy = float(
        SelfCheck.objects.get(community=scores.c2, year=YEAR).edition.indicators.get(code="U-SOCORG").points
    )
    assert sum(row["lost"] for row in lost) == 3 + 0.5 + legacy + 1 + 2
    rural = {row["section"]: row for row in lost}[scores.sections[(scores.c3, scores.first_rural)]]
    assert rural["lost"] >= 2 and rural["self_checks"] >= 1


@pytest.mark.django_db
def test_a_town_has_its_total_and_no_child_rows(api, scores):
    body = overview(api, scores.officer, unit=scores.t1.pk)
    assert body["score_distribution"]["rows"] == []
    assert body["score_distribution"]["total"] == counts(**{"0-59": 1})


@pytest.mark.django_db
def test_the_dashboard_shows_both_figures_as_charts_and_tables(client, scores):
    client.force_login(scores.reviewer)
    response = client.get("/stats/", {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="score-bands"' in html and 'data-chart="points-lost"' in html
    table = html[html.index('data-testid="score-distribution"') :]
    table = table[: table.index("</table>")]
    assert f'<tr data-unit="{scores.t1.pk}"><td>东华街道</td><td class="text-end">1</td>' in table
    assert '<tr class="fw-semibold"><td>合计</td><td class="text-end">1</td>' in table
    area = scores.sections[(scores.c1, "U-AREA")]
    lost = html[html.index('data-testid="points-lost"') :]
    assert (
        f'<tr data-section="{area}"><td>{area}</td><td class="text-end">3</td><td class="text-end">1.5</td>'
        in lost
    )


@pytest.mark.django_db
def test_the_schema_declares_the_fields(api, scores):
    response = api.as_user(scores.officer).get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for name in ("score_distribution", "points_lost_by_section", "ScoreDistribution", "SectionLoss"):
        assert name in schema
