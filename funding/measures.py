"""Measures of the funding records (see docs/measures.md): the work fund paid and due (U-FUND)."""

from decimal import Decimal

from core import measures

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


@measures.register("work_fund_due", "应拨工作经费", unit="元", params={"tiers": "按户数分档"}, reads=())
def work_fund_due(batch, tiers=services.DEFAULT_TIERS):
    return batch.each(lambda community: services.work_fund_due(community.households, tiers))
