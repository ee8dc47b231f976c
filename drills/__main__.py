"""`python -m drills` (`make drills`): every drill in turn, each in its own process, then a summary."""

import subprocess
import sys
import time

from .common import PYTHON, ROOT, machine

DRILLS = [
    ("worker-killed", "drills.worker_killed", "Celery worker SIGKILLed mid self-check run"),
    ("redis-down", "drills.redis_down", "Redis stopped under the running portal"),
    ("backup", "drills.backup_restore", "backup, restore, compare (PostgreSQL and SQLite)"),
]


def main() -> int:
    results = []
    for name, module, what in DRILLS:
        print(f"\n######## {name}: {what} ########", flush=True)
        started = time.monotonic()
        verdict = "ERROR"
        with subprocess.Popen(
            [PYTHON, "-m", module], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process:
            for line in process.stdout:
                print(line, end="", flush=True)
                if line.startswith(f"RESULT {name} "):
                    verdict = line.split(maxsplit=2)[2].strip()
        if process.returncode and verdict.startswith("PASS"):
            verdict = f"ERROR (exit {process.returncode})"
        results.append((name, what, verdict, time.monotonic() - started))
    print("\n======== failure drills ========")
    print(machine())
    print(f"{'drill':<14} {'what':<50} {'seconds':>7}  result")
    for name, what, verdict, seconds in results:
        print(f"{name:<14} {what:<50} {seconds:>7.0f}  {verdict}")
    passed = all(verdict.startswith("PASS") for _, _, verdict, _ in results)
    print(f"\n{'ALL DRILLS PASSED' if passed else 'SOME DRILLS FAILED'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
