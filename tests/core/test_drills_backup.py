"""Backup and restore (core.backups, `manage.py backup` / `restore`) on SQLite files of their own.

The databases here are plain SQLite files made by the test, never the test database: a backup reads and
a restore writes a database by its settings, outside Django's connections. `make drill-backup` does the
same with the demo on PostgreSQL and SQLite.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from core import backups

SQLITE = "django.db.backends.sqlite3"
FILES = {
    "evidence/2026/现场照片.jpg": bytes(range(256)) * 8,
    "jobs/2026/11/communities-20261125.xlsx": b"PK\x03\x04 an export",
    "imports/社区.xlsx": b"PK\x03\x04 a workbook",
}


def make_database(path: Path, extra_row: bool = False) -> dict:
    """A small database with the kinds of value a real one holds: text in Chinese, blobs, NULLs, reals."""
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT);
        INSERT INTO django_migrations (app, name, applied) VALUES
            ('core', '0001_initial', '2026-11-25'), ('core', '0002_job', '2026-11-25');
        CREATE TABLE community (id INTEGER PRIMARY KEY, name TEXT, photo BLOB, area REAL, closed TEXT);
        INSERT INTO community VALUES (1, '幸福社区', x'00ff10', 360.5, NULL), (2, '和平社区', NULL, 0.1, '2026-01-01');
        CREATE TABLE empty_table (id INTEGER PRIMARY KEY);
        """
    )
    if extra_row:
        connection.execute("INSERT INTO community VALUES (3, '新社区', NULL, 1.0, NULL)")
    connection.commit()
    connection.close()
    return {"ENGINE": SQLITE, "NAME": str(path)}


def make_files(root: Path, files: dict = FILES) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def tables_of(db: dict) -> dict:
    connection = backups.connect(db)
    try:
        return backups.fingerprint(connection)
    finally:
        connection.close()


@pytest.fixture
def source(tmp_path):
    db = make_database(tmp_path / "source.sqlite3")
    media = make_files(tmp_path / "source-files")
    directory, manifest = backups.backup(tmp_path / "backups", db=db, media=media)
    return db, media, directory, manifest


def test_the_backup_holds_the_database_the_files_and_their_manifest(source):
    db, media, directory, manifest = source
    assert sorted(path.name for path in directory.iterdir()) == [
        "database.sqlite3",
        "files.tar",
        "manifest.json",
    ]
    assert manifest == json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert {name: table["rows"] for name, table in manifest["tables"].items()} == {
        "community": 2,
        "django_migrations": 2,
        "empty_table": 0,
    }
    assert manifest["files"] == {
        name: {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        for name, content in FILES.items()
    }
    assert manifest["migrations"] == {"core": "0002_job"}
    assert manifest["database"]["sha256"] == backups.sha256_of(directory / "database.sqlite3")


def test_a_restore_into_an_empty_target_is_equal_and_checked(source, tmp_path):
    db, media, directory, manifest = source
    target_db = {"ENGINE": SQLITE, "NAME": str(tmp_path / "target" / "portal.sqlite3")}
    target_media = tmp_path / "target" / "private"

    restored = backups.restore(directory, db=target_db, media=target_media)

    assert restored.problems == [] and restored.set_aside is None
    assert tables_of(target_db) == tables_of(db) == manifest["tables"]
    for name, content in FILES.items():
        assert (target_media / name).read_bytes() == content


def test_the_row_checksum_sees_a_changed_value_that_the_count_does_not(source, tmp_path):
    db, media, directory, manifest = source
    target_db = {"ENGINE": SQLITE, "NAME": str(tmp_path / "target.sqlite3")}
    backups.restore(directory, db=target_db, media=tmp_path / "target-files")
    connection = sqlite3.connect(target_db["NAME"])
    connection.execute("UPDATE community SET area = 360.6 WHERE id = 1")
    connection.commit()
    connection.close()
    (tmp_path / "target-files" / "imports" / "社区.xlsx").write_bytes(b"PK\x03\x04 changed")

    problems = backups.check(manifest, target_db, tmp_path / "target-files")

    assert len(problems) == 2
    assert problems[0].startswith("表 community:") and "'rows': 2" in problems[0]
    assert problems[1].startswith("文件 imports/社区.xlsx:")


def test_a_target_holding_data_is_refused_and_left_as_it_was(source, tmp_path):
    _, _, directory, _ = source
    full_db = make_database(tmp_path / "full.sqlite3", extra_row=True)
    before = tables_of(full_db)
    with pytest.raises(backups.BackupError, match="已有 3 张表:拒绝覆盖"):
        backups.restore(directory, db=full_db, media=tmp_path / "no-files")
    assert tables_of(full_db) == before
    assert not (tmp_path / "no-files").exists()

    files = make_files(tmp_path / "files", {"evidence/old.pdf": b"%PDF old"})
    empty_db = {"ENGINE": SQLITE, "NAME": str(tmp_path / "empty.sqlite3")}
    with pytest.raises(backups.BackupError, match="已有文件:拒绝覆盖"):
        backups.restore(directory, db=empty_db, media=files)
    assert not Path(empty_db["NAME"]).exists()
    assert backups.file_hashes(files).keys() == {"evidence/old.pdf"}


def test_a_forced_restore_replaces_both_and_sets_the_old_files_aside(source, tmp_path):
    db, _, directory, _ = source
    full_db = make_database(tmp_path / "full.sqlite3", extra_row=True)
    files = make_files(tmp_path / "files", {"evidence/old.pdf": b"%PDF old"})

    restored = backups.restore(directory, force=True, db=full_db, media=files)

    assert restored.problems == []
    assert tables_of(full_db) == tables_of(db)
    assert backups.file_hashes(files).keys() == FILES.keys()
    assert restored.set_aside.parent == files.parent and restored.set_aside.name.startswith(
        "files.before-restore-"
    )
    assert (restored.set_aside / "evidence" / "old.pdf").read_bytes() == b"%PDF old"


def test_a_damaged_backup_is_refused_before_anything_changes(source, tmp_path):
    _, _, directory, _ = source
    archive = directory / "files.tar"
    data = bytearray(archive.read_bytes())
    data[600] ^= 0xFF
    archive.write_bytes(bytes(data))
    target_db = {"ENGINE": SQLITE, "NAME": str(tmp_path / "target.sqlite3")}

    with pytest.raises(backups.BackupError, match="files.tar 的 sha256 与清单不符"):
        backups.restore(directory, db=target_db, media=tmp_path / "target-files")
    assert not Path(target_db["NAME"]).exists() and not (tmp_path / "target-files").exists()


def test_a_backup_of_another_engine_is_refused(source, tmp_path):
    _, _, directory, _ = source
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}
    with pytest.raises(backups.BackupError, match="这是 sqlite 的备份,不能恢复到 postgresql 数据库"):
        backups.restore(directory, db=postgres, media=tmp_path / "files")


def test_the_commands_as_an_operator_runs_them(tmp_path):
    """`make backup` / `make restore BACKUP=…` run these commands with the settings from the environment."""

    def manage(var: Path, *command):
        env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CACHE_URL")}
        env.update(DATABASE_URL=f"sqlite:///{var / 'portal.sqlite3'}", PORTAL_VAR_DIR=str(var))
        return subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )

    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    make_database(source / "portal.sqlite3")
    make_files(source / "private")

    made = manage(source, "backup")
    assert made.returncode == 0, made.stderr
    directory = next((source / "backups").iterdir())
    assert (
        f"备份完成:{directory}" in made.stdout and "3 张表,4 行" in made.stdout and "文件:3 个" in made.stdout
    )

    first = manage(target, "restore", str(directory))
    assert first.returncode == 0, first.stderr
    assert "核对一致" in first.stdout
    assert backups.file_hashes(target / "private") == backups.file_hashes(source / "private")

    again = manage(target, "restore", str(directory))
    assert again.returncode == 1 and "拒绝覆盖" in again.stderr and "--force" in again.stderr
