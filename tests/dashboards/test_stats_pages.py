"""The dashboard page (统计看板) of each tier, its drill-down links and its Excel export, on the
hand-computed `programme` fixture (tests/assessments/programme.py)."""

import re
from io import BytesIO
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import SelfCheck
from core.models import ExportLog

YEAR = timezone.localdate().year


def page(client, user, **params):
    client.force_login(user)
    response = client.get("/stats/", {"year": YEAR, **params})
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.django_db
def test_without_a_year_the_page_names_this_year(client, world):
    client.force_login(world.officer)
    response = client.get("/stats/")
    assert response.status_code == 302 and response["Location"] == f"/stats/?year={YEAR}"


@pytest.mark.django_db
def test_city_page_shows_the_figures_and_drills_down_to_its_districts(client, programme):
    w = programme
    response = page(client, w.officer)
    html = response.content.decode()
    units = {row["name"]: row for row in response.context["units"]}
    assert list(units) == ["东城区", "青山县"]
    assert response.context["communities"] is None
    # each district a link to its own dashboard, each count a link to the list behind it
    assert f'href="?year={YEAR}&unit={w.d1.pk}" data-testid="drill"' in html
    assert f'href="/communities/?unit={w.d2.pk}">6</a>' in html
    assert f"/self-checks/?year={YEAR}&unit={w.d1.pk}&status=submitted" in html
    query = f"year={YEAR}&amp;unit={w.city.pk}"  # the page's own query, escaped in the HTML
    assert f'/self-checks/?{query}&failed=U-STATION">2</a> / 3' in html
    assert f'/designations/?{query}&title=premium">1</a>' in html
    assert f'/communities/?unit={w.city.pk}&kind=village">3</a>' in html
    # the targets table: actual, target and towns meeting
    assert re.search(r'<tr data-code="V-ONE">.*?66\.7%.*?60\.0%.*?1 / 1</td>', html, re.S)
    # every chart is a container the script draws from the API, beside its table
    charts = [
        "targets",
        "kinds",
        "status",
        "titles",
        "trend",
        "failed",
        "gaps",
        "score-bands",
        "points-lost",
        "funds",
    ]
    for chart in charts:
        assert f'data-chart="{chart}"' in html
    assert f'data-src="/api/v1/stats/units/?year={YEAR}&amp;unit={w.city.pk}"' in html
    assert "vendor/echarts.common.min.js" in html and "js/stats.js" in html
    # last year's figures beside this year's
    assert response.context["previous"]["self_checks"] == 1


@pytest.mark.django_db
def test_district_page_lists_its_towns_and_a_town_its_communities(client, programme):
    w = programme
    district = page(client, w.reviewer)
    assert [row["name"] for row in district.context["units"]] == ["东华街道", "建设街道"]
    assert [step.pk for step in district.context["trail"]] == [w.d1.pk]

    town = page(client, w.reviewer, unit=w.t1.pk)
    assert town.context["units"] is None
    rows = {row["name"]: row for row in town.context["communities"]}
    assert set(rows) == {"幸福社区", "直选社区"}
    assert rows["直选社区"]["title_label"] == "合格" and rows["幸福社区"]["status_label"] == "已提交"
    html = town.content.decode()
    check = SelfCheck.objects.get(community=w.c1, year=YEAR)
    assert f'href="/communities/{w.c1.pk}/">幸福社区</a>' in html
    assert f'href="/self-checks/{check.pk}/">已提交</a>' in html
    assert 'data-chart="community-scores"' in html
    # the breadcrumb leads back up to the reviewer's own district, not above it
    assert [step.pk for step in town.context["trail"]] == [w.d1.pk, w.t1.pk]


@pytest.mark.django_db
def test_a_clerk_sees_the_communities_of_the_town(client, programme):
    response = page(client, programme.clerk)
    assert {row["name"] for row in response.context["communities"]} == {"幸福社区", "直选社区"}
    assert response.context["overview"]["communities"]["total"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "unit"),
    [
        ("reviewer", "d2"),
        ("reviewer", "city"),
        ("clerk", "t2"),
        ("officer", "other_town"),
        ("officer", "999999"),
    ],
)
def test_a_unit_out_of_scope_is_not_found(client, world, user, unit):
    client.force_login(getattr(world, user))
    pk = unit if unit.isdigit() else getattr(world, unit).pk
    assert client.get("/stats/", {"year": YEAR, "unit": pk}).status_code == 404
    assert client.get("/stats/export.xlsx", {"year": YEAR, "unit": pk}).status_code == 404


@pytest.mark.django_db
def test_a_year_out_of_range_is_explained(client, world):
    client.force_login(world.officer)
    response = client.get("/stats/", {"year": 1999})
    assert response.status_code == 200
    html = response.content.decode()
    assert "年度不能早于2000年" in html and "data-chart" not in html


@pytest.mark.django_db
def test_export_holds_the_numbers_of_the_page(client, programme):
    client.force_login(programme.officer)
    response = client.get("/stats/export.xlsx", {"year": YEAR})
    assert response.status_code == 200
    name = f"{programme.city.name}-统计看板{YEAR}年-{timezone.localdate().isoformat()}.xlsx"
    assert response["Content-Disposition"] == (
        f'attachment; filename="stats-{YEAR}-{timezone.localdate().isoformat()}.xlsx"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    book = load_workbook(BytesIO(response.content), read_only=True)
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    assert list(sheets) == [
        "目标与实际",
        "社区类别",
        "自查状态",
        "称号",
        "各区县称号",
        "工作经费",
        "未达标最多的指标",
        "差距清单最常见",
        "得分分布",
        "各栏目失分",
        "下级单位",
        "历年趋势",
    ]
    targets = {row[0]: row for row in sheets["目标与实际"][1:]}
    assert targets["U-ELECT"][2:6] == (33.3, 3, 60.0, "否")
    assert targets["V-ONE"][2:8] == (66.7, 3, 60.0, "是", 1, 1)
    assert dict(sheets["社区类别"][1:]) == {"城市社区": 3, "农村社区(中心村型)": 3, "行政村(嘎查)": 3}
    assert dict(sheets["自查状态"][1:])["市级已验收"] == 3
    assert sheets["工作经费"][1] == (100000.0, 80000.0, 50000.0, 80.0)
    assert {row[0]: row[2] for row in sheets["差距清单最常见"][1:]} == {
        "U-ELECT": 2,
        "U-STATION": 2,
        "V-CROSS": 2,
        "V-PAY": 1,
        "R-AREA": 1,
    }
    units = {row[0]: row for row in sheets["下级单位"][1:]}
    assert units["青山县"][1] == 6 and units["东城区"][-2:] == (100000.0, 80000.0)
    assert sheets["历年趋势"][-1][:4] == (YEAR, 9, 9, 3)


@pytest.mark.django_db
def test_a_town_export_lists_its_communities(client, programme):
    client.force_login(programme.clerk)
    response = client.get("/stats/export.xlsx", {"year": YEAR})
    book = load_workbook(BytesIO(response.content), read_only=True)
    rows = list(book["社区"].iter_rows(values_only=True))
    assert rows[0][:3] == ("社区", "类别", "自查状态")
    assert {row[0]: row[2] for row in rows[1:]} == {"幸福社区": "已提交", "直选社区": "市级已验收"}
    assert "下级单位" not in book.sheetnames


@pytest.mark.django_db
def test_each_export_is_logged(client, programme):
    client.force_login(programme.reviewer)
    client.get("/stats/export.xlsx", {"year": YEAR, "unit": programme.t1.pk})
    log = ExportLog.objects.get()
    assert (log.user, log.unit_id, log.role, log.list_name, log.title) == (
        programme.reviewer,
        programme.d1.pk,
        "district_reviewer",
        "stats",
        "统计看板",
    )
    assert log.query == {"year": YEAR, "unit": programme.t1.pk} and log.rows > 10
    client.get("/stats/export.xlsx", {"year": YEAR, "unit": programme.d2.pk})  # out of scope: no file
    assert ExportLog.objects.count() == 1
    # The log page lists it under its own name.
    client.force_login(programme.officer)
    assert "统计看板" in client.get("/exports/log/", {"list_name": "stats"}).content.decode()
