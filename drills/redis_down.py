"""Drill: the portal's Redis (cache and Celery broker) stops while the portal runs, then comes back.

The drill starts a Redis server of its own on a spare port (the shared one on 6379 is never touched), a
throwaway PostgreSQL database (`drill_redis_down`) with the demo in it, the portal under gunicorn and a
Celery worker, all pointed at that Redis. Then, over HTTP as a browser and an API client would:

1. Redis up: pages answer; an export started through the API is done by the worker.
2. Redis stopped (the drill's own server is shut down): logging in, pages and the API (cached figures,
   throttles) still answer 200; starting a job — export and self-check run, from a page and through the
   API — is refused with the Chinese message (page) or 503 {"detail"} (API), and every job so refused
   is `failed` with that message: none is left `queued`.
3. Redis started again on the same port: a new export is accepted and done by the same worker.

Needs PostgreSQL (127.0.0.1) and the redis-server program.
Usage: `make drill-redis-down` or `python -m drills.redis_down [--keep]`.
"""

import argparse
import http.cookiejar
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .common import (
    DEFAULT_PG,
    PYTHON,
    ROOT,
    BenchError,
    Checks,
    _with_path,
    create_database,
    drop_database,
    free_port,
    machine,
    pg_connect,
    run_main,
    verdict,
)

PAGES = ["/", "/communities/", "/self-checks/", "/stats/", "/designations/", "/inbox/"]
API_READS = ["/api/v1/communities/", "/api/v1/self-checks/", "/api/v1/stats/overview/"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="drill_redis_down", help="the throwaway database")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL ({DEFAULT_PG})")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    return parser.parse_args(argv)


# ---- processes the drill owns ---------------------------------------------------------------------


class Process:
    """A server the drill starts and stops itself, by its own pid; output to a log file."""

    def __init__(self, name: str, command: list[str], env: dict, logs: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = logs / f"{name}.log"
        self.process = None

    def start(self) -> None:
        log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 (the child holds it)
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(
                self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return "(no log)"


def wait_for(what: str, test, process: Process, timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not process.alive():
            raise BenchError(f"{process.name} exited:\n{process.tail()}")
        if test():
            return time.monotonic() - started
        time.sleep(0.2)
    raise BenchError(f"{what} did not come within {timeout:.0f} s:\n{process.tail()}")


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


# ---- a browser and an API client ------------------------------------------------------------------


class Browser:
    """Cookies, CSRF and redirects as a browser does them; answers (status, body, seconds)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == "csrftoken"), "")

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text, final = response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as exc:
            status, text, final = exc.code, exc.read().decode(errors="replace"), exc.url
        return status, text, time.monotonic() - started, final

    def login(self, username: str, password: str):
        self.request("/login/")
        return self.request("/login/", {"username": username, "password": password})


class Api:
    def __init__(self, base: str, token: str = ""):
        self.base, self.token = base, token

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
        try:
            payload = json.loads(text)
        except ValueError:
            payload = text[:200]
        return status, payload, time.monotonic() - started


# ---- the phases -----------------------------------------------------------------------------------


def reads(browser: Browser, api: Api, checks: Checks, phase: str) -> None:
    for path in PAGES:
        status, _, seconds, final = browser.request(path)
        checks.add(
            f"{phase}: page {path} answers 200",
            status == 200 and "/login/" not in final,
            f"{status} in {seconds:.2f} s",
        )
    for path in API_READS:
        status, _, seconds = api.request("GET", path)
        checks.add(f"{phase}: API GET {path} answers 200", status == 200, f"{status} in {seconds:.2f} s")


def export_done(api: Api, checks: Checks, phase: str, timeout: float = 90) -> None:
    status, payload, seconds = api.request("POST", "/api/v1/communities/export/")
    if not checks.add(
        f"{phase}: API export accepted", status == 202, f"{status} {payload} in {seconds:.2f} s"
    ):
        return
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        _, job, _ = api.request("GET", f"/api/v1/jobs/{payload['job']}/")
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    checks.add(
        f"{phase}: the worker did the export",
        job["state"] == "done",
        f"job {payload['job']} {job['state']} {time.monotonic() - started:.1f} s after it was accepted",
    )


def refusals(browser: Browser, api: Api, officer, checks: Checks, message: str) -> None:
    from django.utils import timezone

    status, text, seconds, final = browser.request(
        "/exports/communities/", {}, headers={"Referer": browser.base + "/communities/"}
    )
    checks.add(
        "Redis down: page export refused with the message",
        status == 200 and final.endswith("/communities/") and message in text,
        f"{status}, back on {urllib.parse.urlsplit(final).path}, message {'shown' if message in text else 'missing'}, {seconds:.2f} s",
    )
    status, text, seconds, _ = browser.request(
        "/self-checks/run/", {"year": timezone.localdate().year, "unit": officer.unit_id}
    )
    checks.add(
        "Redis down: page self-check run refused with the message",
        status == 200 and message in text,
        f"{status}, message {'shown' if message in text else 'missing'}, {seconds:.2f} s",
    )
    status, payload, seconds = api.request("POST", "/api/v1/communities/export/")
    checks.add(
        "Redis down: API export is 503 {detail}",
        status == 503 and payload == {"detail": message},
        f"{status} {payload} in {seconds:.2f} s",
    )
    status, payload, seconds = api.request(
        "POST", "/api/v1/self-checks/run/", {"year": timezone.localdate().year}
    )
    checks.add(
        "Redis down: API self-check run is 503 {detail}",
        status == 503 and payload == {"detail": message},
        f"{status} {payload} in {seconds:.2f} s",
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("redis-server"):
        raise BenchError("redis-server is not installed (apt-get install redis-server).")
    pg_connect(args.pg).close()
    drop_database(args.pg, args.db)
    create_database(args.pg, args.db)
    logs = Path(tempfile.mkdtemp(prefix="drill_redis_down_"))
    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    base = f"http://127.0.0.1:{web_port}"
    env = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=_with_path(args.pg, args.db),
        PORTAL_VAR_DIR=str(logs / "var"),
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.update(env, REDIS_URL=redis_url)
    os.environ.pop("CACHE_URL", None)
    redis_server = Process(
        "redis",
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        env,
        logs,
    )
    bin_dir = Path(PYTHON).parent
    web = Process(
        "gunicorn",
        [
            str(bin_dir / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{web_port}",
            "-w",
            "1",
            "--timeout",
            "90",
        ],
        {**env, "REDIS_URL": redis_url},
        logs,
    )
    worker = Process(
        "worker",
        [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-n",
            "drill-redis-down@%h",
        ],
        {**env, "REDIS_URL": redis_url},
        logs,
    )
    checks = Checks()
    try:
        print("== drill: Redis down under the running portal ==")
        print(machine())
        started = time.monotonic()
        # The demo is seeded without Redis (tasks in-process), as `make demo` does.
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run(
                [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        print(f"database {args.db}: demo seeded in {time.monotonic() - started:.1f} s")
        import django

        django.setup()
        from core.exceptions import JobsUnavailable
        from core.models import Job, User

        officer = User.objects.get(username="city_officer")
        password = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")

        redis_server.start()
        wait_for("the drill's Redis", lambda: redis_answers(redis_url), redis_server)
        web.start()
        worker.start()
        wait_for("gunicorn", lambda: _answers(base + "/login/"), web)
        wait_for("the worker", lambda: "ready." in worker.tail(200), worker)
        print(f"redis-server on port {redis_port}, gunicorn on {web_port}, one Celery worker: up")

        # 1. Redis up
        browser = Browser(base)
        status, _, seconds, final = browser.login("city_officer", password)
        checks.add(
            "Redis up: login", status == 200 and "/login/" not in final, f"{status} in {seconds:.2f} s"
        )
        _, token, _ = Api(base).request(
            "POST", "/api/v1/auth/token/", {"username": "city_officer", "password": password}
        )
        api = Api(base, token.get("token", "") if isinstance(token, dict) else "")
        reads(browser, api, checks, "Redis up")
        export_done(api, checks, "Redis up")

        # 2. Redis down
        redis_server.stop()
        checks.add("Redis down: the drill's Redis no longer answers", not redis_answers(redis_url), redis_url)
        outage = time.monotonic()
        newest = Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        browser = Browser(base)
        status, _, seconds, final = browser.login("city_officer", password)
        checks.add(
            "Redis down: login (session in the database)",
            status == 200 and "/login/" not in final,
            f"{status} in {seconds:.2f} s",
        )
        reads(browser, api, checks, "Redis down")
        refusals(browser, api, officer, checks, JobsUnavailable.message)
        attempts = list(Job.objects.filter(pk__gt=newest).values_list("kind", "state", "errors"))
        checks.add(
            "Redis down: every refused job is failed with the reason, none queued",
            len(attempts) == 4
            and all(
                state == "failed" and errors == [JobsUnavailable.message] for _, state, errors in attempts
            ),
            f"{len(attempts)} jobs: " + ", ".join(f"{kind} {state}" for kind, state, _ in attempts),
        )
        print(f"outage checks took {time.monotonic() - outage:.1f} s")

        # 3. Redis back
        redis_server.start()
        wait_for("the drill's Redis, again", lambda: redis_answers(redis_url), redis_server)
        reads(browser, api, checks, "Redis back")
        export_done(api, checks, "Redis back")
        checks.add(
            "Redis back: the worker lived through the outage", worker.alive(), f"pid {worker.process.pid}"
        )

        checks.print()
        return verdict("redis-down", checks)
    finally:
        for process in (web, worker, redis_server):
            process.stop()
        from django.db import connections

        connections.close_all()
        if args.keep or not checks.passed:
            print(f"logs kept in {logs}")
        else:
            shutil.rmtree(logs, ignore_errors=True)
        if args.keep:
            print(f"database {args.db} kept (--keep)")
        else:
            drop_database(args.pg, args.db)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    run_main(main)
