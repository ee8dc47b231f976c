"""Rules of the funding records: amounts computed from their parts (never taken as typed), the
warnings for valid-but-unusual amounts, and money in the API as decimal strings (docs/api.md)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.factories import (
    CadrePayFactory,
    CapitalProjectFactory,
    CommunityFactory,
    MemberFactory,
    WorkFundFactory,
)
from funding.models import CadrePay, CapitalProject, OfficeFund, PlaqueContribution, WorkFund
from funding.services import district_share, work_fund_due

THIS_YEAR = datetime.date.today().year


@pytest.fixture
def clerk_page(world, client):
    client.force_login(world.clerk)
    return client


@pytest.fixture
def clerk_api(world, api):
    return api.as_user(world.clerk)


@pytest.mark.parametrize(
    "households,due",
    [(1, "40000"), (1999, "40000"), (2000, "50000"), (3000, "50000"), (3001, "60000"), (9000, "60000")],
)
def test_work_fund_tiers(households, due):
    assert work_fund_due(households) == Decimal(due)


def test_district_share_is_half_or_all_in_the_founding_year():
    assert district_share(Decimal("50000.00"), founded_this_year=False) == Decimal("25000.00")
    assert district_share(Decimal("50000.00"), founded_this_year=True) == Decimal("50000.00")


@pytest.mark.parametrize(
    "households,due,share",
    [(1999, "40000.00", "20000.00"), (2000, "50000.00", "25000.00"), (3000, "50000.00", "25000.00")]
    + [(3001, "60000.00", "30000.00")],
)
def test_the_api_computes_the_fund_due_from_households(world, clerk_api, households, due, share):
    community = CommunityFactory(unit=world.t1, households=households, residents=households * 3)
    body = {"community": community.pk, "year": 2024, "paid": due}
    response = clerk_api.post("/api/v1/work-funds/", body, format="json")
    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["due"], row["district_share"], row["paid"]) == (due, share, due)  # decimal strings
    assert row["warnings"] == []
    fund = WorkFund.objects.get()
    assert (fund.due, fund.district_share) == (Decimal(due), Decimal(share))


def test_a_community_founded_that_year_is_funded_wholly_by_its_district(world, clerk_api):
    community = CommunityFactory(unit=world.t1, households=2500, established_on=datetime.date(2024, 3, 1))
    founding = clerk_api.post(
        "/api/v1/work-funds/", {"community": community.pk, "year": 2024, "paid": "50000"}, format="json"
    ).json()
    assert (founding["due"], founding["district_share"]) == ("50000.00", "50000.00")
    later = clerk_api.post(
        "/api/v1/work-funds/", {"community": community.pk, "year": 2025, "paid": "50000"}, format="json"
    ).json()
    assert later["district_share"] == "25000.00"
    before = clerk_api.post(
        "/api/v1/work-funds/", {"community": community.pk, "year": 2023, "paid": "0"}, format="json"
    )
    assert before.status_code == 400
    assert before.json()["year"] == ["社区成立于2024年,不能登记此前年度的工作经费。"]


def test_a_typed_due_is_ignored(world, clerk_api):
    body = {"community": world.c1.pk, "year": 2024, "paid": "30000", "due": "99999", "district_share": "1"}
    row = clerk_api.post("/api/v1/work-funds/", body, format="json").json()
    assert (row["due"], row["district_share"]) == ("50000.00", "25000.00")  # c1 has 2400 households
    patched = clerk_api.patch(f"/api/v1/work-funds/{row['id']}/", {"due": "1.00"}, format="json").json()
    assert patched["due"] == "50000.00"
    assert row["warnings"] == ["实际到位 30,000.00 元,少于应拨 50,000.00 元。"]


def test_one_work_fund_per_year_keyed_on_year(world, clerk_api):
    body = {"community": world.c1.pk, "year": 2024, "paid": "50000"}
    assert clerk_api.post("/api/v1/work-funds/", body, format="json").status_code == 201
    again = clerk_api.post("/api/v1/work-funds/", body, format="json")
    assert again.status_code == 400 and again.json()["year"] == ["该社区2024年的社区工作经费已登记。"]
    assert WorkFund.objects.count() == 1


def test_the_current_years_fund_follows_the_communitys_households(world):
    current = WorkFundFactory(community=world.c1, year=THIS_YEAR, paid=Decimal("0"))
    past = WorkFundFactory(community=world.c1, year=2020, paid=Decimal("0"))
    world.c1.households = 3500
    world.c1.residents = 9000
    world.c1.save()
    current.refresh_from_db()
    past.refresh_from_db()
    assert current.due == Decimal("60000.00") and past.due == Decimal("50000.00")


def test_a_new_community_has_no_work_fund_to_recompute(world):
    with CaptureQueriesContext(connection) as queries:
        CommunityFactory(unit=world.t1, name="新建社区")
    assert not [query["sql"] for query in queries.captured_queries if "funding_workfund" in query["sql"]]


def test_the_work_fund_form_has_no_due_and_shows_it_after_saving(world, clerk_page):
    form = clerk_page.get("/records/work-funds/new/").context["form"]
    assert "due" not in form.fields and "district_share" not in form.fields
    data = {"community": world.c1.pk, "year": "2024", "paid": "40000", "due": "1"}
    response = clerk_page.post("/records/work-funds/new/", data, follow=True)
    page = response.content.decode()
    assert WorkFund.objects.get().due == Decimal("50000.00")
    assert "50000.00" in page and "少于应拨" in page


def test_office_fund_under_the_floor_is_a_warning(world, clerk_api):
    row = clerk_api.post(
        "/api/v1/office-funds/", {"community": world.c1.pk, "year": 2024, "amount": 3000}, format="json"
    ).json()
    assert row["amount"] == "3000.00"
    assert row["warnings"] == ["办公经费 3,000.00 元,低于上级规定的下限 10,000.00 元。"]
    assert OfficeFund(amount=Decimal("10000")).warnings == []


def test_cadre_pay_member_must_belong_to_the_community(world, clerk_api):
    neighbour = CommunityFactory(unit=world.t1, name="光明社区")  # same town: the clerk sees its members
    stranger = MemberFactory(community=neighbour, name="孙丽", body="residents_committee", role="director")
    body = {
        "community": world.c1.pk,
        "year": 2024,
        "member": stranger.pk,
        "post": "deputy",
        "monthly_pay": "1300",
    }
    response = clerk_api.post("/api/v1/cadre-pay/", body, format="json")
    assert response.status_code == 400 and response.json()["member"] == ["孙丽不是所选社区的成员。"]
    outside = MemberFactory(community=world.c2, name="钱进", body="residents_committee", role="member")
    response = clerk_api.post("/api/v1/cadre-pay/", {**body, "member": outside.pk}, format="json")
    assert response.status_code == 400 and "member" in response.json()  # another town: as if absent
    assert not CadrePay.objects.exists()


def test_cadre_pay_benchmark_comes_from_the_post(world, clerk_api, clerk_page):
    member = MemberFactory(community=world.c1, name="周敏", body="residents_committee", role="director")
    body = {
        "community": world.c1.pk,
        "year": 2024,
        "member": member.pk,
        "post": "both",
        "monthly_pay": "1600",
    }
    row = clerk_api.post("/api/v1/cadre-pay/", body, format="json").json()
    assert row["benchmark"] == "1675.00" and row["monthly_pay"] == "1600.00"
    assert row["warnings"] == ["月报酬 1,600.00 元,低于书记、主任一肩挑的参照标准 1,675.00 元。"]
    row = clerk_api.patch(f"/api/v1/cadre-pay/{row['id']}/", {"post": "deputy"}, format="json").json()
    assert row["benchmark"] == "1275.00" and row["warnings"] == []
    again = clerk_api.post("/api/v1/cadre-pay/", body, format="json")
    assert again.status_code == 400 and "year" in again.json()
    # the page form offers the members of the clerk's town and saves
    form = clerk_page.get("/records/cadre-pay/new/").context["form"]
    assert member in form.fields["member"].queryset
    data = {**body, "year": "2023", "post": "secretary_or_director"}
    assert clerk_page.post("/records/cadre-pay/new/", data).status_code == 302
    assert CadrePay.objects.get(year=2023).benchmark == Decimal("1475.00")


def test_deleting_a_member_keeps_the_pay_record(world):
    member = MemberFactory(community=world.c1, name="吴刚", body="residents_committee", role="member")
    pay = CadrePayFactory(
        community=world.c1, year=2024, member=member, post="deputy", monthly_pay=Decimal("1275")
    )
    member.delete()
    pay.refresh_from_db()
    assert pay.member is None and "成员已删除" in str(pay)


def test_capital_project_gap_is_computed_and_the_documents_sums_are_flagged(world, clerk_api):
    # The document: four premises cost 3.6 million; the sources and the gap it lists total 3.59 million.
    body = {
        "community": world.c1.pk,
        "name": "四处办公用房购置",
        "cost": "3600000",
        "state_project": "1200000",
        "resettlement_project": "800000",
        "organization_department": "400000",
        "old_premises_sale": "600000",
        "budget": "200000",
        "typed_total": "3590000",
        "gap": "390000",  # the document's own gap, typed: ignored
        "equipment_sets": 17,
        "equipment_recipients": 16,
    }
    response = clerk_api.post("/api/v1/capital-projects/", body, format="json")
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["gap"] == "400000.00" and row["cost"] == "3600000.00" and row["typed_total"] == "3590000.00"
    assert row["warnings"] == [
        "申报总额 3,590,000.00 元与总造价 3,600,000.00 元不符;系统按总造价减各项来源计算缺口为 400,000.00 元,请核对原始文件。",
        "设备 17 套,受配单位 16 个,套数与受配单位数不一致。",
    ]
    row = clerk_api.patch(
        f"/api/v1/capital-projects/{row['id']}/",
        {"other": "400000", "typed_total": "3600000", "equipment_sets": 16},
        format="json",
    ).json()
    assert row["gap"] == "0.00" and row["warnings"] == []
    assert CapitalProject.objects.get().gap == Decimal("0")


def test_capital_project_sources_over_the_cost_are_a_warning(world):
    project = CapitalProjectFactory(
        community=world.c1, name="活动室改造", cost=Decimal("100000"), budget=Decimal("120000")
    )
    assert project.gap == Decimal("-20000")
    assert project.warnings == ["各项来源合计 120,000.00 元,超过总造价 100,000.00 元。"]


def test_capital_project_form_computes_the_gap(world, clerk_page):
    data = {
        "community": world.c1.pk,
        "name": "服务站购置",
        "cost": "500000",
        "state_project": "200000",
        "resettlement_project": "0",
        "organization_department": "0",
        "old_premises_sale": "0",
        "budget": "100000",
        "other": "0",
    }
    assert clerk_page.post("/records/capital-projects/new/", data).status_code == 302
    assert CapitalProject.objects.get().gap == Decimal("200000.00")


@pytest.mark.parametrize(
    "amount,things,warned",
    [("500", 1, False), ("1000", 2, False), ("499.99", 1, True), ("1000.01", 2, True), ("800", 0, True)],
)
def test_plaque_contribution_warnings(world, clerk_api, amount, things, warned):
    body = {
        "community": world.c1.pk,
        "year": 2024,
        "organization_name": "区邮政局",
        "amount": amount,
        "practical_things": things,
    }
    row = clerk_api.post("/api/v1/plaque-contributions/", body, format="json").json()
    assert bool(row["warnings"]) is warned
    assert PlaqueContribution.objects.count() == 1


@pytest.mark.parametrize(
    "slug", ["work-funds", "office-funds", "cadre-pay", "capital-projects", "plaque-contributions"]
)
def test_funding_forms_render_for_a_town_clerk(world, clerk_page, slug):
    assert clerk_page.get(f"/records/{slug}/new/?community={world.c1.pk}").status_code == 200
