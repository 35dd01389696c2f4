"""The restore drill (docs/security.md, "Backup and restore drill"): back up the demo, damage
the live data, refuse torn and altered archives without changing anything, restore, and find
every table and file exactly as backed up. Runs on SQLite always and on PostgreSQL when the
suite runs against PostgreSQL (DATABASE_URL), as CI does."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from maca.core.backup_crypto import DecryptingReader, EncryptingWriter

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("DATABASE_URL", "")
ON_PG = PG_URL.startswith(("postgres://", "postgresql://"))

Checksums = dict[str, tuple[int, str]]


def _maca(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "maca.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=600,
    )


def _digest(rows: list[tuple[object, ...]]) -> str:
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def sqlite_tables(path: Path) -> Checksums:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {}
        for name in names:
            rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608
            out[name] = (len(rows), _digest(rows))
        return out
    finally:
        conn.close()


def pg_tables(url: str) -> Checksums:
    import psycopg

    with psycopg.connect(url) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema='public' AND table_type='BASE TABLE'"
            )
        ]
        out = {}
        for name in names:
            rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608
            out[name] = (len(rows), _digest(rows))
        return out


def files(data_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(data_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (data_dir / "uploads").rglob("*")
        if p.is_file()
    }


DRILL_KEY = b"drill-backup-key"


def _decrypted(src: Path) -> bytes:
    with src.open("rb") as fh:
        return DecryptingReader(fh, DRILL_KEY).read()


def _rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Copy an archive, passing each member's bytes through `change`: what an insider who
    holds the key could do (decrypt, change, encrypt again), without the manifest's signature."""
    plain = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(_decrypted(src))) as old,
        tarfile.open(fileobj=plain, mode="w") as new,
    ):
        for info in old:
            fh = old.extractfile(info)
            assert fh is not None
            data = change(info.name, fh.read())
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    with dst.open("wb") as out:
        writer = EncryptingWriter(out, DRILL_KEY)
        writer.write(plain.getvalue())
        writer.close()


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database next to the suite's own; dropped afterwards."""
    import psycopg

    name = f"maca_drill_{uuid.uuid4().hex[:8]}"
    base, _, _ = PG_URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(data_dir)),
        "MACA_DATA_DIR": str(data_dir),
        "MACA_SECRET_KEY": "drill-secret-key-0123456789-0123456789-0123456789",
        "MACA_PSEUDONYM_KEY": "drill-pseudonym-key",
        "MACA_BACKUP_KEY": "drill-backup-key",
        "DATABASE_URL": database_url,
    }


def _drill(tmp_path: Path, database_url: str, tables: Callable[[], Checksums], damage: str) -> None:
    data = tmp_path / "data"
    env = _env(data, database_url)
    loaded = _maca(env, "demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr
    (data / "uploads" / "pool").mkdir(parents=True, exist_ok=True)
    (data / "uploads" / "pool" / "annex-a.csv").write_bytes(b"Child ID,Sex\nX1,F\n")
    before_tables, before_files = tables(), files(data)
    assert before_tables["activity_activityentry"][0] > 50

    archive = tmp_path / "maca.backup"
    made = _maca(env, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "1 files" in made.stdout
    # Encrypted at rest: a demo child's name and council ID are in the database but nowhere
    # in the archive's bytes; with the key the archive is the tar of the database and files.
    raw = archive.read_bytes()
    assert raw.startswith(b"MACAENC1")
    for canary in (b"Calloway", b"DEMO-40117", b"annex-a.csv", b"manifest.json"):
        assert canary not in raw
    assert b"manifest.json" in _decrypted(archive)

    # Damage the live data: rows lost, an upload changed, a new upload.
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(damage)
    else:
        with sqlite3.connect(data / "maca.sqlite3") as conn:
            conn.execute(damage)
    (data / "uploads" / "pool" / "annex-a.csv").write_bytes(b"overwritten")
    (data / "uploads" / "pool" / "later.csv").write_bytes(b"Child ID,Sex\nX2,M\n")
    damaged_tables = tables()
    assert damaged_tables != before_tables

    # Refused, and nothing changed: torn, altered member, altered manifest, wrong key.
    torn = tmp_path / "torn.backup"
    torn.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    member = tmp_path / "member.backup"
    _rewrite(archive, member, lambda n, b: b + b"x" if n.startswith("files/") else b)
    manifest = tmp_path / "manifest.backup"
    _rewrite(
        archive,
        manifest,
        lambda n, b: b.replace(b'"engine"', b'"engine" ') if n == "manifest.json" else b,
    )
    flipped = tmp_path / "flipped.backup"
    flipped_bytes = bytearray(raw)
    flipped_bytes[len(raw) // 2] ^= 0x01  # one bit, without the key
    flipped.write_bytes(bytes(flipped_bytes))
    for bad, why in [
        (torn, "cut short"),
        (member, "does not match its checksum"),
        (manifest, "signature does not match"),
        (flipped, "cannot be decrypted with MACA_BACKUP_KEY"),
    ]:
        refused = _maca(env, "restore", str(bad))
        assert refused.returncode == 1, (bad, refused.stderr)
        assert why in refused.stderr
    wrong_key = _maca({**env, "MACA_BACKUP_KEY": "another-key"}, "restore", str(archive))
    assert wrong_key.returncode == 1
    assert "cannot be decrypted with MACA_BACKUP_KEY" in wrong_key.stderr
    assert tables() == damaged_tables
    assert files(data)["uploads/pool/annex-a.csv"] != before_files["uploads/pool/annex-a.csv"]

    started = time.monotonic()
    restored = _maca(env, "restore", str(archive))
    elapsed = time.monotonic() - started
    assert restored.returncode == 0, restored.stderr
    assert tables() == before_tables  # every table: same rows, same content
    # The upload saved after the backup is set aside, not left among the live data.
    assert files(data) == before_files
    assert "1 files saved after the backup" in restored.stdout
    assert "`maca purge` deletes them after 30 days" in restored.stdout
    [later] = (data / "restore-leftovers").rglob("later.csv")
    assert later.read_bytes() == b"Child ID,Sex\nX2,M\n"
    assert later.relative_to(data).parts[2:] == ("uploads", "pool", "later.csv")
    again = _maca(env, "backup", str(tmp_path / "again.backup"))  # leftovers are not data
    assert again.returncode == 0 and "1 files" in again.stdout, again.stdout + again.stderr
    # The restored database works: the application can read it and migrate is a no-op.
    check = _maca(env, "migrate", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    print(  # the figure docs/security.md quotes
        json.dumps(
            {
                "engine": "postgresql" if database_url else "sqlite",
                "tables": len(before_tables),
                "rows": sum(n for n, _ in before_tables.values()),
                "archive_bytes": archive.stat().st_size,
                "restore_seconds": round(elapsed, 1),
            }
        )
    )


def test_restore_drill_on_sqlite(tmp_path):
    _drill(
        tmp_path,
        "",
        lambda: sqlite_tables(tmp_path / "data" / "maca.sqlite3"),
        "DELETE FROM returns_answer",
    )


@pytest.mark.skipif(not ON_PG, reason="DATABASE_URL is not PostgreSQL")
def test_restore_drill_on_postgresql(tmp_path, pg_database):
    _drill(tmp_path, pg_database, lambda: pg_tables(pg_database), "DELETE FROM returns_answer")


def test_backup_without_a_key_is_refused_with_a_clear_message(tmp_path):
    env = {**_env(tmp_path), "MACA_BACKUP_KEY": ""}
    result = _maca(env, "backup", str(tmp_path / "x.backup"))
    assert result.returncode == 2
    assert "MACA_BACKUP_KEY is not set" in result.stderr
    assert not (tmp_path / "x.backup").exists()


@pytest.mark.skipif(not ON_PG, reason="DATABASE_URL is not PostgreSQL")
def test_a_sqlite_backup_is_not_restored_into_postgresql(tmp_path, pg_database):
    sqlite_env = _env(tmp_path / "a")
    assert _maca(sqlite_env, "migrate", "-v0").returncode == 0
    archive = tmp_path / "a.backup"
    assert _maca(sqlite_env, "backup", str(archive)).returncode == 0
    refused = _maca(_env(tmp_path / "b", pg_database), "restore", str(archive))
    assert refused.returncode == 1
    assert "same kind of database" in refused.stderr
