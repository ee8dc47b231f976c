"""Where a self-check run's seconds go: the first chunks of the kept benchmark city evaluated in this
process, as the worker evaluates them (`assessments.runs.evaluate_communities`, one transaction per
chunk, each a first run), under cProfile, with the top entries by own time and the time per part:
the measures' reads, the measures' own work, judging, the outcome, the writes.

Needs the database `bench-self-check` keeps (`make bench-self-check BENCH_ARGS=--keep` first).
Usage: `make bench-profile` or `python -m benchmarks.profile_self_check [--communities N] [--chunks K]
[--top T] [--year Y]`. The figures of docs/benchmarks.md ("Nearer the floor") were taken with it.
"""

import argparse
import cProfile
import os
import platform
import pstats
import secrets
import time
from collections import defaultdict
from datetime import date

from benchmarks.harness import (
    DEFAULT_PG,
    TARGET_COMMUNITIES,
    BenchError,
    _with_path,
    database_exists,
    delete_self_checks,
    run_main,
    tenant_code,
)

# The parts of a chunk's time, by where the profiled function lives (the first match wins).
PARTS = (
    ("psycopg2 (PostgreSQL's work and the wire)", ("psycopg2.extensions",)),
    ("Django ORM: rows to dicts and models, queries built", ("django/db",)),
    ("judging and the outcome", ("assessments/evaluator.py", "standards/", "fractions.py", "decimal")),
    ("the measures' own work", ("/measures.py",)),
    ("JSON", ("json/",)),
)


def part_of(filename: str, function: str) -> str:
    where = f"{filename}:{function}"
    for name, markers in PARTS:
        if any(marker in where for marker in markers):
            return name
    return "the rest (runs.py, builtins, contextlib …)"


def evaluate(ids: list[int], year: int, chunk_size: int, profiler: cProfile.Profile | None) -> float:
    from django.db import transaction

    from assessments.models import SelfCheck
    from assessments.runs import chunks, evaluate_communities

    delete_self_checks(SelfCheck.objects.filter(community_id__in=ids, year=year))  # a first run
    started = time.perf_counter()
    for part in chunks(ids, chunk_size):
        if profiler:
            profiler.enable()
        with transaction.atomic():
            evaluate_communities(part, year)
        if profiler:
            profiler.disable()
    return time.perf_counter() - started


def report(profiler: cProfile.Profile, top: int) -> None:
    stats = pstats.Stats(profiler)
    parts = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        parts[part_of(filename, function)] += own
    total = sum(parts.values())
    print(f"\n== own time by part (profiled: {total:.2f} s) ==")
    for name, seconds in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {seconds:6.2f} s {seconds / total:6.1%}  {name}")
    print(f"\n== top {top} entries by own time ==")
    stats.sort_stats("tottime").print_stats(top)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=TARGET_COMMUNITIES, help="the kept city (20,000)")
    parser.add_argument("--year", type=int, default=date.today().year - 1, help="the self-check year")
    parser.add_argument("--chunks", type=int, default=4, help="chunks evaluated (4)")
    parser.add_argument("--top", type=int, default=25, help="entries printed (25)")
    parser.add_argument("--db", default="bench_self_check", help="the kept database (bench_self_check)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL ({DEFAULT_PG})")
    args = parser.parse_args(argv)
    if args.chunks < 1 or args.top < 1:
        parser.error("--chunks and --top must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if not database_exists(args.pg, args.db):
        raise BenchError(
            f"database {args.db} does not exist: run `make bench-self-check BENCH_ARGS=--keep` first."
        )
    os.environ["DATABASE_URL"] = _with_path(args.pg, args.db)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "false"  # as deployed (the benchmark's worker runs so too)
    os.environ["DJANGO_SECRET_KEY"] = "bench-profile-" + secrets.token_hex(16)
    import django

    django.setup()
    from django.conf import settings

    from communities.models import Community
    from core.models import Tenant

    tenant = Tenant.objects.filter(code=tenant_code(args.communities, args.year)).first()
    if tenant is None:
        raise BenchError(
            f"the kept database holds no {args.communities:,}-community city for {args.year}: "
            f'run `make bench-self-check BENCH_ARGS="--keep --communities {args.communities}"` first.'
        )
    size = settings.SELF_CHECK_CHUNK_SIZE
    ids = list(
        Community.objects.filter(unit__tenant=tenant)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.chunks * size]
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; {len(ids):,} communities in chunks of {size}"
    )
    plain = evaluate(ids, args.year, size, None)
    profiler = cProfile.Profile()
    profiled = evaluate(ids, args.year, size, profiler)
    print(
        f"evaluated: {plain:.2f} s unprofiled ({len(ids) / plain:,.0f} communities/s), {profiled:.2f} s profiled"
    )
    report(profiler, args.top)
    return 0


if __name__ == "__main__":
    run_main(main)
