"""The settings the test suite runs with: the embedded development settings (debug on at import, so no
HTTPS redirect or Secure cookies; pytest-django still runs the tests with DEBUG off). Subprocesses that
tests start inherit the same environment.

With a real broker (REDIS_URL set, as in CI's second pass) and pytest-xdist, each xdist process `gwN` has
its own test database (pytest-django names it `test_<name>_gwN`), so it also needs its own Celery worker:
its tasks go to the queue `tests-gwN` (`CELERY_QUEUE`), its files to `$PORTAL_VAR_DIR/gwN` and its cache
to Redis database `CACHE_URL`'s number minus N (the suite clears the cache around every test, which must
not wipe the other process's entries). `.ci/run` starts one worker per process with the same values."""

import os
import re

os.environ.setdefault("DJANGO_DEBUG", "true")

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# Subprocesses that tests start inherit the adjusted environment: adjust it once only.
if XDIST_WORKER and os.environ.get("REDIS_URL") and os.environ.get("PORTAL_TEST_WORKER") != XDIST_WORKER:
    os.environ["PORTAL_TEST_WORKER"] = XDIST_WORKER
    os.environ["CELERY_QUEUE"] = f"tests-{XDIST_WORKER}"
    _index = int(XDIST_WORKER.removeprefix("gw"))
    if os.environ.get("PORTAL_VAR_DIR"):
        os.environ["PORTAL_VAR_DIR"] = os.path.join(os.environ["PORTAL_VAR_DIR"], XDIST_WORKER)
        os.makedirs(os.environ["PORTAL_VAR_DIR"], exist_ok=True)
    if os.environ.get("CACHE_URL"):
        os.environ["CACHE_URL"] = re.sub(
            r"/(\d+)$", lambda match: f"/{int(match.group(1)) - _index}", os.environ["CACHE_URL"]
        )

from config.settings import *  # noqa: E402, F403

# A second connection to the test database under the replica's alias, so that the router's tests
# (tests/core/test_replica.py) can install it and see which connection a read goes through. No router
# is installed here: the suite runs as a deployment without a replica does.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
