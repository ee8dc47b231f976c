"""Load test: locust on loopback against gunicorn + PostgreSQL (+ Redis as the cache) holding the
20,000-community city of `benchmarks.self_check_20k`.

50 users with about 1 s of think time: town clerks, district reviewers and the city officer
(`benchmarks/locustfile.py`), 80% reads (lists, details, self-checks, stats) and 20% writes. Prints
p50/p95/p99 per request kind and the throughput. Targets: p95 under 100 ms, zero errors.

The database is the benchmarks' (`bench_self_check`, kept with `--keep`; generated when missing);
the load's users and tokens are added to the city once. Gunicorn runs with DEBUG off and the API
throttle raised (the load is 50 known users, not an attack).

Usage: `make load` or `python -m benchmarks.load_20k [--users 50] [--seconds 60] [--workers 3]
[--keep]`.
"""

import argparse
import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

from benchmarks.dashboard_20k import evaluate_missing
from benchmarks.harness import (
    DEFAULT_PG,
    TARGET_COMMUNITIES,
    BenchError,
    _with_path,
    city_arguments,
    create_database,
    ensure_city,
    pg_connect,
    release_database,
    run_main,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100
CLERKS, SAMPLE = 40, 30
DEFAULT_CACHE = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/11")


def personas(city: dict, year: int) -> dict:
    """Users of the load (created once) with their tokens and a sample of their communities."""
    from assessments.models import SelfCheck
    from communities.models import Community
    from core.models import ApiToken, Unit, User

    tenant = city["tenant"]

    def user(username, unit, role):
        found, _ = User.objects.get_or_create(
            username=username, defaults={"tenant": tenant, "unit": unit, "role": role, "full_name": username}
        )
        return ApiToken.issue(found)[1]

    def sample(unit):
        communities = Community.objects.filter(unit__path__startswith=unit.path).order_by("pk")
        checks = SelfCheck.objects.filter(community__unit__path__startswith=unit.path, year=year).order_by(
            "pk"
        )
        return (
            list(communities.values_list("pk", flat=True)[:SAMPLE]),
            list(checks.values_list("pk", flat=True)[:SAMPLE]),
        )

    found = {"year": [{"year": year}], "clerks": [], "reviewers": [], "officers": []}
    towns = Unit.objects.filter(tenant=tenant, tier="town").order_by("pk")
    step = max(1, towns.count() // CLERKS)
    for number, town in enumerate(towns[::step][:CLERKS]):
        communities, checks = sample(town)
        token = user(f"load_clerk_{tenant.pk}_{number}", town, "town_clerk")
        found["clerks"].append(
            {"token": token, "unit": town.pk, "communities": communities, "self_checks": checks}
        )
    for number, district in enumerate(Unit.objects.filter(tenant=tenant, tier="district").order_by("pk")):
        communities, checks = sample(district)
        token = user(f"load_reviewer_{tenant.pk}_{number}", district, "district_reviewer")
        found["reviewers"].append(
            {"token": token, "unit": district.pk, "communities": communities, "self_checks": checks}
        )
    communities, checks = sample(city["officer"].unit)
    found["officers"].append(
        {
            "token": ApiToken.issue(city["officer"])[1],
            "unit": city["officer"].unit_id,
            "communities": communities,
            "self_checks": checks,
        }
    )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, log: Path, threads: int = 1):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--config=config/gunicorn.conf.py",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--access-logfile=-",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # noqa: SIM115
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=1)
            return process
        except urllib.error.HTTPError:  # answered (401: the load signs in with tokens)
            return process
        except OSError:
            time.sleep(0.3)
    raise BenchError("gunicorn did not answer within 30 s")


def stop(process) -> None:
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def report(prefix: str, users: int, seconds: int) -> bool:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    print(f"\n== {users} users, {seconds} s, think time ~1 s (ms; requests/s) ==")
    print(f"{'request':<38}{'count':>7}{'errors':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}{'req/s':>8}")
    ok = True
    over = []  # request kinds above the target
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        errors = int(row["Failure Count"])
        p95 = float(row["95%"] or 0)
        if name == "ALL":
            overall = errors == 0 and p95 < TARGET_P95_MS
        elif errors or p95 >= TARGET_P95_MS:
            ok = False
            over.append(f"{name} {p95:.0f} ms" + (f", {errors} errors" if errors else ""))
        print(
            f"{name:<38}{int(row['Request Count']):>7}{errors:>7}{float(row['50%'] or 0):>7.0f}{p95:>7.0f}"
            f"{float(row['99%'] or 0):>7.0f}{float(row['Max Response Time'] or 0):>8.0f}{float(row['Requests/s']):>8.1f}"
        )
    writes = sum(int(r["Request Count"]) for r in rows if r["Name"].startswith(("PATCH", "POST")))
    total = sum(int(r["Request Count"]) for r in rows if r["Name"] != "Aggregated")
    print(f"writes: {writes / total:.0%} of {total:,} requests")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and failures.stat().st_size:
        print("failures:\n" + failures.read_text(encoding="utf-8")[:2000])
    print(
        f"target: p95 < {TARGET_P95_MS} ms and no error, over all requests → {'met' if overall else 'NOT met'}"
    )
    print(
        f"target: p95 < {TARGET_P95_MS} ms and no error, for every request kind → {'met' if ok else 'NOT met'}"
        + (f" ({'; '.join(over)})" if over else "")
    )
    return ok and overall


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--communities", type=int, default=TARGET_COMMUNITIES)
    parser.add_argument("--year", type=int, default=date.today().year - 1)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    # Sync workers, one request each, as docker-compose runs them (threads share one GIL: on these
    # CPU-bound requests 3 workers × 2 threads gave a p95 half as long again as 4 × 1).
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--db", default="bench_self_check")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--cache", default=DEFAULT_CACHE, help=f"Redis cache URL, flushed ({DEFAULT_CACHE})")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--cold", action="store_true", help="start with no figure counted (skip `manage.py count_figures`)"
    )
    city_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    pg_connect(args.pg).close()
    created = create_database(args.pg, args.db)
    os.environ["DATABASE_URL"] = _with_path(args.pg, args.db)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connections

    server = None
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        print(f"database {args.db}: {'created' if created else 'reused'}")
        call_command("migrate", verbosity=0, interactive=False)
        city = ensure_city(args.communities, args.year, args.seed, False, args.processes)
        evaluated = evaluate_missing(city, args.year)
        # As in any month after the year's run: this year's self-checks exist too, so a save
        # re-evaluates them rather than creating one (once a year per community, not the load's case).
        this_year = date.today().year
        if this_year != args.year:
            this_years = evaluate_missing(city, this_year)
            print(f"self-checks of {this_year} evaluated: {this_years:,}")
            evaluated += this_years
        if evaluated:
            # As autovacuum soon does on a real database: the planner's row estimates for the tables
            # just doubled (stale, they sent the city's figures to a sort spilled on disk).
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
        people = personas(city, args.year)
        connections.close_all()
        redis.Redis.from_url(args.cache).flushdb()
        work = Path(tempfile.mkdtemp(prefix="load_"))
        (work / "personas.json").write_text(json.dumps(people), encoding="utf-8")
        env = {
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "load-test-" + os.urandom(16).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            # As deployed: Redis is the cache the gunicorn workers share (a per-process cache would
            # keep each worker's figures apart and its changes unseen by the others). No task is
            # queued by this load: a save re-evaluates its one community in the request.
            "REDIS_URL": args.cache,
            "CACHE_URL": args.cache,
            "DB_CONN_MAX_AGE": "60",
            "API_THROTTLE_USER": "1000000/hour",
            "API_THROTTLE_TOKEN": "1000000/hour",
            "PORTAL_VAR_DIR": str(work),
            "LOAD_PERSONAS": str(work / "personas.json"),
        }
        if not args.cold:
            # As in a portal in use (or after a deploy's `count_figures`): each town's figures for the
            # year are counted; the figures' first, uncounted computation is `make bench-dashboard`'s.
            counted = subprocess.run(
                [sys.executable, "manage.py", "count_figures", "--year", str(args.year)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            print(counted.stdout.strip())
        port = free_port()
        server = start_gunicorn(env, port, args.workers, work / "gunicorn.log", args.threads)
        print(
            f"gunicorn: {args.workers} workers × {args.threads} threads on 127.0.0.1:{port}; personas: "
            f"{len(people['clerks'])} clerks, {len(people['reviewers'])} reviewers, 1 officer"
        )
        locust = Path(sys.executable).with_name("locust")
        subprocess.run(
            [
                str(locust),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 5)),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=open(work / "locust.log", "w"),  # noqa: SIM115  (its own table; ours is printed below)
            stderr=subprocess.STDOUT,
        )
        ok = report(str(work / "load"), args.users, args.seconds)
        print(f"files: {work}")
        return 0 if ok else 1
    finally:
        stop(server)
        release_database(args)


if __name__ == "__main__":
    run_main(main)
