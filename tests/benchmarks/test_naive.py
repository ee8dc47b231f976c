"""The naive yardstick of bench-self-check judges exactly as the batched run does: if it did not, its
ratio would compare two different computations."""

from decimal import Decimal

from assessments import runs
from assessments.models import SelfCheck
from benchmarks import naive
from communities.models import Community

from .conftest import YEAR


def _ids(tenant) -> list[int]:
    return list(Community.objects.filter(unit__tenant=tenant).order_by("pk").values_list("pk", flat=True))


def test_one_community_at_a_time_gives_the_batched_results(small_city):
    ids = _ids(small_city)
    runs.evaluate_communities(ids, YEAR)
    batched = naive.stored(ids, YEAR)
    assert len(batched) == len(ids)
    # A city of every profile: the comparison covers more than one level.
    assert len({row["proposed_level"] for row in batched.values()}) >= 3

    found, elapsed = naive.evaluate(ids, YEAR)

    assert elapsed > 0
    assert naive.differences(found, batched) == []
    # Written back one row at a time, the same values: the stored results have not moved.
    assert naive.stored(ids, YEAR) == batched


def test_each_community_is_measured_on_its_own(small_city, django_assert_max_num_queries):
    ids = _ids(small_city)[:2]
    runs.evaluate_communities(ids, YEAR)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        naive.evaluate(ids[:1], YEAR, write=False)
    with CaptureQueriesContext(connection) as two:
        naive.evaluate(ids, YEAR, write=False)
    # No query is shared between communities: two cost (about) twice one.
    assert len(two) >= 2 * len(one) - 2 > 20


def test_a_different_result_is_reported(small_city):
    ids = _ids(small_city)
    runs.evaluate_communities(ids, YEAR)
    check = SelfCheck.objects.filter(community_id=ids[3], year=YEAR).get()
    results = list(check.results)
    results[0] = {**results[0], "note": "changed"}
    SelfCheck.objects.filter(pk=check.pk).update(results=results, score=check.score + Decimal("0.5"))

    found, _ = naive.evaluate(ids, YEAR, write=False)
    lines = naive.differences(found, naive.stored(ids, YEAR))

    assert len(lines) == 2
    assert all(line.startswith(f"community {ids[3]}: ") for line in lines)
    assert {line.split(": ")[1].split(" ")[0] for line in lines} == {"results", "score"}


def test_differences_are_capped():
    outcome = {"results": [], "score": 1, "proposed_score": 1, "level": "a", "proposed_level": "a"}
    naive_found = {pk: dict(outcome) for pk in range(30)}
    batched = {pk: {**outcome, "level": "b"} for pk in range(30)}
    lines = naive.differences(naive_found, batched, limit=5)
    assert len(lines) == 6 and lines[-1] == "… and 25 more"


def test_sample_spreads_over_the_ids():
    ids = list(range(100, 1100))
    chosen = naive.sample(ids, 500)
    assert len(chosen) == 500 == len(set(chosen))
    assert chosen[0] == 100 and chosen[-1] >= 1090
    assert naive.sample(ids[:10], 500) == ids[:10]


def test_each_measure_sends_its_own_queries(small_city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.evaluator import evaluator_for
    from core.measures import Batch

    community_id = _ids(small_city)[0]
    runs.evaluate_communities([community_id], YEAR)
    check = SelfCheck.objects.select_related("edition").get(community_id=community_id, year=YEAR)
    community = Community.objects.select_related("unit__parent").get(pk=community_id)
    evaluator = evaluator_for(check.edition)

    with CaptureQueriesContext(connection) as shared:
        evaluator.evaluate(Batch([community], YEAR))
    with CaptureQueriesContext(connection) as own:
        found = evaluator.evaluate(naive.OwnQueries([community], YEAR))

    # The members table alone is read by several measures: each reads it again on its own.
    members = [query for query in own.captured_queries if '"personnel_member"' in query["sql"]]
    assert len(members) > 3
    assert len(own) > 2 * len(shared)
    assert found[community_id].results == evaluator.evaluate(Batch([community], YEAR))[community_id].results
