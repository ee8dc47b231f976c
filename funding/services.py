"""Amounts the funding records compute rather than take as typed.

The work-fund tiers come from the community's current standard edition (U-FUND), so a city that
changes them in its edition changes the amounts due; the documents' own tiers are the fallback. The
office-fund floor and plaque contributions are facts of the banner document (section F), not
indicators of a standard, and live here only; the pay benchmark is the city's per year
(`PayBenchmark`), with the banner document's figures as the default.
"""

from decimal import Decimal

# U-FUND's tiers as the documents give them, read as docs/standards.md "How to read the numbers" says
# (以下/以上 include the number): under 2000 households ¥40,000; 2000 to 3000 inclusive ¥50,000; over
# 3000 ¥60,000 (null = no upper bound). The shipped editions carry the same; a city's edition may differ.
DEFAULT_TIERS = (
    {"max_households": 1999, "amount": 40000},
    {"max_households": 3000, "amount": 50000},
    {"max_households": None, "amount": 60000},
)


def work_fund_due(households: int, tiers=None) -> Decimal | None:
    """The yearly work fund due to a community of `households` households (U-FUND): the first tier
    whose `max_households` reaches it; None when no tier does (an edition whose tiers all stop below)."""
    for tier in tiers or DEFAULT_TIERS:
        upper = tier["max_households"]
        if upper is None or households <= upper:
            # str() keeps a float's decimal text (0.1 stays 0.1, not the binary double).
            return Decimal(str(tier["amount"])).quantize(Decimal("0.01"))
    return None


# U-FUND: the district pays half; a community founded that year is funded wholly by its district.
DISTRICT_SHARE = Decimal("0.5")


def district_share(due: Decimal, founded_this_year: bool) -> Decimal:
    """The part of the work fund the district pays (U-FUND)."""
    share = due if founded_this_year else due * DISTRICT_SHARE
    return share.quantize(Decimal("0.01"))


# F: hired community cadres' monthly pay benchmark by post (insurance included), in yuan. A city sets
# it each year from the previous year's urban per-capita disposable income (`PayBenchmark`); these are
# the banner paper's figures (17,680 yuan in 2009), used where the city has set none.
DEFAULT_URBAN_INCOME = Decimal("17680.00")
DEFAULT_PAY_BENCHMARKS = {
    "both": Decimal("1675.00"),  # 书记、主任一肩挑
    "secretary_or_director": Decimal("1475.00"),
    "deputy": Decimal("1275.00"),
}
DEFAULT_PAY_BENCHMARK_LABEL = "(默认:2010年旗文件示例)"


def pay_benchmarks(tenant_id: int | None, year: int | None) -> dict[str, Decimal]:
    """The monthly benchmark of each post in force for a city's `year`: its row for that year, else
    its latest earlier row, else the banner paper's figures."""
    # Imported here: the models import this module for the amounts they compute.
    from .models import PayBenchmark

    row = PayBenchmark.objects.in_force(tenant_id, year)
    return row.by_post() if row else dict(DEFAULT_PAY_BENCHMARKS)


def pay_benchmark(post: str, tenant_id: int | None, year: int | None) -> Decimal | None:
    return pay_benchmarks(tenant_id, year).get(post)


# F: the higher authority's floor for a community's yearly office funds, and what each organisation
# hanging its plaque at a community gives it a year.
OFFICE_FUND_FLOOR = Decimal("10000.00")
PLAQUE_CONTRIBUTION_RANGE = (Decimal("500.00"), Decimal("1000.00"))
