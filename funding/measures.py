"""Measures of the funding records (see assessments/MEASURES.md): the work fund paid and due (U-FUND)."""

from decimal import Decimal

from core import measures

from .models import WorkFund

# The documented tiers, read as STANDARD.md "How to read the numbers": under 2000 households
# ¥40,000; 2000 to 3000 inclusive ¥50,000; over 3000 ¥60,000 (null = no upper bound).
DEFAULT_TIERS = (
    {"max_households": 1999, "amount": 40000},
    {"max_households": 3000, "amount": 50000},
    {"max_households": None, "amount": 60000},
)


def yuan(amount) -> Decimal:
    # str() keeps a float's decimal text (0.1 stays 0.1, not the binary double).
    return Decimal(str(amount))


@measures.register("work_fund_paid", "工作经费实际到位", unit="元")
def work_fund_paid(batch):
    rows = batch.grouped(
        "funding.work_funds",
        WorkFund.objects.filter(year=batch.year).order_by().values("community_id", "paid"),
    )
    # One fund per community and year (a unique constraint); none recorded means nothing was paid.
    return {pk: sum((row["paid"] for row in rows[pk]), Decimal("0")) for pk in batch.ids}


@measures.register("work_fund_due", "应拨工作经费", unit="元", params={"tiers": "按户数分档"})
def work_fund_due(batch, tiers=DEFAULT_TIERS):
    """The first tier whose `max_households` reaches the community's households; None when no tier
    does (an edition whose tiers all have an upper bound below it)."""

    def due(community):
        for tier in tiers:
            upper = tier["max_households"]
            if upper is None or community.households <= upper:
                return yuan(tier["amount"])
        return None

    return batch.each(due)
