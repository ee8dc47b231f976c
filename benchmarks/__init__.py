"""Benchmarks against real services (`make bench-*`, `make load`)."""

import os

# Run against the embedded development settings unless a benchmark sets its own (the load test serves
# with debug off and a secret key of its own).
os.environ.setdefault("DJANGO_DEBUG", "true")
