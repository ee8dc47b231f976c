"""How a chunk is judged fast without judging differently (docs/benchmarks.md, "Nearer the floor"):
each rule judges a (value, expected) pair once per batch and copies the result to the communities
sharing it; the garbage collector is off while a chunk is evaluated; results are stored with lz4 on
PostgreSQL. That the outcomes are those of communities judged one at a time is held by
tests/benchmarks/test_naive.py on a generated city of every profile."""

import gc
from collections import Counter
from datetime import date

import pytest
from django.db import connection

from assessments import runs
from assessments.evaluator import Rule, evaluator_for
from assessments.models import SelfCheck
from communities.models import Community
from core.measures import Batch
from demo.city import CityGenerator, generate_city
from demo.factories import TenantFactory

YEAR = date.today().year - 1


@pytest.fixture
def city(db):
    """20 generated communities of every profile (the benchmarks' generator), written in this process."""
    tenant = TenantFactory(name="判定市", code="judging-city")
    generate_city(CityGenerator(20, YEAR, seed=11), tenant, processes=1)
    return list(Community.objects.filter(unit__tenant=tenant).order_by("pk"))


def _urban(city) -> list:
    return [community for community in city if community.kind == Community.Kind.URBAN]


@pytest.fixture
def judged_pairs(monkeypatch):
    """Counts `Rule._judged` calls by indicator code: how often a pair was judged afresh."""
    calls = Counter()
    original = Rule._judged

    def counting(rule, value, expected):
        calls[rule.indicator.code] += 1
        return original(rule, value, expected)

    monkeypatch.setattr(Rule, "_judged", counting)
    return calls


def test_a_pair_shared_by_communities_is_judged_once_per_batch(city, judged_pairs):
    urban = _urban(city)
    runs.evaluate_communities([community.pk for community in urban], YEAR)
    check = SelfCheck.objects.filter(community__in=urban, year=YEAR).select_related("edition").first()
    evaluator = evaluator_for(check.edition)
    yes_no = [code for code, rule in evaluator.rules.items() if rule.measure.yes_no and rule.fixed_threshold]
    assert len(urban) >= 8 and yes_no

    for code in yes_no:
        # 1 (yes), 0 (no) or no record: at most three pairs, however many communities.
        assert judged_pairs[code] <= 3, code
    results = sum(len(evaluator.rules) for _ in urban)
    assert sum(judged_pairs.values()) < results / 2


def test_a_threshold_read_off_another_measure_is_resolved_per_community(city, judged_pairs):
    urban = _urban(city)
    runs.evaluate_communities([community.pk for community in urban], YEAR)
    checks = list(SelfCheck.objects.filter(community__in=urban, year=YEAR).select_related("edition"))
    evaluator = evaluator_for(checks[0].edition)
    referring = [code for code, rule in evaluator.rules.items() if not rule.fixed_threshold]
    assert referring  # e.g. volunteers ≥ 社区人口 × 0.1

    for code in referring:
        expected = {
            repr(result["expected"])
            for check in checks
            for result in check.results
            if result["indicator"] == code and result["applicable"]
        }
        # Every community's own figure: as many expected values as the pairs judged, at least.
        assert len(expected) > 1, code
        assert judged_pairs[code] >= len(expected), code


def test_communities_sharing_a_result_get_copies_of_it(city):
    urban = _urban(city)
    runs.evaluate_communities([urban[0].pk], YEAR)
    edition = SelfCheck.objects.get(community=urban[0], year=YEAR).edition
    batch = Batch(Community.objects.filter(pk__in=[c.pk for c in urban]).select_related("unit__parent"), YEAR)

    outcomes = evaluator_for(edition).evaluate(batch)

    first, second = (outcomes[community.pk].results for community in urban[:2])
    automatic = set(evaluator_for(edition).rules)
    shared = [(a, b) for a, b in zip(first, second, strict=True) if a == b and a["indicator"] in automatic]
    assert shared
    for a, b in shared:
        assert a is not b
    a, b = shared[0]
    a["note"] = "changed on one page"
    assert b["note"] != "changed on one page"


def test_the_collector_is_off_while_a_chunk_is_evaluated_and_back_after(city, monkeypatch):
    seen = []
    original = runs.evaluator_for

    def watching(edition):
        seen.append(gc.isenabled())
        return original(edition)

    monkeypatch.setattr(runs, "evaluator_for", watching)
    assert gc.isenabled()

    runs.evaluate_communities([community.pk for community in city[:5]], YEAR)

    assert seen and not any(seen)
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_failed_chunk(city, monkeypatch):
    def failing(edition):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(runs, "evaluator_for", failing)
    with pytest.raises(RuntimeError):
        runs.evaluate_communities([city[0].pk], YEAR)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(city):
    gc.disable()
    try:
        runs.evaluate_communities([city[0].pk], YEAR)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column setting")
def test_results_are_compressed_with_lz4_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'results'",
            [SelfCheck._meta.db_table],
        )
        assert cursor.fetchone()[0] == "l"
