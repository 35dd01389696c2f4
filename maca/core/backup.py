"""`maca backup FILE` / `maca restore FILE`: one signed archive of the whole database and the
files under MACA_DATA_DIR, and a restore that changes nothing unless every byte checks out.

The archive is a tar file holding
- `db.sqlite3` (a consistent copy made with SQLite's online backup API, safe while maca runs)
  or `db.pgdump` (`pg_dump --format=custom`, one consistent snapshot);
- `files/...`: every file under MACA_DATA_DIR (uploads, stored briefing files) except the
  live database files and collected static assets;
- `manifest.json`: format, engine, when, the migrations applied, and the size and SHA-256 of
  every other member;
- `manifest.sig`: HMAC-SHA256 of manifest.json under MACA_BACKUP_KEY.

The tar file is written encrypted (AES-256-GCM in authenticated chunks under a key derived from
MACA_BACKUP_KEY: backup_crypto.py), so a copied archive gives nothing without the key. Restore
also reads the unencrypted archives made before encryption was added (still signed).

Restore reads the whole archive, checks the signature, that the members are exactly the ones
the manifest lists and that every hash matches, and that the engine is the one in use, before
it touches the database or a file. A torn, truncated or altered archive is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3

# pg_dump / pg_restore run with fixed arguments and no shell.
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections

from maca.core.backup_crypto import (
    MAGIC,
    DecryptError,
    DecryptingReader,
    EncryptingWriter,
)

FORMAT = "maca-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DB_MEMBER = {"sqlite": "db.sqlite3", "postgresql": "db.pgdump"}
CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or restore cannot go ahead; `code` is the command's exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    created: str
    files: int
    migrations: int
    set_aside: int = 0  # files saved after the backup, moved to LEFTOVERS
    leftovers: str = ""  # where they went


# Files in MACA_DATA_DIR that a restored backup does not hold (saved after it was made) are
# moved here, under the time of the restore: out of the live data, where nothing refers to
# them any more, but not destroyed. Neither backed up nor set aside again.
LEFTOVERS = "restore-leftovers"
LEFTOVERS_STAMP = "%Y%m%dT%H%M%SZ"  # the restore's time (UTC): `maca purge` reads it back


def _key() -> bytes:
    key = getattr(settings, "BACKUP_KEY", "")
    if not key:
        raise BackupError(
            "MACA_BACKUP_KEY is not set. Set it to a long random value kept apart from the "
            "backups (see .env.example); backups are signed with it and restore checks it.",
            code=2,
        )
    return key.encode()


def _sign(manifest: bytes) -> str:
    return hmac.new(_key(), manifest, hashlib.sha256).hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"maca cannot back up a {vendor} database.", code=2)
    return vendor


def _migrations() -> dict[str, list[str]]:
    """The migrations applied, per app (the schema state the dump belongs to)."""
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools (the same "
            "major version as the server) to back up or restore a PostgreSQL database.",
            code=2,
        )
    return path


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[:2000]}", code=1)


def _dump_database(engine: str, target: Path) -> None:
    if engine == "sqlite":
        live = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                live.backup(copy)
        finally:
            copy.close()
            live.close()
        return
    env, args = _pg_env_args()
    name = str(settings.DATABASES["default"]["NAME"])
    _run(
        [
            _pg_tool("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
            "--dbname",
            name,
        ],
        env,
    )


def _excluded(data_dir: Path) -> set[Path]:
    """The live database files are not copied as files (the engine's consistent copy is)."""
    out: set[Path] = set()
    if connection.vendor == "sqlite":
        db = Path(str(settings.DATABASES["default"]["NAME"])).resolve()
        out |= {db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))}
    return out


def _data_files(data_dir: Path, skip: set[Path]) -> list[Path]:
    if not data_dir.is_dir():
        return []
    static = Path(settings.STATIC_ROOT).resolve() if settings.STATIC_ROOT else None
    # Derived data (the pool's date arrays) is rebuilt on first use: not worth keeping.
    cache = (data_dir / "cache").resolve()
    leftovers = (data_dir / LEFTOVERS).resolve()
    files = []
    for path in sorted(data_dir.rglob("*")):
        resolved = path.resolve()
        if not path.is_file() or path.is_symlink() or resolved in skip:
            continue
        if static is not None and resolved.is_relative_to(static):
            continue
        if resolved.is_relative_to(cache) or resolved.is_relative_to(leftovers):
            continue
        files.append(path)
    return files


def backup_create(target: Path) -> dict[str, Any]:
    """Write the signed archive to `target` (atomically: a torn write leaves no FILE)."""
    _key()
    engine = _engine()
    data_dir = Path(settings.DATA_DIR).resolve()
    target = target.resolve()
    with tempfile.TemporaryDirectory(prefix="maca-backup-") as tmp:
        work = Path(tmp)
        db_file = work / DB_MEMBER[engine]
        _dump_database(engine, db_file)
        members: dict[str, dict[str, Any]] = {
            DB_MEMBER[engine]: {"sha256": _sha256(db_file), "size": db_file.stat().st_size}
        }
        skip = _excluded(data_dir) | {target}
        # Each file is copied first and the copy hashed and archived, so a file that changes
        # while the backup runs (a job's progress file) cannot make the archive disagree
        # with its own manifest.
        files = []
        for path in _data_files(data_dir, skip):
            name = "files/" + path.relative_to(data_dir).as_posix()
            copy = work / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, copy)
            except FileNotFoundError:
                continue  # removed while we looked (a finished job's file)
            members[name] = {"sha256": _sha256(copy), "size": copy.stat().st_size}
            files.append((name, copy))
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "engine": engine,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "migrations": _migrations(),
            "members": members,
        }
        manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
        signature = _sign(manifest_bytes).encode()
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("wb") as raw:
                encrypted = EncryptingWriter(raw, _key())
                with tarfile.open(fileobj=encrypted, mode="w|") as tar:
                    _add_bytes(tar, MANIFEST, manifest_bytes)
                    _add_bytes(tar, SIGNATURE, signature)
                    tar.add(str(db_file), arcname=DB_MEMBER[engine], recursive=False)
                    for name, copy in files:
                        tar.add(str(copy), arcname=name)
                encrypted.close()  # the final record
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix() and bool(name)


def backup_verify(source: Path, into: Path) -> dict[str, Any]:
    """Check the archive and unpack it into `into`; raise BackupError (exit 1) on any doubt."""
    key = _key()
    try:
        with source.open("rb") as fh:
            encrypted = fh.read(len(MAGIC)) == MAGIC
        if encrypted:
            raw = source.open("rb")
            stream = io.BufferedReader(DecryptingReader(raw, key), buffer_size=CHUNK)
            tar = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115
        else:  # made before backups were encrypted: still signed and checked
            raw = None
            tar = tarfile.open(source, "r:")  # noqa: SIM115 - closed by the `with tar` below
    except FileNotFoundError:
        raise BackupError(f"{source}: no such file.", code=2) from None
    except DecryptError as exc:
        raise BackupError(f"{source} cannot be restored: {exc}.") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source} is not a maca backup or is damaged ({exc}).") from None
    try:
        return _verify_members(source, tar, key, into)
    finally:
        if raw is not None:
            raw.close()


def _verify_members(source: Path, tar: tarfile.TarFile, key: bytes, into: Path) -> dict[str, Any]:
    seen: dict[str, str] = {}
    manifest_bytes = signature = None
    try:
        with tar:
            for info in tar:
                if not info.isfile() or not _safe_name(info.name) or info.name in seen:
                    raise BackupError(f"Unexpected member {info.name!r} in the archive.")
                fh = tar.extractfile(info)
                assert fh is not None
                if info.name in {MANIFEST, SIGNATURE}:
                    data = fh.read(1 << 24)
                    if info.name == MANIFEST:
                        manifest_bytes = data
                    else:
                        signature = data
                    seen[info.name] = ""
                    continue
                out = into / "members" / info.name
                out.parent.mkdir(parents=True, exist_ok=True)
                h = hashlib.sha256()
                size = 0
                with out.open("wb") as dst:
                    while chunk := fh.read(CHUNK):
                        h.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                if size != info.size:
                    raise BackupError(f"{info.name} is cut short: the archive is torn.")
                seen[info.name] = h.hexdigest()
    except DecryptError as exc:
        raise BackupError(f"{source} cannot be restored: {exc}.") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source} is damaged or cut short ({exc}).") from None
    if manifest_bytes is None or signature is None:
        raise BackupError(f"{source} has no signed manifest: not a maca backup, or torn.")
    expected = hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, signature.strip()):
        raise BackupError(
            "The manifest's signature does not match MACA_BACKUP_KEY: the backup was altered, "
            "or was made with another key."
        )
    manifest = json.loads(manifest_bytes)
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError("Unknown backup format version.")
    members: dict[str, dict[str, Any]] = manifest["members"]
    listed, present = set(members), set(seen) - {MANIFEST, SIGNATURE}
    if listed != present:
        missing, extra = sorted(listed - present), sorted(present - listed)
        raise BackupError(
            f"Archive members differ from the manifest: missing {missing}, extra {extra}."
        )
    for name, meta in members.items():
        if not _safe_name(name) or seen[name] != meta["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup was altered.")
    return manifest


def _check_schema(manifest: dict[str, Any]) -> None:
    """Refuse a backup made by a newer maca (migrations this code does not know)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of maca (unknown migrations: "
            + ", ".join(unknown[:5])
            + "). Install that version, restore, then upgrade."
        )


def _restore_database(engine: str, dump: Path) -> None:
    if engine == "sqlite":
        for conn in connections.all():
            conn.close()
        live_path = str(settings.DATABASES["default"]["NAME"])
        src = sqlite3.connect(str(dump))
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The database copy in the backup fails integrity_check.")
            live = sqlite3.connect(live_path, timeout=30)
            try:
                with live:
                    src.backup(live)
            finally:
                live.close()
        finally:
            src.close()
        return
    for conn in connections.all():
        conn.close()
    env, args = _pg_env_args()
    name = str(settings.DATABASES["default"]["NAME"])
    _run(
        [
            _pg_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            name,
            str(dump),
        ],
        env,
    )


def _restore_files(members: Path, data_dir: Path) -> set[str]:
    """Put the backup's files back; return their paths relative to the data directory."""
    root = members / "files"
    restored: set[str] = set()
    if not root.is_dir():
        return restored
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root)
        dest = data_dir / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".restoring")
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)
        restored.add(relative.as_posix())
    return restored


def _set_aside(data_dir: Path, restored: set[str], stamp: str, source: Path) -> tuple[int, Path]:
    """Move the data files the backup does not hold into LEFTOVERS/<stamp>/, keeping their
    paths. An upload saved after the backup would otherwise stay in the live data with no
    record referring to it, out of reach of `maca purge`'s retention."""
    target = data_dir / LEFTOVERS / stamp
    moved = 0
    for path in _data_files(data_dir, _excluded(data_dir) | {source.resolve()}):
        relative = path.relative_to(data_dir)
        if relative.as_posix() in restored:
            continue
        dest = target / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
        moved += 1
    return moved, target


def backup_restore(source: Path) -> RestoreResult:
    """Verify everything first; only then replace the database and put the files back."""
    engine = _engine()
    data_dir = Path(settings.DATA_DIR).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="maca-restore-") as tmp:
        work = Path(tmp)
        manifest = backup_verify(source, work)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup holds a {manifest['engine']} database but maca is using "
                f"{engine}: restore into the same kind of database."
            )
        _check_schema(manifest)
        _restore_database(engine, work / "members" / DB_MEMBER[engine])
        restored = _restore_files(work / "members", data_dir)
    stamp = dt.datetime.now(dt.UTC).strftime(LEFTOVERS_STAMP)
    moved, leftovers = _set_aside(data_dir, restored, stamp, source)
    return RestoreResult(
        engine=engine,
        created=manifest["created"],
        files=len(restored),
        migrations=sum(len(v) for v in manifest.get("migrations", {}).values()),
        set_aside=moved,
        leftovers=str(leftovers) if moved else "",
    )
