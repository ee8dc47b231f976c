"""Benchmark: the annual self-check of a province-sized city (20,000 communities) run by a real Celery
worker, beside a 2,000-community city so that growth can be read off.

Target: 20,000 communities in under 60 s.

Needs PostgreSQL and Redis (defaults 127.0.0.1:5432, user postgres, and redis://127.0.0.1:6379/13, which
the benchmark owns: it is flushed before the worker starts). A throwaway database `bench_self_check` is
created and migrated; each city (tenant `bench-<N>-<year>`) is generated with bulk_create (no history
rows; two forked processes write the chunks) and reused by a later run when the database was kept
(`--keep`; `--skip-generate` keeps it too) and already holds it. Before every measured run the city's
earlier self-checks and self-check jobs are deleted, so each run is a first run.

Usage: `make bench-self-check` or `python -m benchmarks.self_check_20k [--communities N] [--compare M]
[--year Y] [--keep] [--skip-generate] [--generate-only] [--fresh]`.

The harness (services, database, worker, the city's generation and reuse) is `benchmarks.harness`; the
city is `demo.city`'s, the one the demo and the drills build too. This module is the measured run and
its report.
"""

import argparse
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from benchmarks.harness import (
    DEFAULT_PG,
    QUERY_LOG_ENV,
    TARGET_COMMUNITIES,
    BenchError,
    Worker,
    _with_path,
    check_redis,
    city_arguments,
    clean_previous,
    create_database,
    database_exists,
    drop_database,
    ensure_city,
    pg_connect,
    pg_stat_statements_ready,
    print_generation,
    release_database,
    run_main,
    statement_calls,
)

TARGET_SECONDS = 60
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def measure(city: dict, year: int, worker: Worker, timeout: float, use_pgss: bool) -> dict:
    from assessments.runs import start_run
    from core.models import Job

    deleted = clean_previous(city)
    officer = city["officer"]
    city_unit = officer.unit
    if use_pgss:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_statements_reset()")
    polls = 0
    started = time.perf_counter()
    job = start_run(officer, year, city_unit)
    last_report = started
    while True:
        state = Job.objects.filter(pk=job.pk).values("state", "done", "total").get()
        polls += 1
        now = time.perf_counter()
        if state["state"] in ("done", "failed"):
            break
        if now - started > timeout:
            raise BenchError(
                f"job {job.pk} still {state['state']} after {timeout:.0f} s (worker log {worker.log_path}):\n"
                f"{worker.tail()}"
            )
        if not worker.alive():
            raise BenchError(f"the Celery worker died during job {job.pk}:\n{worker.tail()}")
        if now - last_report >= 10:
            print(
                f"    … {state['done']:,}/{state['total']:,} communities after {now - started:.0f} s",
                flush=True,
            )
            last_report = now
        time.sleep(0.1)
    wall = time.perf_counter() - started
    calls = statement_calls() - polls if use_pgss else None
    job.refresh_from_db()
    summary = job.summary or {}
    chunks = int(summary.get("chunks") or 0)
    counted = worker.queries(job.pk, chunks)
    return {
        "n": city["n"],
        "job": job,
        "wall": wall,
        "worker_span": (job.finished_at - job.started_at).total_seconds()
        if job.started_at and job.finished_at
        else None,
        "queued": (job.started_at - job.created_at).total_seconds() if job.started_at else None,
        "chunks": chunks,
        "summary_queries": summary.get("queries"),
        "worker_queries": counted,
        "pgss": calls,
        "deleted": deleted,
    }


def print_levels(city: dict, year: int) -> None:
    from assessments.models import SelfCheck

    rows = SelfCheck.objects.filter(community__unit__tenant=city["tenant"], year=year)
    levels, proposed, failed = Counter(), Counter(), Counter()
    for kind, level, proposal, codes in rows.values_list(
        "community__kind", "level", "proposed_level", "failed"
    ):
        levels[(kind, level)] += 1
        proposed[(kind, proposal)] += 1
        failed.update(codes)
    print(f"\nresults of the {city['n']:,}-community run (level: open evidence/site indicators count as not")
    print("passed; proposed: as passed):")
    for kind in ("urban", "rural", "village"):
        shown = ", ".join(f"{level} {count:,}" for (k, level), count in sorted(levels.items()) if k == kind)
        offered = ", ".join(
            f"{level} {count:,}" for (k, level), count in sorted(proposed.items()) if k == kind
        )
        print(f"  {kind:<8} level: {shown or '—'}; proposed: {offered or '—'}")
    print(
        f"  indicators failed somewhere: {len(failed)}; most often: "
        + ", ".join(f"{code} {count:,}" for code, count in failed.most_common(8))
    )


def print_runs(runs: list[dict], year: int, chunk_size: int, use_pgss: bool) -> None:
    print(f"\n== self-check run (year {year}, chunk size {chunk_size}, one Celery worker: solo pool) ==")
    source = "pg_stat_statements" if use_pgss else "counted in the worker (every statement of every task)"
    print(f"queries: {source}; 'eval q' is the job's summary['queries'] (evaluation statements only)")
    header = (
        f"{'communities':>12} {'wall s':>7} {'comm/s':>7} {'worker s':>8} {'chunks':>6} "
        f"{'queries':>8} {'q/chunk':>8} {'eval q':>7} {'state':>6}"
    )
    print(header)
    for run in runs:
        if run["pgss"] is not None:
            queries = run["pgss"]
        elif run["worker_queries"]:
            queries = run["worker_queries"][0]
        else:
            queries = None
        per_chunk = f"{queries / run['chunks']:.1f}" if queries is not None and run["chunks"] else "—"
        print(
            f"{run['n']:>12,} {run['wall']:>7.1f} {run['n'] / run['wall']:>7,.0f} "
            f"{run['worker_span'] if run['worker_span'] is not None else float('nan'):>8.1f} {run['chunks']:>6} "
            f"{queries if queries is not None else '—':>8} {per_chunk:>8} "
            f"{run['summary_queries'] if run['summary_queries'] is not None else '—':>7} {run['job'].state:>6}"
        )
    for run in runs:
        if run["job"].errors:
            print(f"  job {run['job'].pk} ({run['n']:,}) errors: {run['job'].errors[:3]}")
    print(
        "every run is a first run: the city's earlier self-checks were deleted before it ("
        + ", ".join(f"{run['n']:,}: {run['deleted']:,} deleted" for run in runs)
        + ")"
    )
    rate = TARGET_COMMUNITIES / TARGET_SECONDS
    print(
        f"target: {TARGET_COMMUNITIES:,} communities in under {TARGET_SECONDS} s (≥ {rate:.0f} communities/s)"
    )
    for run in runs:
        if run["n"] == TARGET_COMMUNITIES:
            verdict = "met" if run["wall"] < TARGET_SECONDS and run["job"].state == "done" else "NOT met"
            print(f"  {run['n']:,} communities: {run['wall']:.1f} s → {verdict}")
    if len(runs) >= 2:
        small, big = runs[0], runs[-1]
        print(
            f"growth {small['n']:,} → {big['n']:,} communities (×{big['n'] / small['n']:.0f}): "
            f"time ×{big['wall'] / small['wall']:.1f}"
        )


# ---- main -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--communities", type=int, default=TARGET_COMMUNITIES, help="size of the city (20,000)"
    )
    parser.add_argument("--compare", type=int, default=2000, help="size of the second city (2,000; 0: none)")
    parser.add_argument(
        "--year", type=int, default=date.today().year - 1, help="the self-check year (last year)"
    )
    parser.add_argument("--db", default="bench_self_check", help="the throwaway database (bench_self_check)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL ({DEFAULT_PG})")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help=f"Redis URL, flushed ({DEFAULT_REDIS})")
    parser.add_argument("--keep", action="store_true", help="keep the database (a later run reuses it)")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument(
        "--skip-generate", action="store_true", help="use the cities of the kept database (kept again)"
    )
    parser.add_argument("--generate-only", action="store_true", help="generate (and time) the data only")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds to wait for one run (1200)")
    city_arguments(parser)
    args = parser.parse_args(argv)
    if args.communities < 1 or args.compare < 0:
        parser.error("--communities must be positive and --compare not negative")
    if args.skip_generate and args.fresh:
        parser.error("--skip-generate uses the kept database; --fresh would drop it")
    args.keep = args.keep or args.skip_generate
    if args.year >= date.today().year:
        print(
            f"note: {args.year} has not ended: records of later quarters cannot be dated and will be missing"
        )
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    pg_connect(args.pg).close()
    if not args.generate_only:
        check_redis(args.redis)
    if args.fresh:
        drop_database(args.pg, args.db)
    if args.skip_generate and not database_exists(args.pg, args.db):
        raise BenchError(f"--skip-generate: database {args.db} does not exist (keep one with --keep).")
    created = create_database(args.pg, args.db)
    os.environ["DATABASE_URL"] = _with_path(args.pg, args.db)
    if args.generate_only:
        os.environ.pop("REDIS_URL", None)
    else:
        os.environ["REDIS_URL"] = args.redis
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    worker = None
    ok = False
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {connection.vendor}")
        print(f"database {args.db}: {'created' if created else 'reused'}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        sizes = sorted({size for size in (args.compare, args.communities) if size})
        cities = [
            ensure_city(size, args.year, args.seed, args.skip_generate, args.processes) for size in sizes
        ]
        print_generation(cities, args.year)
        if args.generate_only:
            return 0
        try:
            from assessments.runs import start_run  # noqa: F401
        except ImportError as exc:
            raise BenchError(f"assessments.runs.start_run is not available yet ({exc}).") from exc
        import redis

        from config.celery import app

        redis.Redis.from_url(args.redis).flushdb()  # stale or unacknowledged messages of earlier runs
        query_log = Path(tempfile.gettempdir()) / f"bench_self_check_queries_{os.getpid()}.tsv"
        query_log.write_text("", encoding="utf-8")
        env = {
            **os.environ,
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": args.redis,
            QUERY_LOG_ENV: str(query_log),
            "PYTHONUNBUFFERED": "1",
        }
        worker = Worker(env, str(query_log))
        started = time.perf_counter()
        worker.start(app)
        print(f"\nworker started in {time.perf_counter() - started:.1f} s")
        use_pgss = pg_stat_statements_ready()
        runs = []
        for city in cities:
            print(f"  running the self-check of {city['n']:,} communities …", flush=True)
            runs.append(measure(city, args.year, worker, args.timeout, use_pgss))
        print_runs(runs, args.year, settings.SELF_CHECK_CHUNK_SIZE, use_pgss)
        print_levels(cities[-1], args.year)
        query_log.unlink(missing_ok=True)
        ok = all(run["job"].state == "done" for run in runs)
        if not ok:
            print(f"worker log kept: {worker.log_path}")
        return 0 if ok else 1
    finally:
        if worker is not None:
            worker.stop()
            if ok:
                worker.log_path.unlink(missing_ok=True)
        release_database(args, ": a later run with --keep or --skip-generate reuses it")


if __name__ == "__main__":
    run_main(main)
