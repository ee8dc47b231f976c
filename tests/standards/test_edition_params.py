"""Figures that records compute from the standard follow the community's current edition: a city
that changes U-FUND's tiers or R-SCOPE's radius in its edition changes the records' amounts and
warnings, with no code in the records apps."""

from decimal import Decimal

import pytest

from communities.models import MemberVillage
from demo.factories import WorkFundFactory
from standards import editing
from standards.models import StandardEdition


def publish_city_edition(world, kind, code, **changes):
    draft = editing.copy_edition(StandardEdition.objects.current_for(None, kind), world.officer)
    editing.update_indicator(draft.indicators.get(code=code), world.officer, **changes)
    return editing.publish(draft, world.officer)


@pytest.mark.django_db
def test_work_fund_due_follows_the_city_s_tiers(world):
    before = WorkFundFactory(community=world.c1, year=2024, paid=Decimal("0"))  # 2400 households
    assert before.due == Decimal("50000.00")

    fund = StandardEdition.objects.current_for(None, "urban").indicators.get(code="U-FUND")
    threshold = {
        **fund.threshold,
        "params": {
            "tiers": [
                {"max_households": 2500, "amount": 55000},
                {"max_households": None, "amount": 70000},
            ]
        },
    }
    publish_city_edition(world, "urban", "U-FUND", threshold=threshold)

    after = WorkFundFactory(community=world.c1, year=2025, paid=Decimal("0"))
    assert after.due == Decimal("55000.00")
    assert after.district_share == Decimal("27500.00")
    other_city = WorkFundFactory(community=world.c_other, year=2025, paid=Decimal("0"))
    assert other_city.due == Decimal("50000.00")  # the shipped tiers still hold there


@pytest.mark.django_db
def test_member_village_radius_warning_follows_the_city_s_edition(world):
    village = MemberVillage(community=world.c3, name="远村", distance_km=Decimal("4.0"), population=800)
    assert "超出约 3 公里" in village.warnings[0]

    scope = StandardEdition.objects.current_for(None, "rural").indicators.get(code="R-SCOPE")
    publish_city_edition(world, "rural", "R-SCOPE", params={**scope.params, "radius_km": 5})

    assert village.warnings == []
    village.distance_km = Decimal("5.5")
    assert "超出约 5 公里" in village.warnings[0]
