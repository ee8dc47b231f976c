"""Measures of the funding records (see docs/measures.md): the work fund paid and due (U-FUND)."""

from decimal import Decimal

from core import measures
from core.measures import is_plain_number

from . import services
from .models import WorkFund


@measures.register(
    "work_fund_paid", "工作经费实际到位", unit="元", reads=("funding.WorkFund",), within_year=True
)
def work_fund_paid(batch):
    rows = batch.grouped(
        "funding.work_funds",
        WorkFund.objects.filter(year=batch.year).order_by().values("community_id", "paid"),
    )
    # One fund per community and year (a unique constraint); none recorded means nothing was paid.
    return {pk: sum((row["paid"] for row in rows[pk]), Decimal("0")) for pk in batch.ids}


def tiers_errors(tiers) -> list[str]:
    """What is wrong with work-fund tiers as an edition writes them (none: [])."""
    shape = '分档须为列表,每档为 {"max_households": 户数上限(最后一档为 null), "amount": 金额}。'
    if not isinstance(tiers, list | tuple) or not tiers:
        return [shape]
    for tier in tiers:
        if not isinstance(tier, dict) or not {"max_households", "amount"} <= set(tier):
            return [shape]
        upper, amount = tier["max_households"], tier["amount"]
        if (upper is not None and not (is_plain_number(upper) and upper >= 0)) or not (
            is_plain_number(amount) and amount >= 0
        ):
            return ["分档的户数上限和金额须为不小于0的数字。"]
    return []


@measures.register(
    "work_fund_due",
    "应拨工作经费",
    unit="元",
    params={"tiers": "按户数分档"},
    param_checks={"tiers": tiers_errors},
    reads=(),
)
def work_fund_due(batch, tiers=services.DEFAULT_TIERS):
    return batch.each(lambda community: services.work_fund_due(community.households, tiers))
