"""Editions became scoring sheets (docs/scoring.md, "Editions from before the sheets"). A demo database
from before the change migrates forward with nothing decided re-judged: every self-check approved or
decided keeps its results, snapshot, score and levels, every designation its row; every old edition
turns into a sheet that judges as it did (all-or-nothing items for their weights, each a veto of its
level and the levels above); and the next run re-evaluates only the open self-checks."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.test import override_settings

from assessments.models import SelfCheck
from assessments.runs import evaluate_communities
from communities.models import Community
from standards import shipped
from standards.models import Indicator, StandardEdition

BEFORE_SHEETS = [("standards", "0001_initial"), ("assessments", "0008_move_standards_and_designations")]
DECIDED = ("district_approved", "accepted", "rejected")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def rows(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0]: row[1:] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_from_before_the_sheets_migrates_without_rejudging_anything(tmp_path):
    with override_settings(DEBUG=True, DEMO_PASSWORD="demo-pass-2026", MEDIA_ROOT=tmp_path):
        call_command("seed_demo", stdout=io.StringIO())
    migrate(BEFORE_SHEETS)
    decided_before = rows(
        "SELECT id, results, snapshot, score, level, proposed_level, status FROM assessments_selfcheck "
        f"WHERE status IN {DECIDED!r}"
    )
    designations_before = rows("SELECT * FROM assessments_designation")
    weights = rows("SELECT id, weight, level, check_kind, edition_id FROM assessments_indicator")
    premium = rows("SELECT id, premium_min_score, levels FROM assessments_standardedition")
    assert decided_before and designations_before

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # Nothing decided moved.
    decided_after = rows(
        "SELECT id, results, snapshot, score, level, proposed_level, status FROM assessments_selfcheck "
        f"WHERE status IN {DECIDED!r}"
    )
    assert decided_after == decided_before
    assert rows("SELECT * FROM assessments_designation") == designations_before
    # Every old edition is a sheet that judges as before.
    for pk, (weight, level, check_kind, edition_id) in weights.items():
        indicator = Indicator.objects.get(pk=pk)
        levels = StandardEdition.objects.get(pk=edition_id).levels
        assert indicator.points == weight
        assert indicator.scoring == "all_or_nothing"
        assert indicator.veto == shipped.legacy_veto(levels, level)
        assert indicator.method == shipped.LEGACY_METHODS[check_kind]
    for pk, (premium_min_score, _levels) in premium.items():
        edition = StandardEdition.objects.get(pk=pk)
        assert set(edition.min_scores) == set(edition.levels)
        if "premium" in edition.levels:
            assert edition.min_score("premium") == premium_min_score
    # A proposed score for everybody, never below the score.
    assert not SelfCheck.objects.filter(proposed_score__lt=F("score")).exists()

    # The next run re-evaluates the open self-checks only, without an error.
    year = SelfCheck.objects.order_by("-year").values_list("year", flat=True).first()
    evaluate_communities(list(Community.objects.values_list("pk", flat=True)), year)
    assert (
        rows(
            "SELECT id, results, snapshot, score, level, proposed_level, status FROM assessments_selfcheck "
            f"WHERE status IN {DECIDED!r}"
        )
        == decided_before
    )
