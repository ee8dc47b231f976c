"""Benchmark: the annual self-check of a province-sized city (20,000 communities) run by a real Celery
worker, beside a 2,000-community city so that growth can be read off.

Target: 20,000 communities in under 60 s.

Needs PostgreSQL and Redis (defaults 127.0.0.1:5432, user postgres, and redis://127.0.0.1:6379/13, which
the benchmark owns: it is flushed before the worker starts). A throwaway database `bench_self_check` is
created and migrated; each city (tenant `bench-<N>-<year>`) is generated with bulk_create (no history
rows; two forked processes write the chunks) and reused by a later run when the database was kept
(`--keep`; `--skip-generate` keeps it too) and already holds it. Before every measured run the city's
earlier self-checks and self-check jobs are deleted, so each run is a first run.

Beside the target, every figure reads as a ratio (`benchmarks.floors`, docs/benchmarks.md): right
before the largest city's run its records are read once, raw (the floor), and after it a sample of its
communities is evaluated one at a time (the naive path, `benchmarks.naive`), which must give the
batched run's results. `--workers K` runs the largest city again with K workers (and with 2), for
the throughput per worker.

Usage: `make bench-self-check` or `python -m benchmarks.self_check_20k [--communities N] [--compare M]
[--year Y] [--naive-sample S] [--workers K] [--keep] [--skip-generate] [--generate-only] [--fresh]`.

The harness (services, database, worker, the city's generation and reuse) is `benchmarks.harness`; the
city is `demo.city`'s, the one the demo and the drills build too. This module is the measured run and
its report.
"""

import argparse
import os
import platform
import secrets
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
    Workers,
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


def measure(city: dict, year: int, worker: Workers, timeout: float, use_pgss: bool) -> dict:
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


def print_floor(run: dict, floor: dict) -> None:
    from benchmarks.floors import ratio_line

    print()
    print(ratio_line("floor", "run", run["wall"], "floor", floor["seconds"]))


def naive_comparison(city: dict, run: dict, year: int, size: int) -> list[str]:
    """The naive path on `size` of the city's communities, after its batched run: prints the naive
    ratio and returns the differences from the batched run's stored results (none expected)."""
    from benchmarks import naive
    from benchmarks.floors import naive_line
    from communities.models import Community

    ids = list(
        Community.objects.filter(unit__tenant=city["tenant"]).order_by("pk").values_list("pk", flat=True)
    )
    chosen = naive.sample(ids, size)
    batched = naive.stored(chosen, year)
    found, elapsed = naive.evaluate(chosen, year)
    differences = naive.differences(found, batched)
    print(naive_line(elapsed / len(chosen) * 1000, run["wall"] / run["n"] * 1000))
    print(
        f"  naive sample: {len(chosen):,} of {len(ids):,} communities, evaluated one at a time in "
        f"{elapsed:.2f} s; results {'the same as the batched run' if not differences else 'DIFFERENT'}"
    )
    for line in differences:
        print(f"  {line}")
    return differences


def print_scaling(by_workers: dict[int, dict]) -> None:
    """Throughput per worker of the same city's run with 1, 2 (and K) workers, and the scaling."""
    print("\n== workers (the same city, each run a first run; every worker a solo-pool process) ==")
    print(f"{'workers':>8} {'wall s':>7} {'comm/s':>8} {'per worker':>11} {'scaling':>8}")
    one = by_workers[1]
    for count, run in sorted(by_workers.items()):
        rate = run["n"] / run["wall"]
        scaling = f"×{one['wall'] / run['wall']:.2f}"
        print(f"{count:>8} {run['wall']:>7.1f} {rate:>8,.0f} {rate / count:>11,.0f} {scaling:>8}")
    chunks = one["chunks"]
    if chunks < max(by_workers):
        print(
            f"note: the city is {chunks} chunk{'s' if chunks > 1 else ''}: a worker more than chunks has nothing to do"
        )
    if 2 in by_workers:
        print(
            f"scaling 1 → 2 workers: ×{one['wall'] / by_workers[2]['wall']:.2f} "
            f"(×2 would be linear; {os.cpu_count()} cores shared with PostgreSQL and Redis)"
        )


def start_workers(env: dict, query_log: Path, count: int, app) -> Workers:
    workers = Workers(env, str(query_log), count)
    started = time.perf_counter()
    workers.start(app)
    print(f"\n{count} worker{'s' if count > 1 else ''} started in {time.perf_counter() - started:.1f} s")
    return workers


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
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=500,
        help="communities evaluated one at a time after the run, for the naive ratio (500; 0: none)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="K ≥ 2: run the largest city again with 2 and K Celery workers, for the scaling (1)",
    )
    city_arguments(parser)
    args = parser.parse_args(argv)
    if args.communities < 1 or args.compare < 0 or args.naive_sample < 0 or args.workers < 1:
        parser.error(
            "--communities and --workers must be positive, --compare and --naive-sample not negative"
        )
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
    # Measured as deployed: debug off (with it on, Django keeps every statement the run sends) in the
    # worker and in this process, which runs the naive path; the key is the run's own.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECRET_KEY"] = "bench-self-check-" + secrets.token_hex(16)
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
        worker = start_workers(env, query_log, 1, app)
        use_pgss = pg_stat_statements_ready()
        from benchmarks.floors import read_floor

        runs = []
        floor = None
        for city in cities:
            if city is cities[-1]:
                floor = read_floor(city["tenant"])  # right before the run, on the same city
            print(f"  running the self-check of {city['n']:,} communities …", flush=True)
            runs.append(measure(city, args.year, worker, args.timeout, use_pgss))
        print_runs(runs, args.year, settings.SELF_CHECK_CHUNK_SIZE, use_pgss)
        print_levels(cities[-1], args.year)
        print_floor(runs[-1], floor)
        ok = all(run["job"].state == "done" for run in runs)
        if args.naive_sample and runs[-1]["job"].state == "done":
            ok = not naive_comparison(cities[-1], runs[-1], args.year, args.naive_sample) and ok
        if args.workers >= 2:
            by_workers = {1: runs[-1]}
            for count in sorted({2, args.workers}):
                worker.stop()
                worker.unlink_logs()
                worker = start_workers(env, query_log, count, app)
                print(f"  running the self-check of {cities[-1]['n']:,} communities again …", flush=True)
                by_workers[count] = measure(cities[-1], args.year, worker, args.timeout, use_pgss)
                ok = ok and by_workers[count]["job"].state == "done"
            print_scaling(by_workers)
        query_log.unlink(missing_ok=True)
        if not ok:
            print(f"worker log kept: {worker.log_path}")
        return 0 if ok else 1
    finally:
        if worker is not None:
            worker.stop()
            if ok:
                worker.unlink_logs()
        release_database(args, ": a later run with --keep or --skip-generate reuses it")


if __name__ == "__main__":
    run_main(main)
