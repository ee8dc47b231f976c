"""The production set-up: docker-compose.yml is valid, and settings pass `check --deploy` with the
environment the containers get. Each check runs in a subprocess with a clean DJANGO_* environment,
so neither the test settings nor a developer's shell leak into it."""

import os
import secrets
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
SERVICES = {"web", "worker", "beat", "db", "redis"}
DOCKER_COMPOSE = shutil.which("docker-compose")

needs_docker_compose = pytest.mark.skipif(
    DOCKER_COMPOSE is None,
    reason="the docker-compose binary is not installed (`make test` installs it through `make system-deps`)",
)


def _clean_env(**overrides) -> dict:
    # No DJANGO_* variable from the caller (manage.py sets DJANGO_SETTINGS_MODULE itself).
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(overrides)
    return env


def _random_secret_key(length: int = 50) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _run(args, env, cwd=REPO, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def _compose(tmp_path, *args, **env_overrides) -> subprocess.CompletedProcess:
    # An empty --env-file: a developer's .env must not decide whether the file is valid.
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = _clean_env(**env_overrides)
    for name in ("POSTGRES_PASSWORD", "WEB_CONCURRENCY", "PORTAL_PORT", "LOG_LEVEL"):
        env.pop(name, None)
    return _run([DOCKER_COMPOSE, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args], env)


def _manage(*args, **env_overrides) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], _clean_env(**env_overrides))


# --- docker-compose.yml ---------------------------------------------------------------------------


@needs_docker_compose
def test_compose_file_is_valid_and_defines_the_five_services(tmp_path):
    quiet = _compose(tmp_path, "config", "-q", DJANGO_SECRET_KEY="dummy-secret-for-config-check")
    assert quiet.returncode == 0, quiet.stderr

    resolved = _compose(tmp_path, "config", DJANGO_SECRET_KEY="dummy-secret-for-config-check")
    assert resolved.returncode == 0, resolved.stderr
    try:
        import yaml
    except ImportError:  # PyYAML comes with drf-spectacular, so this is only a fallback
        for service in SERVICES:
            assert f"\n  {service}:\n" in resolved.stdout, service
        return

    config = yaml.safe_load(resolved.stdout)
    services = config["services"]
    assert set(services) == SERVICES

    web_command = " ".join(services["web"]["command"])
    assert "migrate" in web_command and "collectstatic" in web_command
    assert "gunicorn -c config/gunicorn.conf.py config.wsgi" in web_command and "0.0.0.0:8000" in web_command
    assert any(str(port.get("target", port)).startswith("8000") for port in services["web"]["ports"])
    assert " ".join(services["worker"]["command"]).startswith("celery -A config worker")
    beat_command = " ".join(services["beat"]["command"])
    assert "beat" in beat_command and "django_celery_beat.schedulers:DatabaseScheduler" in beat_command
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")

    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_DEBUG"] == "false"
        assert env["DJANGO_SECRET_KEY"] == "dummy-secret-for-config-check"
        assert env["DJANGO_ALLOWED_HOSTS"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        # The worker writes exports where web serves them from: one shared volume at PORTAL_VAR_DIR.
        var_dir = env["PORTAL_VAR_DIR"]
        assert any(volume.split(":")[1] == var_dir for volume in services[name]["volumes"]), services[name]
    assert any(volume.split(":")[1] == "/var/lib/postgresql/data" for volume in services["db"]["volumes"])
    assert {"pgdata"} <= set(config["volumes"])


@needs_docker_compose
def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    result = _compose(tmp_path, "config", "-q")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- settings for production ----------------------------------------------------------------------


def test_check_deploy_passes_with_production_environment():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=_random_secret_key(),
        DJANGO_ALLOWED_HOSTS="portal.example.cn",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_settings_refuse_to_load_without_secret_key_when_debug_is_off():
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr, result.stderr


def test_settings_refuse_the_development_key_when_debug_is_off():
    from config.settings import _DEV_KEY

    result = _manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=_DEV_KEY)
    assert result.returncode != 0
    assert "not the development key" in result.stderr, result.stderr


def test_check_deploy_flags_the_development_key():
    # With debug on and no key set (the development key), `check --deploy` names the key as insecure.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


# --- debug: off unless asked for ------------------------------------------------------------------


def _settings_value(name: str, **env_overrides) -> subprocess.CompletedProcess:
    code = f"import config.settings as s; print(s.{name})"
    return _run([sys.executable, "-c", code], _clean_env(**env_overrides))


def test_debug_is_off_with_nothing_set():
    result = _settings_value("DEBUG", DJANGO_SECRET_KEY=_random_secret_key())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert (
        _settings_value("SECURE_SSL_REDIRECT", DJANGO_SECRET_KEY=_random_secret_key()).stdout.strip()
        == "True"
    )


def test_nothing_set_refuses_to_load_and_says_how_to_run_locally():
    result = _settings_value("DEBUG")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "DJANGO_DEBUG=true" in result.stderr, result.stderr


def test_debug_is_on_only_when_asked_for():
    assert _settings_value("DEBUG", DJANGO_DEBUG="true").stdout.strip() == "True"


def test_make_demo_runs_every_command_with_debug_on():
    result = _run(["make", "-n", "demo"], _clean_env())
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert [command.split("manage.py")[1].split()[0] for command in commands] == [
        "migrate",
        "seed_demo",
        "runserver",
    ]
    assert all(command.startswith("DJANGO_DEBUG=true ") for command in commands), commands


def test_make_demo_checks_the_certificate_font_first():
    """The certificate needs Debian's CJK font: `make demo` installs or checks it (the same recipe as
    `make test`'s system-deps) before it migrates, and says where it stands."""
    result = _run(["make", "-n", "demo"], _clean_env())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    font = next(i for i, line in enumerate(lines) if "dpkg -s" in line and "fonts-noto-cjk" in line)
    migrate = next(i for i, line in enumerate(lines) if "manage.py migrate" in line)
    assert font < migrate
    assert "apt-get install" in lines[font] and any("中文字体" in line for line in lines[font:migrate])
    assert "fonts-noto-cjk" in _run(["make", "-n", "system-deps"], _clean_env()).stdout


@pytest.mark.first_pass
def test_the_demo_starts_quietly_and_ends_with_the_password(tmp_path):
    """No kombu hostname warning and no "Task … succeeded" line from the tasks seed_demo runs in
    process; the last line names the users and the password."""
    env = _clean_env(DJANGO_DEBUG="true", PORTAL_VAR_DIR=str(tmp_path), DEMO_PASSWORD="pass-for-this-test")
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_TASK_ALWAYS_EAGER", "LOG_LEVEL"):
        env.pop(name, None)
    migrate = _run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env, timeout=600
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    assert migrate.stdout.strip() == ""
    seed = _run([sys.executable, "manage.py", "seed_demo"], env, timeout=600)
    assert seed.returncode == 0, seed.stderr[-3000:]
    output = (seed.stdout + seed.stderr).strip().splitlines()
    assert not [line for line in output if "hostname" in line or line.startswith("Task ")], output
    assert len(output) == 2 and output[-1].endswith("密码:pass-for-this-test"), output
    assert "town_clerk" in output[-1]


@pytest.mark.first_pass
def test_the_demo_server_serves_static_files(tmp_path):
    """`make demo`'s runserver, with its environment, serves the stylesheet and scripts itself."""
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = _clean_env(DJANGO_DEBUG="true", PORTAL_VAR_DIR=str(tmp_path))
    # The demo's own embedded setup: none of the services a CI pass may point the tests at.
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/static/portal.css", timeout=5
                ) as answer:
                    assert answer.status == 200
                    assert answer.headers["Content-Type"].startswith("text/css")
                    assert answer.read() == (REPO / "static" / "portal.css").read_bytes()
                    break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None and time.monotonic() < deadline, "the demo server did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.first_pass
def test_collectstatic_works_with_production_storage(tmp_path):
    # The web container runs this on every start; with DEBUG off the manifest storage fails on any
    # CSS/JS reference to a file that is not there (e.g. a vendored library's missing source map).
    result = _manage(
        "collectstatic",
        "--noinput",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=_random_secret_key(),
        DJANGO_ALLOWED_HOSTS="portal.example.cn",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()


def test_gunicorn_workers_freeze_the_loaded_app_out_of_full_collections():
    """Every way the app is served passes config/gunicorn.conf.py, whose hook freezes what the worker
    has loaded, so the collector's full passes walk only what requests leave behind."""
    import gc
    import runpy

    hooks = runpy.run_path(str(REPO / "config" / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert '"-c", "config/gunicorn.conf.py"' in (REPO / "Dockerfile").read_text()
    for path in ("benchmarks/load_20k.py", "fuzz/run.py"):
        assert '"--config=config/gunicorn.conf.py"' in (REPO / path).read_text(), path
