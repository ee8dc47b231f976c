"""The settings the test suite runs with: the embedded development settings (debug on at import, so no
HTTPS redirect or Secure cookies; pytest-django still runs the tests with DEBUG off). Subprocesses that
tests start inherit the same environment."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: E402, F403
