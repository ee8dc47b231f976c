"""API fuzzing (docs/operations.md): schemathesis against the OpenAPI schema the portal serves, every operation,
once anonymously and once with each demo role's token.

A throwaway database (a SQLite file in a temporary directory, or a fresh PostgreSQL database next to
DATABASE_URL's when that is set) is migrated and seeded with `seed_demo`; gunicorn serves the app on a
free loopback port; then `schemathesis run` loads `/api/schema/` and checks every response: no 5xx,
every status code and content type declared, every body and header as the schema says. Writes and
workflow steps really happen, on the throwaway data only.

    python -m fuzz.run [--examples N] [--seed S] [--identities anonymous,api_reader] [--phases ...]
                       [--parallel N] [--keep] [-- extra schemathesis options]

`--parallel` identities (default 2) are fuzzed at once against the same server, each schemathesis
process writing to its own log, printed whole when it ends: the run takes about half as long on two
cores. Their writes interleave, so a failure is replayed from its curl line, not by rerunning the seed.

Exit status 1 when any identity's run failed; each failure is printed with a curl line to replay it,
and the server log's tracebacks are shown under it.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]
# Read-only callers first and the town clerk, who deletes communities the others can see, last.
IDENTITIES = [
    "anonymous",
    "api_reader",
    "town_clerk_other",
    "district_reviewer",
    "city_officer",
    "town_clerk",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=20, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=2026, help="schemathesis' random seed")
    parser.add_argument("--identities", default=",".join(IDENTITIES), help="comma-separated, in order")
    parser.add_argument(
        "--phases", default="examples,coverage,fuzzing,stateful", help="schemathesis phases to run"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (and database)")
    parser.add_argument(
        "--parallel",
        type=int,
        default=2,
        help="identities fuzzed at once (each its own schemathesis process)",
    )
    parser.add_argument("extra", nargs="*", help="passed to `schemathesis run` after --")
    args = parser.parse_args(argv)
    unknown = set(args.identities.split(",")) - set(IDENTITIES)
    if unknown:
        parser.error(f"unknown identities: {', '.join(sorted(unknown))}")
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_database(env: dict, keep: bool):
    """SQLite under the temporary PORTAL_VAR_DIR by default; with DATABASE_URL a database of its own
    beside it (`<name>_fuzz`), created empty and dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        yield "SQLite"
        return
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'portal'}_fuzz"
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()  # left by an interrupted run
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield f"PostgreSQL database {name}"
    finally:
        if not keep:
            drop()
        admin.close()


@contextmanager
def served(env: dict, log_path: Path):
    """gunicorn on a free loopback port until the block ends. Its request-line and header limits are
    lifted: they belong to whatever fronts the app, and every generated request should reach Django."""
    port = free_port()
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                BIN / "gunicorn",
                "--config=config/gunicorn.conf.py",
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--timeout=300",
                "--limit-request-line=0",
                "--limit-request-field_size=0",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited during start-up; see {log_path}")
            try:
                with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=30):
                    break
            # A read timeout too: the first schema request of a worker can take seconds on a busy machine.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise SystemExit(f"the app did not answer in 60 s; see {log_path}") from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def token_for(base: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def manage(env: dict, *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


# A log entry starts with gunicorn's "[date]" or Django's request line ("Forbidden: /api/v1/...").
ENTRY = re.compile(r"^(\[\d{4}-\d\d-\d\d|[A-Z][A-Za-z ]+: /)")


def server_errors(log_path: Path) -> str:
    """The 500s Django logged, each with its traceback, every distinct one once."""
    entries, current = [], []
    for line in log_path.read_text(errors="replace").splitlines():
        if ENTRY.match(line):
            entries.append(current)
            current = []
        current.append(line)
    entries.append(current)
    seen, shown = set(), []
    for entry in entries:
        if entry and entry[0].startswith("Internal Server Error") and entry[-1] not in seen:
            seen.add(entry[-1])
            shown.append("\n".join(entry))
    return "\n\n".join(shown)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="portal-fuzz-"))
    env = {
        key: value
        for key, value in os.environ.items()
        # No broker and a local cache: nothing is left on a shared service.
        if key not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")
    }
    env.update(
        PORTAL_VAR_DIR=str(workdir / "var"),
        # The embedded development settings over plain HTTP (no HTTPS redirect, the demo's users).
        DJANGO_DEBUG=env.get("DJANGO_DEBUG", "true"),
        # Throttles would answer most of a long run with 429 (declared, but it tests nothing else).
        API_THROTTLE_USER="1000000/minute",
        API_THROTTLE_TOKEN="1000000/minute",
        API_THROTTLE_VERIFY="1000000/minute",
        PYTHONUNBUFFERED="1",
        # 4xx answers are the point of the run; the log keeps the 500s' tracebacks.
        LOG_LEVEL="ERROR",
    )
    password = env.get("DEMO_PASSWORD", "demo-pass-2026")
    results = {}
    with ExitStack() as stack:
        database = stack.enter_context(throwaway_database(env, args.keep))
        print(f"fuzz: {database}, files in {workdir}", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        log_path = workdir / "server.log"
        # The server queues jobs (exports, imports, self-check runs) in memory and runs none: the run
        # checks the API's answers, and what a job does, in a worker when deployed, is the test suite's.
        # Run inside the request, each export of a demo list took seconds, and on a loaded machine more
        # than schemathesis' 10 s request timeout. seed_demo above still ran its work in-process.
        base = stack.enter_context(served({**env, "CELERY_TASK_ALWAYS_EAGER": "false"}, log_path))
        identities = args.identities.split(",")
        tokens = {name: token_for(base, name, password) for name in identities if name != "anonymous"}

        def fuzz(name: str) -> tuple[int, float]:
            command = [
                BIN / "schemathesis",
                "run",
                f"{base}/api/schema/?format=json",
                f"--checks={','.join(CHECKS)}",
                f"--phases={args.phases}",
                f"--max-examples={args.examples}",
                f"--seed={args.seed}",
                "--workers=1",
                "--generation-database=none",
                "--warnings=off",
                "--no-color",
                # A revoke could hit the identity's own token, and every later call would be a 401.
                "--exclude-operation-id=v1_auth_tokens_destroy",
            ]
            if name in tokens:
                command.append(f"--header=Authorization: Token {tokens[name]}")
            command += args.extra
            began = time.monotonic()
            log = workdir / f"fuzz-{name}.log"
            with log.open("w") as out:
                code = subprocess.run(
                    command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT
                ).returncode
            with printing:
                print(f"\n========== fuzz as {name} ==========\n{log.read_text()}", flush=True)
            return code, time.monotonic() - began

        printing = threading.Lock()
        with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
            results = dict(zip(identities, pool.map(fuzz, identities), strict=True))
        failed = [name for name, (code, _) in results.items() if code]
        if failed and (errors := server_errors(log_path)):
            print(f"\n========== server errors ({log_path}) ==========\n{errors}")
        if not (args.keep or failed):
            shutil.rmtree(workdir, ignore_errors=True)

    print("\n========== fuzz summary ==========")
    for name, (code, seconds) in results.items():
        print(f"{name:<18} {'ok' if code == 0 else f'FAILED (exit {code})':<16} {seconds:6.0f} s")
    print(
        f"examples {args.examples}, seed {args.seed}, phases {args.phases}; {time.monotonic() - started:.0f} s"
    )
    if failed:
        print(f"kept for inspection: {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
