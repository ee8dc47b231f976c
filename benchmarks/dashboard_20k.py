"""Benchmark: the city dashboard (统计看板) of a province-sized city (20,000 communities), beside a
2,000-community city so that growth can be read off.

Target: the city officer's page, computed from nothing (empty cache), in under 1 s of server time,
with a number of queries that does not depend on the number of communities.

It uses the throwaway PostgreSQL database of `benchmarks.self_check_20k` (`bench_self_check`, reused
when kept with `--keep`, else created and generated: about 2 minutes), evaluates the year's
self-checks in this process where they are missing, and gives the cities a programme to count: the
self-checks spread over every status, a fifth of the communities enrolled, titles for the accepted
ones and "五个好" recognitions (all bulk-written once, and reused when kept).

Each measured request goes through Django's whole stack in this process (middleware, view, template,
session), so the time is the server's; the figures' cache is emptied before each cold request.

Its floor, in the same run: the officer's figures (`dashboards.stats.dashboard`) computed cold in this
process, against the very statements they sent (captured) executed again raw through a cursor and
fetched: what the database alone takes for the grouped queries, against which the figures' own
computation (queries, rows into Python, adding up, the cache) reads as a ratio.

Usage: `make bench-dashboard` or `python -m benchmarks.dashboard_20k [--communities N] [--compare M]
[--year Y] [--repeat R] [--keep] [--fresh]`.
"""

import argparse
import os
import platform
import statistics
import time
from datetime import date, timedelta

from benchmarks.harness import (
    DEFAULT_PG,
    TARGET_COMMUNITIES,
    BenchError,
    _with_path,
    city_arguments,
    create_database,
    drop_database,
    ensure_city,
    pg_connect,
    release_database,
    run_main,
)

TARGET_SECONDS = 1.0
EVALUATE_CHUNK = 500
STATUS_CYCLE = [
    "draft",
    "draft",
    "submitted",
    "returned",
    "district_approved",
    "accepted",
    "accepted",
    "rejected",
]
TITLE_OF_LEVEL = {
    "qualified": "qualified",
    "standardized": "standardized",
    "model": "model",
    "premium": "premium",
}


def evaluate_missing(city: dict, year: int) -> int:
    """Evaluate the city's communities that have no self-check for `year` (in this process)."""
    from assessments import runs
    from assessments.models import SelfCheck
    from communities.models import Community

    communities = Community.objects.filter(unit__tenant=city["tenant"])
    done = set(
        SelfCheck.objects.filter(community__in=communities, year=year).values_list("community_id", flat=True)
    )
    missing = [pk for pk in communities.order_by("pk").values_list("pk", flat=True) if pk not in done]
    for start in range(0, len(missing), EVALUATE_CHUNK):
        runs.evaluate_communities(missing[start : start + EVALUATE_CHUNK], year)
    return len(missing)


def give_programme(city: dict, year: int) -> bool:
    """Statuses, enrolments, titles and recognitions for the city's year; False when already there."""
    from django.db import transaction

    from assessments.models import SelfCheck
    from communities.models import Community, VillageRecognition
    from designations.models import Designation, Enrolment

    tenant, officer = city["tenant"], city["officer"]
    checks = SelfCheck.objects.filter(community__unit__tenant=tenant, year=year)
    if Enrolment.objects.filter(community__unit__tenant=tenant, year=year).exists():
        return False
    with transaction.atomic():
        rows = list(
            checks.order_by("pk").values_list("pk", "community_id", "proposed_level", "community__unit_id")
        )
        by_status: dict[str, list[int]] = {}
        for index, (pk, _community, _level, _town) in enumerate(rows):
            by_status.setdefault(STATUS_CYCLE[index % len(STATUS_CYCLE)], []).append(pk)
        for status, pks in by_status.items():
            checks.filter(pk__in=pks).update(status=status)
        accepted = set(by_status.get("accepted", []))
        Enrolment.objects.bulk_create(
            [
                Enrolment(community_id=community, year=year)
                for index, (_pk, community, _l, _t) in enumerate(rows)
                if index % 5 == 0
            ],
            batch_size=2000,
        )
        issued = date(year, 12, 20)
        Designation.objects.bulk_create(
            [
                Designation(
                    community_id=community,
                    scope_unit_id=town,
                    self_check_id=pk,
                    year=year,
                    title=TITLE_OF_LEVEL[level],
                    issued_on=issued,
                    valid_until=issued + timedelta(days=3 * 365),
                    issued_by=officer,
                    code=f"B{tenant.pk:03d}{pk:011d}"[:16],
                )
                for pk, community, level, town in rows
                if pk in accepted and level in TITLE_OF_LEVEL
            ],
            batch_size=2000,
        )
        villages = Community.objects.filter(unit__tenant=tenant, kind=Community.Kind.VILLAGE).values_list(
            "pk", flat=True
        )
        VillageRecognition.objects.bulk_create(
            [
                VillageRecognition(
                    community_id=pk,
                    year=year,
                    recognised=index % 7 != 0,
                    confirmed_by_district=index % 9 != 0,
                )
                for index, pk in enumerate(villages.order_by("pk"))
            ],
            batch_size=2000,
        )
    return True


def timed(client, url: str, cold: bool) -> tuple[float, int, int]:
    """(seconds, queries, status) of one request; `cold` empties the figures' cache first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards import stats

    if cold:
        stats.invalidate()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), response.status_code


def measure(city: dict, year: int, repeat: int) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(city["officer"])
    pages = {
        "page /stats/": f"/stats/?year={year}",
        "api stats/overview/": f"/api/v1/stats/overview/?year={year}",
        "api stats/units/": f"/api/v1/stats/units/?year={year}",
        "api stats/trend/": f"/api/v1/stats/trend/?year={year}",
        "export .xlsx": f"/stats/export.xlsx?year={year}",
    }
    timed(client, pages["page /stats/"], cold=True)  # the first request of a process compiles templates
    found = {}
    for label, url in pages.items():
        cold = [timed(client, url, cold=True) for _ in range(repeat)]
        statuses = {status for _, _, status in cold}
        if statuses != {200}:
            raise BenchError(f"{url} answered {statuses}")
        warm = [timed(client, url, cold=False)[0] for _ in range(repeat)]
        found[label] = {
            "cold": statistics.median(seconds for seconds, _, _ in cold),
            "cold_max": max(seconds for seconds, _, _ in cold),
            "queries": max(queries for _, queries, _ in cold),
            "warm": statistics.median(warm),
        }
    # The charts fetch their three endpoints after the page, from the answers the page cached.
    return found


def figures_floor(city: dict, year: int, repeat: int) -> tuple[float, float, int]:
    """(figures s, raw s, statements): the median of `repeat` cold computations of the officer's
    dashboard figures, and of the same statements (as each computation sent them) run raw."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards import stats

    computed, raw = [], []
    for _ in range(repeat):
        stats.invalidate()
        with CaptureQueriesContext(connection) as sent:
            started = time.perf_counter()
            stats.dashboard(city["officer"], year)
            computed.append(time.perf_counter() - started)
        statements = [query["sql"] for query in sent.captured_queries]
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
            raw.append(time.perf_counter() - started)
    return statistics.median(computed), statistics.median(raw), len(statements)


def print_results(results: dict[int, dict], year: int, repeat: int) -> None:
    print(
        f"\n== the city officer's dashboard, {year} (median of {repeat} cold requests; cache emptied each time) =="
    )
    sizes = sorted(results)
    header = "".join(f"{f'{n:,} communities':>28}" for n in sizes)
    print(f"{'request':<22}{header}")
    print(f"{'':<22}" + "".join(f"{'cold ms':>10}{'queries':>9}{'warm ms':>9}" for _ in sizes))
    for label in results[sizes[0]]:
        cells = "".join(
            f"{results[n][label]['cold'] * 1000:>10.0f}{results[n][label]['queries']:>9}{results[n][label]['warm'] * 1000:>9.1f}"
            for n in sizes
        )
        print(f"{label:<22}{cells}")
    big = results[sizes[-1]]["page /stats/"]
    verdict = "met" if big["cold"] < TARGET_SECONDS else "NOT met"
    print(
        f"target: the {sizes[-1]:,}-community city's page under {TARGET_SECONDS:.0f} s cold → {verdict} "
        f"({big['cold'] * 1000:.0f} ms median, {big['cold_max'] * 1000:.0f} ms worst)"
    )
    if len(sizes) > 1:
        small = results[sizes[0]]["page /stats/"]
        same = "the same" if small["queries"] == big["queries"] else "NOT the same"
        print(
            f"queries: {small['queries']} for {sizes[0]:,} and {big['queries']} for {sizes[-1]:,} communities → {same}; "
            f"time ×{big['cold'] / small['cold']:.1f} for ×{sizes[-1] / sizes[0]:.0f} the communities"
        )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--communities", type=int, default=TARGET_COMMUNITIES)
    parser.add_argument("--compare", type=int, default=2000, help="size of the second city (2,000; 0: none)")
    parser.add_argument("--year", type=int, default=date.today().year - 1, help="the year shown (last year)")
    parser.add_argument(
        "--db", default="bench_self_check", help="the throwaway database (shared with bench-self-check)"
    )
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for a later run")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    city_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    pg_connect(args.pg).close()
    if args.fresh:
        drop_database(args.pg, args.db)
    created = create_database(args.pg, args.db)
    os.environ["DATABASE_URL"] = _with_path(args.pg, args.db)
    os.environ.pop("REDIS_URL", None)  # tasks in this process; the cache is the local-memory one
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, {connection.vendor}, load {os.getloadavg()[0]:.1f}"
        )
        print(f"database {args.db}: {'created' if created else 'reused'}")
        call_command("migrate", verbosity=0, interactive=False)
        results = {}
        for size in sorted({n for n in (args.compare, args.communities) if n}):
            city = ensure_city(size, args.year, args.seed, False, args.processes)
            started = time.perf_counter()
            evaluated = evaluate_missing(city, args.year)
            given = give_programme(city, args.year)
            if evaluated or given:
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                print(
                    f"{size:,} communities: {evaluated:,} self-checks evaluated, programme "
                    f"{'written' if given else 'reused'} in {time.perf_counter() - started:.1f} s"
                )
            results[size] = measure(city, args.year, args.repeat)
        print_results(results, args.year, args.repeat)
        from benchmarks.floors import ratio_line

        computed, raw, statements = figures_floor(city, args.year, args.repeat)
        print(
            f"\nthe {size:,}-community city's figures (stats.dashboard, cold, median of {args.repeat}) "
            f"against their {statements} statements run raw:"
        )
        print(ratio_line("floor", "dashboard", computed, "raw queries", raw))
        return 0
    finally:
        release_database(args)


if __name__ == "__main__":
    run_main(main)
