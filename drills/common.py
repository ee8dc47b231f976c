"""What the drills share: the services (from the benchmarks' harness), a machine line, checks and the verdict."""

import os
import platform
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import (  # noqa: F401 (re-exported for the drills)
    DEFAULT_PG,
    BenchError,
    _with_path,
    check_redis,
    create_database,
    database_exists,
    drop_database,
    pg_connect,
    run_main,
)

ROOT = Path(__file__).resolve().parent.parent
# The drills' own Redis database (the benchmark flushes 13, CI uses 14 and 15); flushed by the drills.
DEFAULT_REDIS = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/12")
PYTHON = sys.executable


def machine() -> str:
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"machine: {platform.machine()}, {os.cpu_count()} cores{load}"


def free_port() -> int:
    """A local port nothing listens on now (the system hands out a free one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Checks:
    """Named checks with what was found; the drill passes when every one holds."""

    items: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, found="") -> bool:
        self.items.append((name, bool(ok), str(found).strip()))
        return bool(ok)

    @property
    def passed(self) -> bool:
        return bool(self.items) and all(ok for _, ok, _ in self.items)

    def print(self, title: str = "checks") -> None:
        print(f"\n{title}:")
        width = max(len(name) for name, _, _ in self.items)
        for name, ok, found in self.items:
            print(f"  [{'PASS' if ok else 'FAIL'}] {name:<{width}}  {found}")


def verdict(drill: str, checks: Checks) -> int:
    """The last line `make drills` reads: RESULT <drill> PASS|FAIL (n/m checks)."""
    good = sum(ok for _, ok, _ in checks.items)
    print(f"\nRESULT {drill} {'PASS' if checks.passed else 'FAIL'} ({good}/{len(checks.items)} checks)")
    return 0 if checks.passed else 1
