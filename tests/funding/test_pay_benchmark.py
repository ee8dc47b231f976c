"""The cadres' pay benchmark per city and year (F): the city's row for the year, else its latest
earlier one, else the banner paper's figures; kept by the city officer on its own page."""

import datetime
from decimal import Decimal

import pytest

from demo.factories import CadrePayFactory, MemberFactory, PayBenchmarkFactory
from funding.models import PayBenchmark
from funding.services import pay_benchmark

THIS_YEAR = datetime.date.today().year
BODY = {"urban_income": "21216", "both": "2010", "secretary_or_director": "1770", "deputy": "1530"}


@pytest.fixture
def officer_page(world, client):
    client.force_login(world.officer)
    return client


def test_the_banner_papers_figures_when_the_city_has_set_none(world):
    assert pay_benchmark("both", world.tenant.pk, 2024) == Decimal("1675.00")
    assert pay_benchmark("secretary_or_director", world.tenant.pk, 2024) == Decimal("1475.00")
    assert pay_benchmark("deputy", world.tenant.pk, 2024) == Decimal("1275.00")


def test_the_citys_row_for_the_year_then_for_later_years(world):
    PayBenchmarkFactory(tenant=world.tenant, year=2020, both=Decimal("1800"))
    PayBenchmarkFactory(tenant=world.tenant, year=2023, both=Decimal("2100"))
    assert pay_benchmark("both", world.tenant.pk, 2020) == Decimal("1800")
    assert pay_benchmark("both", world.tenant.pk, 2022) == Decimal("1800")  # the latest earlier row
    assert pay_benchmark("both", world.tenant.pk, 2023) == Decimal("2100")
    assert pay_benchmark("both", world.tenant.pk, 2025) == Decimal("2100")
    assert pay_benchmark("both", world.tenant.pk, 2019) == Decimal("1675.00")  # before any row


def test_another_citys_row_is_never_used(world):
    PayBenchmarkFactory(tenant=world.other_tenant, year=2020, both=Decimal("3000"))
    assert pay_benchmark("both", world.tenant.pk, 2024) == Decimal("1675.00")
    assert pay_benchmark("both", world.other_tenant.pk, 2024) == Decimal("3000")


def test_cadre_pay_takes_its_citys_benchmark_of_its_year(world, api):
    PayBenchmarkFactory(tenant=world.tenant, year=2022, both=Decimal("1900"))
    PayBenchmarkFactory(tenant=world.other_tenant, year=2022, both=Decimal("3000"))
    member = MemberFactory(community=world.c1, name="周敏", body="residents_committee", role="director")
    body = {"community": world.c1.pk, "member": member.pk, "post": "both", "monthly_pay": "1800"}
    clerk = api.as_user(world.clerk)
    row = clerk.post("/api/v1/cadre-pay/", {**body, "year": 2023}, format="json").json()
    assert row["benchmark"] == "1900.00"
    assert row["warnings"] == ["月报酬 1,800.00 元,低于书记、主任一肩挑的参照标准 1,900.00 元。"]
    row = clerk.post("/api/v1/cadre-pay/", {**body, "year": 2021}, format="json").json()
    assert row["benchmark"] == "1675.00" and row["warnings"] == []  # before the city's first row
    other = CadrePayFactory(community=world.c_other, year=2023, post="both")
    assert other.benchmark == Decimal("3000")


def test_setting_changing_and_removing_a_benchmark_updates_the_pay_records(world, officer_page):
    earlier = CadrePayFactory(community=world.c1, year=2021, post="deputy")
    later = CadrePayFactory(community=world.c1, year=2023, post="deputy")
    elsewhere = CadrePayFactory(community=world.c_other, year=2023, post="deputy")
    response = officer_page.post("/funding/pay-benchmarks/new/", {"year": 2022, **BODY})
    assert response.status_code == 302
    benchmark = PayBenchmark.objects.get()
    assert benchmark.tenant == world.tenant
    for pay, expected in ((earlier, "1275.00"), (later, "1530"), (elsewhere, "1275.00")):
        pay.refresh_from_db()
        assert pay.benchmark == Decimal(expected)
    data = {**BODY, "year": 2022, "deputy": "1600", "version": benchmark.updated_at.isoformat()}
    assert officer_page.post(f"/funding/pay-benchmarks/{benchmark.pk}/edit/", data).status_code == 302
    later.refresh_from_db()
    assert later.benchmark == Decimal("1600")
    assert officer_page.post(f"/funding/pay-benchmarks/{benchmark.pk}/delete/").status_code == 302
    later.refresh_from_db()
    assert later.benchmark == Decimal("1275.00") and not PayBenchmark.objects.exists()


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"deputy": "2100"}, "deputy", "副职(元/月)不能高于书记、主任一肩挑的标准(2,010.00 元)。"),
        (
            {"secretary_or_director": "2011"},
            "secretary_or_director",
            "书记或主任(元/月)不能高于书记、主任一肩挑的标准(2,010.00 元)。",
        ),
        ({"both": "0"}, "both", "金额须大于0。"),
        ({"urban_income": "-5"}, "urban_income", "金额须大于0。"),
        ({"year": 1999}, "year", "年度不能早于2000年。"),
        ({"year": THIS_YEAR + 1}, "year", "年度不能晚于今年。"),
    ],
)
def test_bad_input_is_refused_at_its_field_in_chinese(world, officer_page, change, field, message):
    response = officer_page.post("/funding/pay-benchmarks/new/", {"year": 2022, **BODY, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not PayBenchmark.objects.exists()


def test_one_row_per_city_and_year(world, officer_page):
    PayBenchmarkFactory(tenant=world.tenant, year=2022)
    PayBenchmarkFactory(tenant=world.other_tenant, year=2023)  # another city's year does not count
    response = officer_page.post("/funding/pay-benchmarks/new/", {"year": 2022, **BODY})
    assert response.context["form"].errors["year"] == ["本市2022年的报酬参照标准已设定。"]
    assert officer_page.post("/funding/pay-benchmarks/new/", {"year": 2023, **BODY}).status_code == 302
    assert PayBenchmark.objects.filter(tenant=world.tenant).count() == 2


def test_the_list_shows_the_citys_rows_and_the_default(world, officer_page):
    own = PayBenchmarkFactory(tenant=world.tenant, year=2022)
    PayBenchmarkFactory(tenant=world.other_tenant, year=2022)
    response = officer_page.get("/funding/pay-benchmarks/")
    assert list(response.context["object_list"]) == [own]
    assert response.context["in_force"] == own
    assert "(默认:2010年旗文件示例)" in response.content.decode()


@pytest.mark.parametrize("user", ["clerk", "reviewer", "reader"])
def test_other_roles_are_refused(world, client, user):
    row = PayBenchmarkFactory(tenant=world.tenant, year=2022)
    client.force_login(getattr(world, user))
    assert client.get("/funding/pay-benchmarks/").status_code == 403
    assert client.post("/funding/pay-benchmarks/new/", {"year": 2023, **BODY}).status_code == 403
    assert client.get(f"/funding/pay-benchmarks/{row.pk}/edit/").status_code == 403
    assert PayBenchmark.objects.count() == 1


def test_another_citys_row_is_not_found(world, client):
    row = PayBenchmarkFactory(tenant=world.tenant, year=2022)
    client.force_login(world.other_officer)
    assert client.get(f"/funding/pay-benchmarks/{row.pk}/edit/").status_code == 404
    assert client.post(f"/funding/pay-benchmarks/{row.pk}/delete/").status_code == 404
    assert PayBenchmark.objects.filter(pk=row.pk).exists()
    assert list(PayBenchmark.objects.visible_to(world.other_officer)) == []
    assert list(PayBenchmark.objects.visible_to(world.officer)) == [row]


def test_the_admin_refuses_the_same_input(world, admin_client):
    data = {"tenant": world.tenant.pk, "year": 2022, **BODY, "deputy": "2100"}
    response = admin_client.post("/admin/funding/paybenchmark/add/", data)
    assert response.status_code == 200 and not PayBenchmark.objects.exists()
    assert "副职(元/月)不能高于书记、主任一肩挑的标准" in response.content.decode()
