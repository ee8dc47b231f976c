"""The shipped editions U, R and V: every code of docs/standards.md, its check kind and level as the tables
say, and the numbers read as "How to read the numbers" says."""

import importlib
import re
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from core.measures import MEASURES
from demo.factories import shipped_edition
from standards import shipped as shipped_data
from standards import thresholds
from standards.models import LEVELS_BY_KIND, Indicator, StandardEdition

# Typed from docs/standards.md's tables: code → (check as the table says, level as the table says).
# "auto + evidence" is stored as evidence, "auto/evidence" and "auto/site" as auto (see docs/measures.md).
U_TABLE = {
    "U-SIZE": ("auto", "合格"),
    "U-NEW": ("auto", "合格"),
    "U-SETUP": ("auto", "合格"),
    "U-FILE": ("auto", "合格"),
    "U-ROSTER": ("auto", "合格"),
    "U-FUND": ("auto", "合格"),
    "U-MEET": ("auto", "合格"),
    "U-CONSULT": ("auto + evidence", "合格"),
    "U-SUBC": ("auto", "合格"),
    "U-GROUP": ("auto", "合格"),
    "U-BLDG": ("auto", "示范"),
    "U-STATION": ("auto", "合格"),
    "U-SEATS": ("auto", "合格"),
    "U-ELECTED": ("evidence", "合格"),
    "U-FULLTIME": ("auto", "合格"),
    "U-PRO": ("auto", "合格"),
    "U-TRAIN": ("auto", "合格"),
    "U-CERT": ("auto", "示范"),
    "U-ELECT": ("auto", "示范"),
    "U-CAND": ("auto", "合格"),
    "U-CHARTER": ("evidence", "合格"),
    "U-HEAR": ("evidence", "示范"),
    "U-DISC": ("auto", "合格"),
    "U-DUTY": ("evidence", "合格"),
    "U-VISIT": ("auto", "示范"),
    "U-BOARDS": ("auto", "合格"),
    "U-SCREEN": ("auto", "示范"),
    "U-AREA": ("auto", "合格"),
    "U-ROOMS": ("auto", "合格"),
    "U-SPACE": ("auto", "合格"),
    "U-PLAQUES": ("auto/evidence", "合格"),
    "U-WINDOWS": ("auto", "合格"),
    "U-PARTY": ("auto", "合格"),
    "U-UNITS": ("auto", "示范"),
    "U-SOCORG": ("auto", "合格"),
    "U-VOLORG": ("auto", "合格"),
    "U-VOLREG": ("auto", "合格"),
    "U-VOLACT": ("auto", "合格"),
    "U-SEAL": ("evidence", "合格"),
    "U-PROPERTY": ("site", "示范"),
    "U-SATISF": ("site", "合格"),
}
R_TABLE = {
    "R-SCOPE": ("auto", "合格"),
    "R-NAME": ("auto", "合格"),
    "R-AREA": ("auto", "合格"),
    "R-8HAVE": ("auto", "合格"),
    "R-FUNC": ("auto", "合格"),
    "R-HALL": ("auto/evidence", "合格"),
    "R-POLICE": ("evidence", "合格"),
    "R-STATIONS": ("auto", "合格"),
    "R-BOARDS": ("auto", "合格"),
    "R-4TONG": ("site", "合格"),
    "R-5HUA": ("site", "示范"),
    "R-5YI": ("auto/site", "合格"),
    "R-5WU5GAI": ("site", "示范"),
    "R-PARTY": ("auto", "示范"),
    "R-ORGS": ("auto", "示范"),
}
V_TABLE = {
    "V-BRANCH": ("auto", "合格"),
    "V-VC": ("auto", "合格"),
    "V-TWO": ("auto", "合格"),
    "V-CROSS": ("auto", "合格"),
    "V-ONE": ("auto", "示范"),
    "V-NOTICE": ("auto", "合格"),
    "V-DIRECT": ("auto", "合格"),
    "V-SEAL": ("evidence", "合格"),
    "V-TRAIN": ("auto", "合格"),
    "V-JOINT": ("evidence", "合格"),
    "V-APPRAISE": ("auto", "合格"),
    "V-TALK": ("auto", "示范"),
    "V-PLEDGE": ("evidence", "合格"),
    "V-MEMBER": ("auto", "合格"),
    "V-MEMBERAPPR": ("auto", "合格"),
    "V-PAY": ("auto", "示范"),
}
STORED_CHECK = {"auto": "auto", "evidence": "evidence", "site": "site", "auto + evidence": "evidence"}
STORED_CHECK.update({"auto/evidence": "auto", "auto/site": "auto"})
EDITIONS = {
    "U": ("urban", ["qualified", "model"], {"合格": "qualified", "示范": "model"}, U_TABLE),
    "R": ("rural", ["standardized", "model", "premium"], {"合格": "standardized", "示范": "model"}, R_TABLE),
    "V": ("village", ["qualified", "model"], {"合格": "qualified", "示范": "model"}, V_TABLE),
}


def shipped(code: str) -> StandardEdition:
    return StandardEdition.objects.get(tenant__isnull=True, code=code, version=1)


def indicator(edition_code: str, code: str) -> Indicator:
    return shipped(edition_code).indicators.get(code=code)


def test_the_tables_were_counted():
    assert (len(U_TABLE), len(R_TABLE), len(V_TABLE)) == (41, 15, 16)


@pytest.mark.parametrize("code", ["U", "R", "V"])
def test_every_code_of_the_standard_is_shipped_with_its_check_and_level(db, code):
    applies_to, levels, level_code, table = EDITIONS[code]
    edition = shipped(code)
    assert edition.status == StandardEdition.Status.PUBLISHED and edition.published_at
    assert edition.applies_to == applies_to
    assert edition.levels == levels == LEVELS_BY_KIND[applies_to]
    rows = {row.code: row for row in edition.indicators.all()}
    assert set(rows) == set(table)
    for indicator_code, (check, level) in table.items():
        row = rows[indicator_code]
        assert row.check_kind == STORED_CHECK[check], indicator_code
        assert row.level == level_code[level], indicator_code
        assert row.points == 1, indicator_code
        assert re.search(r"[\u4e00-\u9fff]", row.requirement) and row.category, indicator_code


def test_the_tables_order_is_kept(db):
    assert list(shipped("U").indicators.values_list("code", flat=True)) == list(U_TABLE)
    assert list(shipped("V").indicators.values_list("code", flat=True)) == list(V_TABLE)


def test_every_auto_rule_is_valid_and_every_other_has_none(db):
    for row in Indicator.objects.filter(edition__tenant__isnull=True):
        if row.check_kind == Indicator.Check.AUTO:
            assert thresholds.validate_rule(row.measure, row.params, row.operator, row.threshold) == {}, (
                row.code
            )
            assert row.readable_threshold and "有误" not in row.readable_threshold, row.code
            for ref in thresholds.referenced_measures(row.threshold):
                assert ref["measure"] in MEASURES, row.code
        else:
            assert not row.measure and not row.operator and row.threshold is None, row.code


def test_every_measure_used_is_documented(db):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "measures.md").read_text(encoding="utf-8")
    used = set(Indicator.objects.exclude(measure="").values_list("measure", flat=True))
    for row in Indicator.objects.exclude(measure=""):
        used |= {ref["measure"] for ref in thresholds.referenced_measures(row.threshold)}
    assert used <= set(MEASURES)
    for key in MEASURES:
        assert f"`{key}`" in doc, key


# ---- the numbers, as "How to read the numbers" says ----------------------------------------------


def test_station_areas(db):
    area = indicator("U", "U-AREA")
    assert (area.measure, area.operator, area.threshold) == ("station_area_m2", "gte", 300)
    assert area.params == {"kind": "service_station"}
    assert thresholds.compare("gte", 300, area.threshold)  # "at least" includes the number
    assert not thresholds.compare("gte", 299.99, area.threshold)
    rural = indicator("R", "R-AREA")
    assert (rural.measure, rural.operator, rural.threshold) == ("station_area_m2", "gte", 500)
    assert rural.params == {"kind": "service_center", "with_yard_or_square": True}
    assert area.readable_threshold == "≥ 300 平方米"


def test_activity_space_is_an_exact_two_thirds(db):
    # Read as an area (activity space ≥ station area × 2/3), so that the gap says how many m² are missing.
    space = indicator("U", "U-SPACE")
    assert (space.measure, space.operator) == ("station_activity_area_m2", "gte")
    factor = space.threshold["factor"]
    assert space.threshold["measure"] == "station_area_m2"
    assert thresholds.exact(factor) == Fraction(2, 3)
    # 200 m² of 300 m² is exactly 2/3 and passes; a hair less does not
    assert thresholds.compare("gte", 200, thresholds.exact(factor) * 300)
    assert not thresholds.compare("gte", Fraction(19999, 100), thresholds.exact(factor) * 300)
    assert space.readable_threshold == "≥ 服务站(中心)建筑面积 × 2/3"


def test_volunteers_are_a_tenth_of_residents(db):
    volunteers = indicator("U", "U-VOLREG")
    assert (volunteers.measure, volunteers.operator) == ("registered_volunteers", "gte")
    assert volunteers.threshold == {"measure": "residents", "factor": 0.1}
    expected = thresholds.exact(volunteers.threshold["factor"]) * 6800
    assert expected == 680  # exactly, not 680.0000000000001
    assert thresholds.compare("gte", 680, expected) and not thresholds.compare("gte", 679, expected)
    assert volunteers.readable_threshold == "≥ 社区人口 × 0.1"


def test_boards_social_organisations_activities(db):
    boards = indicator("U", "U-BOARDS")
    assert boards.measure == "station_boards_met" and boards.operator == "all_in"
    assert boards.params == {"publicity_boards": 1, "disclosure_boards": 2}
    assert boards.threshold == ["publicity_boards", "disclosure_boards"]
    social = indicator("U", "U-SOCORG")
    assert (social.measure, social.params, social.operator, social.threshold) == (
        "organizations",
        {"kind": "social"},
        "gte",
        10,
    )
    assert thresholds.compare("gte", 10, 10) and not thresholds.compare("gte", 9, 10)
    activities = indicator("U", "U-VOLACT")
    assert (activities.measure, activities.operator, activities.threshold) == ("activities", "gte", 6)
    assert activities.params == {"kind": ["volunteer", "mutual_aid"]}


def test_village_training_days(db):
    training = indicator("V", "V-TRAIN")
    assert training.measure == "cadres_training_met_share"
    assert training.params == {"leader_days": 7, "other_days": 3, "practical_techniques": 2}
    assert (training.operator, training.threshold) == ("gte", 1)


def test_work_fund_tiers_overlap_read_inclusively(db):
    fund = indicator("U", "U-FUND")
    assert (fund.measure, fund.operator) == ("work_fund_paid", "gte")
    assert fund.threshold["measure"] == "work_fund_due" and fund.threshold["factor"] == 1
    tiers = fund.threshold["params"]["tiers"]
    assert tiers == [
        {"max_households": 1999, "amount": 40000},  # under 2000
        {"max_households": 3000, "amount": 50000},  # 2000 to 3000 inclusive
        {"max_households": None, "amount": 60000},  # over 3000
    ]

    def due(households):
        return next(
            t["amount"] for t in tiers if t["max_households"] is None or households <= t["max_households"]
        )

    assert [due(n) for n in (1999, 2000, 3000, 3001)] == [40000, 50000, 50000, 60000]


def test_committee_sizes(db):
    seats = indicator("U", "U-SEATS")
    assert (seats.measure, seats.params, seats.operator) == (
        "committee_seats",
        {"body": "residents_committee"},
        "eq",
    )
    assert seats.threshold == {
        "measure": "expected_committee_seats",
        "factor": 1,
        "params": {"households_per_seat": 500, "min": 5, "max": 7},
    }
    full_time = indicator("U", "U-FULLTIME")
    assert full_time.threshold == {"numerator": 2, "denominator": 3}
    village = indicator("V", "V-VC")
    assert village.threshold["measure"] == "expected_villagers_committee_size"
    assert village.threshold["params"] == {"small": 3, "large": 5, "large_from_residents": 1000}
    professional = indicator("U", "U-PRO")
    assert professional.operator == "between"
    assert professional.threshold["max"]["params"] == {"central": 5, "outer": 4}
    assert professional.threshold["min"]["params"] == {"from_households": 1000, "minimum": 1}


def test_quarters_and_shares(db):
    assert indicator("U", "U-MEET").threshold == [1, 4]  # start and end of the year
    assert indicator("U", "U-MEET").params == {"kind": "residents", "with_minutes": True}
    assert indicator("U", "U-DISC").threshold == [1, 2, 3, 4]  # every quarter
    assert indicator("U", "U-PARTY").threshold == [1, 2, 3, 4]
    assert indicator("V", "V-TALK").threshold == [1, 2, 3, 4]
    assert indicator("V", "V-CROSS").threshold == {"numerator": 4, "denominator": 5}
    assert indicator("V", "V-ONE").threshold == {"numerator": 3, "denominator": 5}
    size = indicator("U", "U-SIZE")
    assert (size.measure, size.operator, size.threshold) == ("households", "gte", 2000)
    assert size.params == {"exempt_subtypes": ["unit", "market_town"]}
    assert indicator("U", "U-FILE").params == {"deadline_month": 11, "deadline_day": 30}


def test_premium_is_an_edition_parameter(db):
    assert shipped("R").min_score("premium") == 95
    assert "premium" in shipped("R").levels


def test_current_edition_is_the_citys_newest_else_the_newest_shipped_one(world):
    from standards import editing

    newest = shipped_edition("U")
    assert newest.version == 2 and newest != shipped("U")
    assert StandardEdition.objects.current_for(world.tenant.pk, "urban") == newest
    copy = editing.copy_edition(newest, world.officer)
    assert StandardEdition.objects.current_for(world.tenant.pk, "urban") == newest  # a draft
    editing.publish(copy, world.officer)
    assert StandardEdition.objects.current_for(world.tenant.pk, "urban") == copy
    assert StandardEdition.objects.current_for(world.other_tenant.pk, "urban") == newest
    assert StandardEdition.objects.current_for(world.tenant.pk, "village") == shipped_edition("V")


SHEET_ROWS = sum(len(shipped_data.load(code)["indicators"]) for code in shipped_data.CODES)
LEGACY_ROWS = 41 + 15 + 16


def test_the_data_migrations_are_reversible(db):
    sheets = importlib.import_module("standards.migrations.0003_ship_sheets")
    # The migration's functions work on the models as they stand at that migration.
    django_apps = MigrationLoader(connection).project_state(("standards", "0003_ship_sheets")).apps
    sheets.unship(django_apps, None)
    assert set(StandardEdition.objects.values_list("version", flat=True)) == {1}
    assert Indicator.objects.count() == LEGACY_ROWS
    sheets.ship(django_apps, None)
    assert StandardEdition.objects.filter(tenant__isnull=True, version=2).count() == 3
    assert Indicator.objects.count() == LEGACY_ROWS + SHEET_ROWS
    # The first editions come back (after a flush, say) as the sheets their conversion made of them.
    shipped_data.unship(StandardEdition, Indicator, version=1)
    assert not StandardEdition.objects.filter(version=1).exists()
    shipped_data.ship(StandardEdition, Indicator, timezone.now(), sheets=False)
    legacy = shipped("R")
    assert legacy.min_scores == {"standardized": 0, "model": 1, "premium": 95}
    assert legacy.indicators.get(code="R-AREA").veto == ["standardized", "model", "premium"]


def test_a_sheet_some_self_check_uses_stays_when_its_migration_is_reversed(db):
    from demo.factories import CommunityFactory, SelfCheckFactory

    check = SelfCheckFactory(community=CommunityFactory(kind="village"))
    assert check.edition == shipped_edition("V")
    sheets = importlib.import_module("standards.migrations.0003_ship_sheets")
    sheets.unship(MigrationLoader(connection).project_state(("standards", "0003_ship_sheets")).apps, None)
    assert set(StandardEdition.objects.filter(version=2).values_list("code", flat=True)) == {"V"}


def test_a_flushed_database_gets_the_shipped_editions_back(db):
    call_command("flush", interactive=False, verbosity=0)
    assert StandardEdition.objects.filter(tenant__isnull=True).count() == 6
    assert Indicator.objects.count() == LEGACY_ROWS + SHEET_ROWS


def test_the_product_never_reads_the_shared_folder():
    root = Path(__file__).resolve().parents[2]
    apps = ("config", "core", "communities", "personnel", "facilities", "funding", "standards")
    apps += ("assessments", "designations", "dashboards")
    for path in (path for app in apps for path in (root / app).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "/work/shared" not in text, path
