"""bench-profile: the first chunks of a city evaluated under cProfile, and the time per part it prints."""

import cProfile

from assessments.models import SelfCheck
from benchmarks import profile_self_check
from communities.models import Community

from .conftest import YEAR


def test_each_function_falls_in_one_part():
    part = profile_self_check.part_of
    assert part("~", "<method 'execute' of 'psycopg2.extensions.cursor' objects>").startswith("psycopg2")
    assert part("/venv/site-packages/django/db/models/query.py", "__iter__").startswith("Django ORM")
    assert part("/app/assessments/evaluator.py", "judge") == "judging and the outcome"
    assert part("/app/personnel/measures.py", "_members") == "the measures' own work"
    assert part("/usr/lib/python3.11/json/encoder.py", "iterencode") == "JSON"
    assert part("/app/assessments/runs.py", "evaluate_communities").startswith("the rest")


def test_the_chunks_are_evaluated_as_first_runs_and_reported_by_part(small_city, capsys):
    ids = list(Community.objects.filter(unit__tenant=small_city).order_by("pk").values_list("pk", flat=True))
    profiler = cProfile.Profile()

    for _ in range(2):  # the second is a first run again: the first one's self-checks are deleted
        elapsed = profile_self_check.evaluate(ids, YEAR, 15, profiler)
    profile_self_check.report(profiler, top=5)

    assert elapsed > 0
    assert SelfCheck.objects.filter(community_id__in=ids, year=YEAR).count() == len(ids)
    printed = capsys.readouterr().out
    assert "== own time by part" in printed
    assert "judging and the outcome" in printed and "the measures' own work" in printed
    assert "top 5 entries by own time" in printed
