"""Drill: the Celery worker is killed (SIGKILL) in the middle of a city-wide self-check run.

A throwaway database (`drill_worker_killed`) gets a generated city (the benchmark's generator, a few
thousand communities). Their self-checks are first evaluated in this process, without any worker: the
reference. Then the run is started as a user starts it (`start_run`, through Redis) twice:

1. "pool process killed": a prefork worker; once 30 % of the communities are done, the pool process
   evaluating a chunk is SIGKILLed (as the out-of-memory killer would). Celery sees the worker lost
   and, with `task_reject_on_worker_lost`, puts the chunk back at once.
2. "whole worker killed": a solo worker is SIGKILLed with its process group (a lost machine), and a new
   worker is started. Redis hands the unacknowledged chunk out again after the visibility timeout, which
   the drill shortens to `--visibility` seconds (CELERY_VISIBILITY_TIMEOUT; production: longer than any
   task may run, see config/settings.py).

Each run must end `done` with done == total, every chunk reported once, the counts counted once, one
self-check per community and year, every result equal to the reference, and at the kill no
half-written chunk (self-checks written == communities reported done, read in one statement).

Needs PostgreSQL and Redis (127.0.0.1; Redis database 12 is the drills', flushed).
Usage: `make drill-worker-killed` or `python -m drills.worker_killed [--communities N] [--visibility S]
[--kill-at F] [--keep]`.
"""

import argparse
import json
import os
import re
import shutil
import signal
import tempfile
import time
from datetime import date
from pathlib import Path

from .common import (
    DEFAULT_PG,
    DEFAULT_REDIS,
    BenchError,
    Checks,
    _with_path,
    check_redis,
    create_database,
    drop_database,
    machine,
    pg_connect,
    run_main,
    verdict,
)

RESULT_FIELDS = ("edition_id", "status", "score", "level", "proposed_level", "failed", "results")
CHUNK_TASK = re.compile(r"Task assessments\.tasks\.evaluate_chunk\[([0-9a-f-]+)\] (received|succeeded)")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=3000, help="size of the city (3,000)")
    parser.add_argument("--year", type=int, default=date.today().year - 1, help="the self-check year (last)")
    parser.add_argument("--kill-at", type=float, default=0.3, help="share done when the kill comes (0.3)")
    parser.add_argument(
        "--visibility", type=int, default=20, help="Redis visibility timeout for the drill, seconds (20)"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for one run (300)")
    parser.add_argument("--db", default="drill_worker_killed", help="the throwaway database")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL ({DEFAULT_PG})")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help=f"Redis URL, flushed ({DEFAULT_REDIS})")
    parser.add_argument("--keep", action="store_true", help="keep the database (a later run reuses the city)")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    if not 0 < args.kill_at < 0.9:
        parser.error("--kill-at must be between 0 and 0.9")
    return args


# ---- the worker -------------------------------------------------------------------------------------


def make_worker(env: dict, pool: str, log_path: Path):
    """The benchmark's worker (one process, solo pool), or the same with a one-process prefork pool."""
    from benchmarks.harness import Worker

    worker = Worker(env, query_log="")
    worker.command = [f"--pool={pool}" if part == "--pool=solo" else part for part in worker.command]
    worker.log_path = log_path
    return worker


def pool_processes(pid: int) -> list[int]:
    """The processes whose parent is `pid`: a prefork worker's pool."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the fields after it are fixed.
        if int(text.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def chunk_tasks(*logs: Path) -> tuple[list[str], set[str]]:
    """Chunk task ids received (in order, a redelivered one again) and those that succeeded."""
    received, succeeded = [], set()
    for log in logs:
        for task_id, event in CHUNK_TASK.findall(log.read_text(encoding="utf-8", errors="replace")):
            if event == "received":
                received.append(task_id)
            else:
                succeeded.add(task_id)
    return received, succeeded


# ---- the data -------------------------------------------------------------------------------------


def results(city: dict, year: int) -> dict[int, tuple]:
    from assessments.models import SelfCheck

    rows = SelfCheck.objects.filter(community__unit__tenant=city["tenant"], year=year)
    return {row[0]: row[1:] for row in rows.values_list("community_id", *RESULT_FIELDS)}


def reference(city: dict, year: int) -> tuple[dict, float]:
    """Every community evaluated in this process, chunk by chunk as the worker would: no Celery."""
    from assessments import runs
    from benchmarks.harness import clean_previous
    from communities.models import Community

    clean_previous(city)
    ids = list(
        Community.objects.filter(unit__tenant=city["tenant"]).order_by("pk").values_list("pk", flat=True)
    )
    started = time.perf_counter()
    for part in runs.chunks(ids, runs.chunk_size()):
        runs.evaluate_communities(part, year)
    return results(city, year), time.perf_counter() - started


def at_the_kill(job_id: int, city: dict, year: int) -> tuple[int, int, list]:
    """(self-checks written, communities reported done, chunks reported), read in one statement so in
    one snapshot even while a worker goes on."""
    from django.db import connection

    from assessments.models import SelfCheck
    from communities.models import Community
    from core.models import Job, Unit

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT (SELECT count(*) FROM {SelfCheck._meta.db_table} s
                         JOIN {Community._meta.db_table} c ON c.id = s.community_id
                         JOIN {Unit._meta.db_table} u ON u.id = c.unit_id
                        WHERE u.tenant_id = %s AND s.year = %s),
                       j.done, j.summary
                  FROM {Job._meta.db_table} j WHERE j.id = %s""",
            [city["tenant"].pk, year, job_id],
        )
        written, done, summary = cursor.fetchone()
    if isinstance(summary, str):  # jsonb comes back as text on Django's connection
        summary = json.loads(summary)
    return written, done, summary.get("chunks_reported", [])


# ---- one run with a kill ---------------------------------------------------------------------------


def run_with_kill(name: str, pool: str, city: dict, year: int, env: dict, logs: Path, args) -> dict:
    from benchmarks.harness import clean_previous
    from config.celery import app
    from core.models import Job

    clean_previous(city)
    worker = make_worker(env, pool, logs / f"{pool}-first.log")
    worker.start(app)
    worker_logs = [worker.log_path]
    started = time.perf_counter()
    try:
        from assessments.runs import start_run

        job = start_run(city["officer"], year, city["officer"].unit)
        while True:
            row = Job.objects.filter(pk=job.pk).values("state", "done", "total", "summary").get()
            if row["state"] in (Job.State.DONE, Job.State.FAILED):
                raise BenchError(f"{name}: the run ended before the kill; use more --communities")
            if row["total"] and row["done"] >= args.kill_at * row["total"]:
                break
            if time.perf_counter() - started > args.timeout:
                raise BenchError(f"{name}: no progress to {args.kill_at:.0%} in {args.timeout:.0f} s")
            time.sleep(0.05)
        # Into the middle of a chunk: wait about half as long as one chunk has taken so far.
        reported = len(row["summary"].get("chunks_reported", [])) or 1
        time.sleep(0.5 * (time.perf_counter() - started) / reported)
        if pool == "prefork":
            victims = pool_processes(worker.process.pid)
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
            what = f"pool process{'es' if len(victims) > 1 else ''} {', '.join(map(str, victims))}"
        else:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait()
            what = f"worker {worker.process.pid} and its process group"
        killed = time.perf_counter()
        written, done, chunks_then = at_the_kill(job.pk, city, year)
        received, succeeded = chunk_tasks(*worker_logs)
        in_flight = [task for task in dict.fromkeys(received) if task not in succeeded]
        total = row["total"]
        print(
            f"  {name}: SIGKILL to {what} at {done:,}/{total:,} communities ({done / total:.0%}), "
            f"{killed - started:.1f} s after the start",
            flush=True,
        )
        restart = None
        if pool == "solo":
            worker.stop()
            worker = make_worker(env, pool, logs / f"{pool}-second.log")
            began = time.perf_counter()
            worker.start(app)
            worker_logs.append(worker.log_path)
            restart = time.perf_counter() - began
            print(f"  {name}: a new worker answered after {restart:.1f} s", flush=True)
        while True:
            state = Job.objects.values_list("state", flat=True).get(pk=job.pk)
            if state in (Job.State.DONE, Job.State.FAILED):
                break
            if time.perf_counter() - killed > args.timeout:
                break
            if not worker.alive():
                raise BenchError(f"{name}: the worker died:\n{worker.tail()}")
            time.sleep(0.1)
        finished = time.perf_counter()
        time.sleep(0.2)  # the worker's last log lines
        text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in worker_logs)
        received, succeeded = chunk_tasks(*worker_logs)
        job.refresh_from_db()
        run = {
            "name": name,
            "pool": pool,
            "job": job,
            "kill_done": done,
            "kill_written": written,
            "kill_chunks": chunks_then,
            "in_flight": in_flight,
            "redelivered": [task for task in in_flight if received.count(task) >= 2 and task in succeeded],
            "worker_lost": "WorkerLostError" in text,
            "restart": restart,
            "recovery": finished - killed,
            "wall": finished - started,
            "results": results(city, year),
        }
    finally:
        worker.stop()
    return run


def check_run(run: dict, expected: dict, n: int, checks: Checks) -> None:
    job, label = run["job"], run["name"]
    summary = job.summary or {}
    chunks = summary.get("chunks", 0)
    counts = summary.get("counts", {})
    checks.add(
        f"{label}: a chunk was being evaluated when killed",
        len(run["in_flight"]) == 1,
        f"{len(run['in_flight'])} chunk task received and not finished",
    )
    if run["pool"] == "prefork":
        checks.add(
            f"{label}: Celery saw the pool process lost",
            run["worker_lost"],
            "WorkerLostError in the worker log" if run["worker_lost"] else "no WorkerLostError logged",
        )
    checks.add(
        f"{label}: nothing half-written at the kill",
        run["kill_written"] == run["kill_done"],
        f"{run['kill_written']:,} self-checks written = {run['kill_done']:,} communities reported "
        f"(chunks {run['kill_chunks']})",
    )
    checks.add(
        f"{label}: the lost chunk was delivered again and ran",
        run["in_flight"] and run["redelivered"] == run["in_flight"],
        f"{len(run['redelivered'])} redelivered; job ended {run['recovery']:.1f} s after the kill",
    )
    checks.add(
        f"{label}: job done without errors",
        job.state == "done" and not job.errors,
        f"{job.state} {job.errors[:2]}",
    )
    checks.add(
        f"{label}: done == total == communities", job.done == job.total == n, f"{job.done:,}/{job.total:,}"
    )
    checks.add(
        f"{label}: every chunk reported exactly once",
        summary.get("chunks_reported") == list(range(1, chunks + 1)),
        f"{len(summary.get('chunks_reported', []))} reports for {chunks} chunks",
    )
    checks.add(
        f"{label}: counts counted once",
        counts.get("created") == counts.get("evaluated") == n,
        f"created {counts.get('created')}, evaluated {counts.get('evaluated')}",
    )
    found = run["results"]
    checks.add(
        f"{label}: one self-check per community and year", len(found) == n, f"{len(found):,} self-checks"
    )
    differing = [pk for pk in expected if found.get(pk) != expected[pk]]
    checks.add(
        f"{label}: results equal to the reference",
        not differing and found.keys() == expected.keys(),
        f"{len(differing)} communities differ" + (f" (e.g. {differing[:3]})" if differing else ""),
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    pg_connect(args.pg).close()
    check_redis(args.redis)
    created = create_database(args.pg, args.db)
    os.environ["DATABASE_URL"] = _with_path(args.pg, args.db)
    os.environ["REDIS_URL"] = args.redis
    os.environ.pop("CACHE_URL", None)
    os.environ["CELERY_VISIBILITY_TIMEOUT"] = str(args.visibility)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from benchmarks.harness import ensure_city

    try:
        print("== drill: the Celery worker killed in the middle of a self-check run ==")
        print(machine())
        print(f"database {args.db}: {'created' if created else 'reused'}; Redis {args.redis} (flushed)")
        call_command("migrate", verbosity=0, interactive=False)
        redis.Redis.from_url(args.redis).flushdb()
        started = time.perf_counter()
        city = ensure_city(args.communities, args.year, args.seed, False, min(2, os.cpu_count() or 1))
        print(
            f"city: {args.communities:,} communities "
            + ("reused" if city["reused"] else f"generated in {time.perf_counter() - started:.1f} s")
            + f"; chunks of {settings.SELF_CHECK_CHUNK_SIZE}; visibility timeout {args.visibility} s"
        )
        expected, seconds = reference(city, args.year)
        print(f"reference: {len(expected):,} self-checks evaluated in this process in {seconds:.1f} s")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        logs = Path(tempfile.mkdtemp(prefix="drill_worker_killed_"))
        runs = []
        for name, pool in (("pool process killed", "prefork"), ("whole worker killed", "solo")):
            print(f"\n{name} ({pool} worker):", flush=True)
            runs.append(run_with_kill(name, pool, city, args.year, env, logs, args))
        checks = Checks()
        for run in runs:
            check_run(run, expected, args.communities, checks)
        print(
            f"\n{'run':<22} {'killed at':>10} {'recovered':>10} {'total s':>8} {'state':>6} {'done/total':>13}"
        )
        for run in runs:
            job = run["job"]
            print(
                f"{run['name']:<22} {run['kill_done'] / job.total:>10.0%} {run['recovery']:>9.1f}s "
                f"{run['wall']:>8.1f} {job.state:>6} {f'{job.done:,}/{job.total:,}':>13}"
            )
        checks.print()
        if checks.passed:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"worker logs kept in {logs}")
        return verdict("worker-killed", checks)
    finally:
        connections.close_all()
        if args.keep:
            print(f"database {args.db} kept (--keep): a later run reuses its city")
        else:
            drop_database(args.pg, args.db)


if __name__ == "__main__":
    run_main(main)
