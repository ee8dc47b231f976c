"""Backup and restore of the database and the uploaded files (`manage.py backup` / `manage.py restore`).

A backup is one directory, `<VAR_DIR>/backups/<timestamp>/` by default, holding
- `database.dump` (PostgreSQL: `pg_dump -Fc`) or `database.sqlite3` (SQLite: the online backup API);
- `files.tar`: everything under MEDIA_ROOT (evidence, import workbooks, export results);
- `manifest.json`: the engine, the newest migration of each app, each table's row count and a checksum of
  its rows, each file's size and sha256, and the sha256 of the two archives.

The manifest describes exactly what was dumped: on PostgreSQL its figures are read in the snapshot that
pg_dump reads (one exported REPEATABLE READ snapshot), on SQLite from the copy. The database is dumped
before the files are packed: a row names a file only once the file is written, so every file that a
dumped row names is in the archive.

`restore` checks the archives against the manifest and refuses a database that already holds tables or a
MEDIA_ROOT that holds files (unless forced) before it changes anything; it then loads both and checks
the restored row counts, row checksums and file hashes against the manifest. The figures are computed
on a plain DB-API connection (no Django), so the drill (`drills/backup_restore.py`) compares two
databases with the very same function.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import changes

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files.tar"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Django's own keys in DATABASES[...]["OPTIONS"] that are not libpq connection parameters.
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool"}


class BackupError(Exception):
    """A refusal or a failed check, told to the operator without a traceback."""


# ---- the database, without Django -----------------------------------------------------------------


def vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"不支持的数据库引擎:{engine}(仅支持 PostgreSQL 与 SQLite)。")


def pg_params(db: dict, name: str | None = None) -> dict:
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": int(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "dbname": name or db["NAME"],
        "connect_timeout": 10,
    }
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    extra = {key: value for key, value in db.get("OPTIONS", {}).items() if key not in DJANGO_ONLY_OPTIONS}
    return {**extra, **params}


def connect(db: dict, name: str | None = None):
    """A plain DB-API connection to the database (PostgreSQL: in a transaction; SQLite: the file)."""
    if vendor(db) == "sqlite":
        return sqlite3.connect(name or db["NAME"])
    import psycopg2

    connection = psycopg2.connect(**pg_params(db, name))
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")  # for the session: each transaction starts afresh after it
    connection.commit()
    return connection


def table_names(connection) -> list[str]:
    cursor = connection.cursor()
    if isinstance(connection, sqlite3.Connection):
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    names = sorted(row[0] for row in cursor.fetchall())
    cursor.close()
    return names


def _plain(value):
    """A column value in a form that is the same whichever connection read it."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    return value


def fingerprint(connection) -> dict[str, dict]:
    """Per table: its row count and a checksum of its rows that does not depend on their order (the
    sum of the rows' sha256, so no table needs an orderable key). Read in the connection's current
    transaction, so on PostgreSQL within one snapshot."""
    tables = {}
    for table in table_names(connection):
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
        else:
            cursor = connection.cursor(name=f"fingerprint_{len(tables)}")  # server side: streamed
            cursor.itersize = 5000
        cursor.execute(f'SELECT * FROM "{table}"')
        rows, total = 0, 0
        for row in cursor:
            digest = hashlib.sha256(repr(tuple(_plain(value) for value in row)).encode()).digest()
            total = (total + int.from_bytes(digest, "big")) % (1 << 256)
            rows += 1
        cursor.close()
        tables[table] = {"rows": rows, "sha256": f"{total:064x}"}
    return tables


def migrations(connection) -> dict[str, str]:
    cursor = connection.cursor()
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app")
    found = dict(cursor.fetchall())
    cursor.close()
    return dict(sorted(found.items()))


# ---- files ----------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(root: Path) -> dict[str, dict]:
    """Every file under `root`: its path relative to `root` → size and sha256."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): {"size": path.stat().st_size, "sha256": sha256_of(path)}
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


class _Hashing:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, source):
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        block = self.source.read(size)
        self.digest.update(block)
        return block


def pack_files(root: Path, archive: Path) -> dict[str, dict]:
    files = {}
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if not path.is_file():
                    continue
                name = path.relative_to(root).as_posix()
                info = tar.gettarinfo(str(path), arcname=name)
                with open(path, "rb") as source:
                    reader = _Hashing(source)
                    tar.addfile(info, reader)
                files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
    return files


# ---- backup ---------------------------------------------------------------------------------------


def _run(command: list[str], env: dict | None = None) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到命令 {command[0]}:请安装 PostgreSQL 客户端(postgresql-client)。") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} 失败:{exc.stderr.strip() or exc.returncode}") from exc


def _pg_env(db: dict) -> dict:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_target(db: dict, name: str | None = None) -> list[str]:
    params = pg_params(db, name)
    return ["-h", params["host"], "-p", str(params["port"]), "-U", params["user"], "-d", params["dbname"]]


def backup(destination: Path | None = None, *, db: dict | None = None, media: Path | None = None):
    """Write a backup of the database and the files (by default: the configured ones); returns the
    backup's directory and its manifest."""
    db = db or settings.DATABASES["default"]
    media = Path(media or settings.MEDIA_ROOT)
    kind = vendor(db)
    root = Path(destination or Path(settings.VAR_DIR) / "backups")
    target = root / timezone.localtime().strftime("%Y%m%d-%H%M%S")
    while target.exists():  # two backups in one second
        target = target.with_name(target.name + "-1")
    target.mkdir(parents=True)
    started = time.monotonic()
    dump = target / DUMPS[kind]
    if kind == "postgresql":
        connection = connect(db)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *_pg_target(db)],
                env=_pg_env(db),
            )
            tables, applied = fingerprint(connection), migrations(connection)
        finally:
            connection.rollback()
            connection.close()
    else:
        source, copy = sqlite3.connect(db["NAME"]), sqlite3.connect(dump)
        try:
            source.backup(copy)
            tables, applied = fingerprint(copy), migrations(copy)
        finally:
            source.close()
            copy.close()
    files = pack_files(media, target / FILES)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": kind,
        "database": {"name": str(db["NAME"]), "file": dump.name, "sha256": sha256_of(dump)},
        "migrations": applied,
        "tables": tables,
        "files_archive": {"file": FILES, "sha256": sha256_of(target / FILES)},
        "files": files,
        "seconds": round(time.monotonic() - started, 2),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target, manifest


# ---- restore --------------------------------------------------------------------------------------


@dataclass
class Restored:
    directory: Path
    manifest: dict
    set_aside: Path | None = None  # the files MEDIA_ROOT held before a forced restore
    problems: list[str] = field(default_factory=list)


def read_manifest(directory: Path) -> dict:
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{directory} 不是备份目录:缺少 {MANIFEST}。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持(应为 {FORMAT})。")
    for part in (manifest["database"], manifest["files_archive"]):
        path = directory / part["file"]
        if not path.is_file():
            raise BackupError(f"备份不完整:缺少 {path.name}。")
        if sha256_of(path) != part["sha256"]:
            raise BackupError(f"备份已损坏:{path.name} 的 sha256 与清单不符。")
    return manifest


def database_tables(db: dict) -> list[str] | None:
    """The tables the configured database holds, or None when it does not exist yet."""
    if vendor(db) == "sqlite":
        if not Path(db["NAME"]).exists():
            return None
        connection = sqlite3.connect(db["NAME"])
    else:
        import psycopg2

        try:
            connection = connect(db)
        except psycopg2.OperationalError as exc:
            if "does not exist" in str(exc):
                return None
            raise
    try:
        return table_names(connection)
    finally:
        connection.close()


def restore(directory: Path, force: bool = False, *, db: dict | None = None, media: Path | None = None):
    """Restore a backup into the database and the files directory (by default: the configured ones),
    then check them against its manifest; returns a `Restored`."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    db = db or settings.DATABASES["default"]
    media = Path(media or settings.MEDIA_ROOT)
    kind = vendor(db)
    if manifest["engine"] != kind:
        raise BackupError(f"这是 {manifest['engine']} 的备份,不能恢复到 {kind} 数据库。")
    tables = database_tables(db)
    if tables and not force:
        raise BackupError(
            f"目标数据库 {db['NAME']} 已有 {len(tables)} 张表:拒绝覆盖。确认要整体替换时加 --force(make restore FORCE=1)。"
        )
    if file_hashes(media) and not force:
        raise BackupError(
            f"文件目录 {media} 已有文件:拒绝覆盖。确认要整体替换时加 --force(make restore FORCE=1)。"
        )
    result = Restored(directory, manifest)
    dump = directory / manifest["database"]["file"]
    if kind == "postgresql":
        _restore_postgresql(db, dump, tables)
    else:
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        source, target = sqlite3.connect(dump), sqlite3.connect(db["NAME"])
        try:
            source.backup(target)  # replaces the whole file's content, page by page
        finally:
            source.close()
            target.close()
    result.set_aside = _restore_files(directory / manifest["files_archive"]["file"], media)
    result.problems = check(manifest, db, media)
    changes.everything_changed()  # behind every model's back: no cached figure stands
    return result


def _restore_postgresql(db: dict, dump: Path, tables: list[str] | None) -> None:
    if tables is None:
        admin = connect(db, name="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
        admin.close()
    elif tables:
        # Forced: the old schema goes whole, so no table the backup does not have is left behind.
        connection = connect(db)
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.commit()
        connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *_pg_target(db),
        ]
        + [str(dump)],
        env=_pg_env(db),
    )


def _restore_files(archive: Path, media: Path) -> Path | None:
    """Unpack beside MEDIA_ROOT, then swap it in; files it held before are set aside, not deleted."""
    media.parent.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    staging = media.with_name(f".{media.name}.restoring-{stamp}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")  # no absolute paths, links out or device files
    set_aside = None
    if media.exists():
        if file_hashes(media):
            set_aside = media.with_name(f"{media.name}.before-restore-{stamp}")
            media.rename(set_aside)
        else:
            shutil.rmtree(media)
    staging.rename(media)
    return set_aside


def check(manifest: dict, db: dict, media: Path) -> list[str]:
    """Differences between the manifest and the configured database and MEDIA_ROOT (none: equal)."""
    connection = connect(db)
    try:
        tables = fingerprint(connection)
    finally:
        connection.close()
    return compare("表", manifest["tables"], tables) + compare("文件", manifest["files"], file_hashes(media))


def compare(what: str, expected: dict, found: dict) -> list[str]:
    problems = [f"{what} {name}:备份中有,恢复后没有" for name in sorted(expected.keys() - found.keys())]
    problems += [f"{what} {name}:恢复后多出" for name in sorted(found.keys() - expected.keys())]
    for name in sorted(expected.keys() & found.keys()):
        if expected[name] != found[name]:
            problems.append(f"{what} {name}:备份 {expected[name]},恢复后 {found[name]}")
    return problems
