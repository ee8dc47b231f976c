"""Record cases for the facilities_funding record types (see cases.py)."""

import datetime
from decimal import Decimal

from demo.factories import (
    CadrePayFactory,
    CapitalProjectFactory,
    EnvironmentCheckFactory,
    FacilityFactory,
    MemberFactory,
    OfficeFundFactory,
    PlaqueContributionFactory,
    WorkFundFactory,
)

from .cases import FUTURE, RecordCase, case


# ---- facilities --------------------------------------------------------------------------------
def _facility(community, **fields):
    defaults = {
        "kind": "service_station",
        "name": "幸福社区服务站",
        "area_m2": Decimal("320.00"),
        "activity_area_m2": Decimal("220.00"),
        "rooms": ["service_hall", "activity_room", "council_room"],
        "plaques": ["party_org", "residents_committee"],
        "windows": ["party_service", "employment"],
        "publicity_boards": 1,
        "disclosure_boards": 2,
    }
    return FacilityFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="facilities",
        make=_facility,
        body=lambda c: {
            "community": c.pk,
            "kind": "service_station",
            "name": "幸福社区第二服务站",
            "address": "幸福路8号",
            "area_m2": 350,
            "activity_area_m2": 240.5,
            "rooms": ["service_hall", "activity_room", "library_archive", "police_room"],
            "plaques": ["party_org", "service_station"],
            "windows": ["assistance", "family_planning"],
            "publicity_boards": 2,
            "disclosure_boards": 2,
            "electronic_screen": True,
            "procedures_posted": True,
        },
        change={"area_m2": 400, "disclosure_boards": 3},
        invalid=[
            ({"kind": "station"}, "kind"),
            ({"area_m2": 0}, "area_m2"),
            ({"area_m2": -10}, "area_m2"),
            ({"activity_area_m2": 351}, "activity_area_m2"),
            ({"rooms": ["clinic", "shop"]}, "rooms"),
            ({"rooms": ["bogus"]}, "rooms"),
            ({"windows": ["bank"]}, "windows"),
            ({"publicity_boards": -1}, "publicity_boards"),
        ],
    )
)


def _environment(community, **fields):
    defaults = {
        "year": 2024,
        "four_links": ["road", "water", "power"],
        "five_improvements": ["hardened", "clean"],
        "five_ones": ["paved_street"],
        "five_nos_five_upgrades": ["no_manure", "toilet_upgraded"],
    }
    return EnvironmentCheckFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="environment",
        make=_environment,
        body=lambda c: {
            "community": c.pk,
            "year": 2025,
            "four_links": ["road", "water", "power", "information"],
            "five_improvements": ["green", "lit"],
            "five_ones": ["night_lighting", "sports_square"],
            "five_nos_five_upgrades": ["no_rubbish", "kitchen_upgraded"],
            "note": "村内主干道已硬化。",
        },
        change={"five_ones": ["paved_street", "green_space"]},
        invalid=[
            ({"year": datetime.date.today().year + 1}, "year"),
            ({"year": 1990}, "year"),
            ({"four_links": ["gas"]}, "four_links"),
            ({"five_nos_five_upgrades": ["no_cars"]}, "five_nos_five_upgrades"),
        ],
    )
)


# ---- funding -----------------------------------------------------------------------------------
def _work_fund(community, **fields):
    defaults = {"year": 2023, "paid": Decimal("50000.00"), "paid_on": datetime.date(2023, 6, 30)}
    return WorkFundFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="work-funds",
        make=_work_fund,
        body=lambda c: {"community": c.pk, "year": 2024, "paid": "45000.00", "paid_on": "2024-07-15"},
        change={"paid": "50000.00"},
        invalid=[
            ({"paid": "-1.00"}, "paid"),
            ({"paid_on": FUTURE}, "paid_on"),
            ({"year": datetime.date.today().year + 1}, "year"),
            ({"year": 2005}, "year"),  # before the community was founded (2010)
        ],
    )
)


def _office_fund(community, **fields):
    defaults = {"year": 2023, "amount": Decimal("20000.00"), "source": "区财政"}
    return OfficeFundFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="office-funds",
        make=_office_fund,
        body=lambda c: {"community": c.pk, "year": 2024, "amount": "12000.00", "source": "街道"},
        change={"amount": "8000.00"},
        invalid=[
            ({"amount": "-5"}, "amount"),
            ({"amount": "abc"}, "amount"),
            ({"year": datetime.date.today().year + 1}, "year"),
        ],
    )
)


def _cadre_pay(community, **fields):
    defaults = {"year": 2023, "post": "secretary_or_director", "monthly_pay": Decimal("1500.00")}
    return CadrePayFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="cadre-pay",
        make=_cadre_pay,
        body=lambda c: {
            "community": c.pk,
            "year": 2024,
            "member": MemberFactory(community=c).pk,
            "post": "both",
            "monthly_pay": "1700.00",
        },
        change={"monthly_pay": "1600.00"},
        invalid=[
            ({"post": "chief"}, "post"),
            ({"monthly_pay": "-1"}, "monthly_pay"),
            ({"member": 999999}, "member"),
            ({"member": None}, "member"),
            ({"year": datetime.date.today().year + 1}, "year"),
        ],
    )
)


def _capital_project(community, **fields):
    defaults = {
        "name": "社区办公用房购置",
        "cost": Decimal("900000.00"),
        "state_project": Decimal("500000.00"),
        "budget": Decimal("300000.00"),
    }
    return CapitalProjectFactory(community=community, **{**defaults, **fields})


def _capital_project_body(community):
    # The document's case: premises costing 3.6 million whose sources and gap total 3.59 million.
    return {
        "community": community.pk,
        "name": "社区服务中心新建",
        "cost": "3600000.00",
        "state_project": "1000000.00",
        "resettlement_project": "800000.00",
        "organization_department": "500000.00",
        "old_premises_sale": "400000.00",
        "budget": "290000.00",
        "typed_total": "3590000.00",
        "equipment_sets": 17,
        "equipment_recipients": 16,
    }


case(
    RecordCase(
        slug="capital-projects",
        make=_capital_project,
        body=_capital_project_body,
        change={"other": "10000.00"},
        invalid=[
            ({"cost": "-1"}, "cost"),
            ({"budget": "-100"}, "budget"),
            ({"name": ""}, "name"),
            ({"equipment_sets": -1}, "equipment_sets"),
        ],
        # A page form has every source box filled in (the API defaults a missing source to 0).
        form_body=lambda c: {**_capital_project_body(c), "other": "0"},
    )
)


def _plaque_contribution(community, **fields):
    defaults = {
        "year": 2023,
        "organization_name": "区税务局",
        "amount": Decimal("800.00"),
        "practical_things": 2,
    }
    return PlaqueContributionFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="plaque-contributions",
        make=_plaque_contribution,
        body=lambda c: {
            "community": c.pk,
            "year": 2024,
            "organization_name": "区供电公司",
            "amount": "600.00",
            "practical_things": 1,
        },
        change={"amount": "1200.00"},
        invalid=[
            ({"amount": "-1"}, "amount"),
            ({"practical_things": -1}, "practical_things"),
            ({"organization_name": ""}, "organization_name"),
            ({"year": 1999}, "year"),
        ],
    )
)
