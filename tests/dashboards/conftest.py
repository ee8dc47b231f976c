"""Fixtures shared by the dashboards tests."""

from .programme import programme  # noqa: F401  (registers the fixture for every module here)
