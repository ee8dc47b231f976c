"""The self-check pages: a unit's table, one self-check with its trend, the most failed indicators,
the run form, the community page's gap list, and the Excel export with gap lists."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments import runs
from assessments.models import SelfCheck
from core import exports
from core.models import Job
from demo.factories import ElectionFactory, EnrolmentFactory, FacilityFactory, MemberFactory, shipped_edition
from standards import sheet

YEAR = timezone.localdate().year


@pytest.fixture
def evaluated(world):
    """This year's and last year's self-checks of D1's communities; c1 has a 282 m² station."""
    FacilityFactory(community=world.c1, kind="service_station", name="站", area_m2=282, activity_area_m2=100)
    for year in (YEAR - 1, YEAR):
        runs.evaluate_communities([world.c1.pk, world.c2.pk], year)
    return SelfCheck.objects.get(community=world.c1, year=YEAR)


@pytest.mark.django_db
def test_list_defaults_to_this_year_and_filters_by_unit(world, client, evaluated):
    client.force_login(world.reviewer)

    assert client.get("/self-checks/")["Location"] == f"/self-checks/?year={YEAR}"
    page = client.get(f"/self-checks/?year={YEAR}")
    assert [c.community for c in page.context["object_list"]] == [world.c1, world.c2]
    assert "运行年度自查" in page.content.decode()
    narrowed = client.get(f"/self-checks/?year={YEAR}&unit={world.t2.pk}")
    assert [c.community for c in narrowed.context["object_list"]] == [world.c2]


@pytest.mark.django_db
def test_reader_sees_the_table_without_the_run_form(world, client, evaluated):
    client.force_login(world.reader)
    page = client.get(f"/self-checks/?year={YEAR}")
    assert page.status_code == 200
    assert "run_form" not in page.context
    assert client.post("/self-checks/run/", {"year": YEAR, "unit": world.city.pk}).status_code == 403


@pytest.mark.django_db
def test_detail_shows_value_requirement_reason_and_trend(world, client, evaluated):
    client.force_login(world.clerk)
    page = client.get(f"/self-checks/{evaluated.pk}/")
    html = page.content.decode()

    rows = {row["result"]["indicator"]: row for row in page.context["rows"]}
    area = rows["U-AREA"]
    assert area["shown"] == "282平方米"
    assert area["indicator"].readable_threshold == "≥ 300 平方米"
    assert [point["year"] for point in area["trend"]] == [YEAR - 1, YEAR]
    assert "社区服务站面积282平方米,还差18平方米。" in html
    assert f"{YEAR - 1}✗" in html
    assert "距“合格”的差距" in html


@pytest.mark.django_db
def test_community_page_shows_its_gap_list(world, client, evaluated):
    client.force_login(world.clerk)
    html = client.get(f"/communities/{world.c1.pk}/").content.decode()
    assert "达标情况" in html and "还差18平方米" in html
    assert f"/self-checks/{evaluated.pk}/" in html


@pytest.mark.django_db
def test_most_failed_indicators_count_each_self_check_once(world, client, evaluated):
    client.force_login(world.reviewer)
    page = client.get(f"/self-checks/failures/?year={YEAR}")
    rows = {row["code"]: row for row in page.context["rows"]}

    assert page.context["checked"] == 2
    assert rows["U-SOCORG"]["failures"] == 2 and rows["U-SOCORG"]["percent"] == 100.0
    assert rows["U-STATION"]["failures"] == 1 and rows["U-STATION"]["percent"] == 50.0  # only c2 has none
    assert rows["U-AREA"]["failures"] == 2  # c1's 282 m² and c2's none
    assert list(rows)[0] in {code for code, row in rows.items() if row["failures"] == 2}  # most first


@pytest.mark.django_db
def test_run_form_queues_a_job_and_refuses_a_year_in_the_future(
    world, client, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(world.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/self-checks/run/", {"year": YEAR, "unit": world.t1.pk})
    job = Job.objects.get(owner=world.clerk, kind=Job.Kind.SELF_CHECK)
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    progress = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已评估 1 个社区" in progress and "查看自查结果" in progress

    refused = client.post("/self-checks/run/", {"year": YEAR + 1, "unit": world.t1.pk})
    assert refused.status_code == 200
    assert "年度不能晚于今年" in refused.content.decode() or refused.context["form"].errors["year"]
    assert Job.objects.filter(kind=Job.Kind.SELF_CHECK).count() == 1


@pytest.mark.django_db
def test_export_lists_each_self_check_with_its_gap_list(world, evaluated, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job, errors = exports.start_export(world.reviewer, "self-checks", {"year": str(YEAR)})
    assert errors is None
    exports.write_workbook(job)

    job.refresh_from_db()
    rows = list(
        load_workbook(BytesIO(job.result.read()), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    header = list(rows[0])
    by_name = {row[header.index("社区")]: row for row in rows[1:]}
    assert set(by_name) == {world.c1.name, world.c2.name}
    gaps = by_name[world.c1.name][header.index("距下一等级的差距")]
    # U-AREA earns its points in proportion to the 300 m² asked: 18 m² short is worth that share
    worth = sheet.to_json(shipped_edition("U").indicators.get(code="U-AREA").points * Decimal(18) / 300)
    assert f"U-AREA 社区服务站面积282平方米,还差18平方米,可得{worth}分。" in gaps.splitlines()
    assert by_name[world.c1.name][header.index("达到等级")] == "未达标"


@pytest.mark.django_db
def test_unit_figures_pool_the_unit_s_self_checks(world, client):
    from demo.factories import CommunityFactory

    direct = world.c1
    ElectionFactory(
        community=direct,
        body="residents_committee",
        held_on=date(YEAR, 3, 1),
        direct=True,
        method="direct",
        voters=100,
    )
    villages = [CommunityFactory(unit=world.t3, name=f"村{n}", kind="village") for n in range(2)]

    # village 0: secretary is also director; village 1: two persons
    MemberFactory(community=villages[0], name="甲", body="party_branch", role="secretary")
    MemberFactory(community=villages[0], name="甲", body="villagers_committee", role="director")
    MemberFactory(community=villages[1], name="乙", body="party_branch", role="secretary")
    MemberFactory(community=villages[1], name="丙", body="villagers_committee", role="director")
    runs.evaluate_communities([world.c1.pk, world.c2.pk, *[v.pk for v in villages]], YEAR)

    client.force_login(world.officer)
    figures = {f["code"]: f for f in client.get(f"/self-checks/?year={YEAR}").context["figures"]}

    assert (figures["U-ELECT"]["percent"], figures["U-ELECT"]["of"], figures["U-ELECT"]["target"]) == (
        50.0,
        2,
        60.0,
    )
    assert (figures["V-ONE"]["percent"], figures["V-ONE"]["of"], figures["V-ONE"]["target"]) == (
        50.0,
        2,
        60.0,
    )
    assert (figures["V-CROSS"]["percent"], figures["V-CROSS"]["of"]) == (50.0, 2)  # 甲 on both bodies


@pytest.mark.django_db
def test_enrolment_share_of_the_unit_for_the_year(world, client):
    EnrolmentFactory(community=world.c1, year=YEAR)
    EnrolmentFactory(community=world.c2, year=YEAR - 1)  # another year

    client.force_login(world.reviewer)
    figures = {f["code"]: f for f in client.get(f"/self-checks/?year={YEAR}").context["figures"]}
    assert (figures["ENROL"]["percent"], figures["ENROL"]["of"], figures["ENROL"]["target"]) == (
        50.0,
        2,
        20.0,
    )
    narrowed = client.get(f"/self-checks/?year={YEAR}&unit={world.t2.pk}").context["figures"]
    assert narrowed[0]["percent"] == 0.0 and narrowed[0]["of"] == 1


@pytest.mark.django_db
def test_the_trend_marks_an_undecided_year_in_words(world, client, evaluated):
    """A year whose item is still to be judged reads 待定, not a bare "?" after the year, which looks
    like a character the page could not show."""
    client.force_login(world.clerk)
    html = client.get(f"/self-checks/{evaluated.pk}/").content.decode()
    row = html.split('id="indicator-U-CHARTER"', 1)[1].split("</tr>", 1)[0]
    trend = row.rsplit("<td", 1)[1]
    assert f"{YEAR - 1}待定" in trend and f"{YEAR}待定" in trend
    assert f"{YEAR - 1}?" not in trend and "待判定" in trend  # the hover text says it in full
