"""Drill: back up the demo, restore it into a fresh database and directory, and compare everything.

For each engine (PostgreSQL when it answers, and SQLite), the demo is seeded into a throwaway database
with a data directory of its own (`migrate`, `seed_demo`, and an export job so that MEDIA_ROOT holds more
than the demo's minutes), then the very commands an operator runs are run:

1. `manage.py backup` with the source's settings;
2. `manage.py restore <backup>` with a second, empty database and directory;
3. `manage.py restore <backup>` again: it must refuse (the target now holds data) and change nothing;
4. `manage.py restore <backup> --force`: it must replace the data, setting the old files aside.

Source and restored are compared directly, not through the manifest: every table's row count and row
checksum (`core.backups.fingerprint`, read on both databases), and every file's sha256.

Usage: `make drill-backup` or `python -m drills.backup_restore [--engine postgresql|sqlite] [--keep]`.
"""

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .common import (
    DEFAULT_PG,
    PYTHON,
    ROOT,
    BenchError,
    Checks,
    _with_path,
    drop_database,
    machine,
    pg_connect,
    run_main,
    verdict,
)

ADD_FILES = """
from core.exports import start_export
from core.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
job, errors = start_export(User.objects.get(username="city_officer"), "communities", {})
assert job is not None and not errors, errors
job.refresh_from_db()
assert job.state == "done" and job.result, (job.state, job.errors)
default_storage.save("evidence/drill/现场照片.bin", ContentFile(bytes(range(256)) * 40))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], action="append", help="both by default")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL ({DEFAULT_PG})")
    parser.add_argument("--keep", action="store_true", help="keep the databases and directories")
    return parser.parse_args(argv)


class Side:
    """One database and data directory: the source or the restored copy."""

    def __init__(self, engine: str, name: str, work: Path, pg: str):
        self.engine, self.name = engine, name
        self.var = work / name
        self.url = (
            _with_path(pg, f"drill_backup_{name}")
            if engine == "postgresql"
            else f"sqlite:///{self.var / 'portal.sqlite3'}"
        )
        self.env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CACHE_URL")}
        # No REDIS_URL: the export job runs in-process, as in `make demo`.
        self.env.update(
            DATABASE_URL=self.url, PORTAL_VAR_DIR=str(self.var), DJANGO_SETTINGS_MODULE="config.settings"
        )

    def manage(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if check and result.returncode:
            raise BenchError(
                f"manage.py {' '.join(command)} failed ({self.engine}):\n{result.stderr[-3000:]}"
            )
        return result

    def database(self) -> dict:
        import environ

        return environ.Env.db_url_config(self.url)

    def fingerprint(self) -> dict:
        from core import backups

        connection = backups.connect(self.database())
        try:
            return backups.fingerprint(connection)
        finally:
            connection.close()

    def files(self) -> dict:
        from core import backups

        return backups.file_hashes(self.var / "private")

    def drop(self, pg: str) -> None:
        if self.engine == "postgresql":
            drop_database(pg, f"drill_backup_{self.name}")


def drill(engine: str, pg: str, work: Path, checks: Checks) -> dict:
    work = work / engine
    source, target = Side(engine, "source", work, pg), Side(engine, "restored", work, pg)
    for side in (source, target):
        side.drop(pg)
    if engine == "postgresql":
        connection = pg_connect(pg)
        with connection.cursor() as cursor:
            cursor.execute('CREATE DATABASE "drill_backup_source"')
        connection.close()
    figures = {"engine": engine}
    started = time.monotonic()
    source.manage("migrate", "--noinput", "-v", "0")
    source.manage("seed_demo")
    source.manage("shell", "-c", ADD_FILES)
    figures["seed"] = time.monotonic() - started

    started = time.monotonic()
    output = source.manage("backup", "--output", str(work / "backups")).stdout
    figures["backup"] = time.monotonic() - started
    backup = next(
        line.split(":", 1)[1].strip() for line in output.splitlines() if line.startswith("备份完成")
    )
    print(f"  {engine}: {output.strip().splitlines()[1].strip()}; {output.strip().splitlines()[2].strip()}")

    started = time.monotonic()
    restored = target.manage("restore", backup, check=False)
    figures["restore"] = time.monotonic() - started
    checks.add(
        f"{engine}: restore into an empty database",
        restored.returncode == 0,
        (restored.stdout + restored.stderr).strip().splitlines()[-1],
    )
    original = source.fingerprint()
    copy = target.fingerprint()
    from core.backups import compare

    differences = compare("table", original, copy)
    rows = sum(table["rows"] for table in original.values())
    figures.update(tables=len(original), rows=rows)
    checks.add(
        f"{engine}: every table equal (rows and checksum)",
        not differences and original,
        f"{len(original)} tables, {rows:,} rows" + (f"; {differences[:3]}" if differences else ""),
    )
    files, copied = source.files(), target.files()
    figures["files"] = len(files)
    checks.add(
        f"{engine}: every file equal (sha256)",
        files == copied and len(files) >= 3,
        f"{len(files)} files, {sum(f['size'] for f in files.values()):,} bytes; "
        f"{len(compare('file', files, copied))} differ",
    )
    again = target.manage("restore", backup, check=False)
    checks.add(
        f"{engine}: a second restore refuses a database with data",
        again.returncode != 0 and "拒绝覆盖" in again.stderr and target.fingerprint() == copy,
        (again.stderr.strip().splitlines() or ["(no message)"])[-1][:110],
    )
    forced = target.manage("restore", backup, "--force", check=False)
    aside = [path.name for path in target.var.iterdir() if path.name.startswith("private.before-restore-")]
    checks.add(
        f"{engine}: --force replaces it and sets the old files aside",
        forced.returncode == 0
        and target.fingerprint() == original
        and target.files() == files
        and len(aside) == 1,
        (forced.stdout.strip().splitlines() or ["(no output)"])[-1][:110],
    )
    return figures


def main(argv=None) -> int:
    args = parse_args(argv)
    engines = args.engine or ["postgresql", "sqlite"]
    if "postgresql" in engines:
        pg_connect(args.pg).close()
    work = Path(tempfile.mkdtemp(prefix="drill_backup_"))
    checks = Checks()
    runs = []
    print("== drill: backup and restore of the database and the uploaded files ==")
    print(machine())
    try:
        for engine in engines:
            runs.append(drill(engine, args.pg, work, checks))
        print(
            f"\n{'engine':<11} {'tables':>6} {'rows':>8} {'files':>5} {'seed s':>7} {'backup s':>8} {'restore s':>9}"
        )
        for run in runs:
            print(
                f"{run['engine']:<11} {run['tables']:>6} {run['rows']:>8,} {run['files']:>5} {run['seed']:>7.1f} "
                f"{run['backup']:>8.1f} {run['restore']:>9.1f}"
            )
        checks.print()
        return verdict("backup", checks)
    finally:
        if args.keep:
            print(f"kept: {work} and the databases drill_backup_source / drill_backup_restored")
        else:
            shutil.rmtree(work, ignore_errors=True)
            if "postgresql" in engines:
                for name in ("drill_backup_source", "drill_backup_restored"):
                    drop_database(args.pg, name)


if __name__ == "__main__":
    run_main(main)
