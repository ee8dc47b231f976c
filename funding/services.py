"""Amounts the funding records compute rather than take as typed.

The figures here are the documents' own (U-FUND for the work fund, the F section for the pay
benchmark). Issue #4 moves these tiers and benchmarks into the city's standard edition, so that a city
can change them and publish a new version; until then they live in this one place only.
"""

from decimal import Decimal


def work_fund_due(households: int) -> Decimal:
    """The yearly work fund due to a community of `households` households (U-FUND).

    The tiers, read as STANDARD.md "How to read the numbers" says (以下/以上 include the number):
    under 2000 households ¥40,000; 2000 to 3000 inclusive ¥50,000; over 3000 ¥60,000.
    Issue #4 moves this tier table into the city's standard edition, so that a city can change it.
    """
    if households < 2000:
        return Decimal("40000.00")
    if households <= 3000:
        return Decimal("50000.00")
    return Decimal("60000.00")


# U-FUND: the district pays half; a community founded that year is funded wholly by its district.
DISTRICT_SHARE = Decimal("0.5")


def district_share(due: Decimal, founded_this_year: bool) -> Decimal:
    """The part of the work fund the district pays (U-FUND)."""
    share = due if founded_this_year else due * DISTRICT_SHARE
    return share.quantize(Decimal("0.01"))


# F: hired community cadres' monthly pay benchmark by post (insurance included), in yuan.
# Issue #4 moves these into the city's standard edition as well.
PAY_BENCHMARKS = {
    "both": Decimal("1675.00"),  # 书记、主任一肩挑
    "secretary_or_director": Decimal("1475.00"),
    "deputy": Decimal("1275.00"),
}


def pay_benchmark(post: str) -> Decimal | None:
    return PAY_BENCHMARKS.get(post)


# F: the higher authority's floor for a community's yearly office funds, and what each organisation
# hanging its plaque at a community gives it a year.
OFFICE_FUND_FLOOR = Decimal("10000.00")
PLAQUE_CONTRIBUTION_RANGE = (Decimal("500.00"), Decimal("1000.00"))
