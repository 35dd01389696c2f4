"""Crash test: no acknowledged save is lost when the server is killed (`make crash-test`).

    uv run python bench/crash.py [--rounds 20] [--writers 8] [--keep]
    uv run python bench/crash.py --database-url postgres://user@host:5432/postgres

With `--database-url` the same runs against PostgreSQL: a fresh database is created next to
the one named (and dropped afterwards), and the integrity check is amcheck's
`bt_index_check` on every index (when the extension can be created), else a full read.

Builds a throwaway SQLite data directory (one audit in `auditing`, one draft return per
writer), starts the production server (gunicorn, production settings: WAL,
synchronous=FULL), and in every round:

1. 8 writer threads, each signed in as an agency auditor (second factor given), save their
   return over HTTP as fast as they can: GET the form (its version), POST a new text. A
   302 answer is an *acknowledged* save: (return, version, text).
2. After 1.5 to 5 s the server's whole process group is SIGKILLed mid-flight.
3. The database is checked with sqlite3 directly: `PRAGMA integrity_check` is ok; every
   acknowledged save is there (its `return.saved` activity entry, written in the same
   transaction, exists; the return's version is at least the acknowledged one; and a return
   still at that version holds exactly that text).

Prints a summary and exits 1 if any acknowledged save is missing or integrity failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(rb'name="version" value="(\d+)"')


@dataclass
class Writer:
    name: str
    session: str
    path: str  # the return's URL
    return_id: int
    acked: list[tuple[int, str]] = field(default_factory=list)  # (version, text)
    attempts: int = 0
    conflicts: int = 0
    errors: int = 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DATABASE_URL = ""  # set by --database-url: the fresh PostgreSQL database of this run


def _env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MACA_DATA_DIR": str(data_dir),
        "MACA_SECRET_KEY": "crash-test-secret-key-0123456789-0123456789-0123456789",
        "MACA_PSEUDONYM_KEY": "crash-test-pseudonym-key",
        "MACA_ALLOWED_HOSTS": "127.0.0.1",
        "MACA_SECURE_SSL_REDIRECT": "0",
        "MACA_DEBUG": "0",
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }


SETUP = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from maca.core.reauth import record_authentication
from maca.partnerships.models import Role
from maca.returns.models import AgencyReturn
from tests.conftest import World

writers = int(sys.argv[1])
world = World()
audit = world.audit("crash", status="auditing", cases=[("csc",)] * writers)
out = []
for i, ret in enumerate(AgencyReturn.objects.filter(case__audit=audit).order_by("case__number")):
    user = world.add_user(f"writer{i}", Role.AUDITOR, "csc")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    out.append({
        "name": user.username,
        "session": session.session_key,
        "path": f"/audits/{audit.reference}/cases/{ret.case.number}/returns/csc/",
        "return_id": ret.pk,
    })
print(json.dumps(out))
"""


def setup(data_dir: Path, writers: int) -> list[Writer]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SETUP, str(writers)],
        env=_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"setup failed:\n{result.stderr}")
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    return [Writer(**row) for row in rows]


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--preload",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        cmd,
        env=_env(data_dir),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "server.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    sys.exit("the server did not start; see server.log")


def _request(
    port: int, method: str, path: str, session: str, csrf: str = "", body: str = ""
) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookie = f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    set_cookie = response.getheader("Set-Cookie") or ""
    match = re.search(r"csrftoken=([^;]+)", set_cookie)
    return response.status, response.read(), match.group(1) if match else ""


def write_loop(w: Writer, port: int, stop: threading.Event, round_no: int) -> None:
    """Save as fast as possible: one GET for the form's version and CSRF token, then POSTs
    (the version goes up by one with every acknowledged save)."""
    csrf_cookie = ""
    token = ""
    version: int | None = None
    seq = 0
    while not stop.is_set():
        try:
            if version is None:
                status, page, cookie = _request(port, "GET", w.path, w.session, csrf_cookie)
                csrf_cookie = cookie or csrf_cookie
                t, v = CSRF_RE.search(page), VERSION_RE.search(page)
                if status != 200 or t is None or v is None:
                    w.errors += 1
                    continue
                token, version = t.group(1).decode(), int(v.group(1))
            seq += 1
            text = f"{w.name} round {round_no} save {seq}"
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token, "version": str(version), "strengths": text}
            )
            w.attempts += 1
            status, page, _ = _request(port, "POST", w.path, w.session, csrf_cookie, body)
            if status == 302:
                version += 1
                w.acked.append((version, text))
            else:
                if b"Someone else saved" in page:
                    w.conflicts += 1
                else:
                    w.errors += 1
                version = None
        except (OSError, http.client.HTTPException):
            version = None
            if stop.is_set():
                return
            time.sleep(0.05)


class Db:
    """The two engines behind one tiny interface: rows for a query, and an integrity check."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def rows(self, sql: str, params: list[object]) -> list[tuple[object, ...]]:
        if DATABASE_URL:
            import psycopg

            with psycopg.connect(DATABASE_URL) as conn:
                return list(conn.execute(sql.replace("?", "%s"), params).fetchall())
        conn = sqlite3.connect(self.data_dir / "maca.sqlite3")
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def integrity_ok(self) -> bool:
        if not DATABASE_URL:
            return self.rows("PRAGMA integrity_check", []) == [("ok",)]
        import psycopg

        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
                indexes = conn.execute(
                    "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE a.amname = 'btree' AND n.nspname = 'public'"
                ).fetchall()
                for (oid,) in indexes:
                    conn.execute("SELECT bt_index_check(%s::regclass, true)", [oid])
            except psycopg.Error:
                conn.execute("SELECT count(*) FROM returns_agencyreturn")
                conn.execute("SELECT count(*) FROM activity_activityentry")
        return True


def verify(db: Db, writers: list[Writer]) -> tuple[bool, int, int]:
    """(integrity ok, acknowledged saves missing, saves stored but never acknowledged)."""
    ok = db.integrity_ok()
    missing = 0
    extra = 0
    for w in writers:
        row = db.rows(
            "SELECT version, strengths FROM returns_agencyreturn WHERE id = ?", [w.return_id]
        )[0]
        logged = {
            (data if isinstance(data, dict) else json.loads(str(data)))["version"]
            for (data,) in db.rows(
                "SELECT data FROM activity_activityentry WHERE action = 'return.saved' "
                "AND target_id = ?",
                [w.return_id],
            )
        }
        for version, text in w.acked:
            stored = version in logged and int(str(row[0])) >= version
            if not stored or (row[0] == version and row[1] != text):
                missing += 1
        extra += len(logged - {v for v, _ in w.acked})
    return ok, missing, extra


def _fresh_pg_database(url: str) -> tuple[str, str]:
    """Create an empty database on the server `url` names; returns (its URL, its name)."""
    import uuid

    import psycopg

    name = f"maca_crash_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def _drop_pg_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--database-url", default="", help="run against PostgreSQL instead")
    args = parser.parse_args()
    global DATABASE_URL
    pg_name = ""
    if args.database_url:
        DATABASE_URL, pg_name = _fresh_pg_database(args.database_url)
    rng = random.Random(args.seed)  # noqa: S311 - kill timing, not security
    data_dir = Path(tempfile.mkdtemp(prefix="maca-crash-"))
    print(f"data directory: {data_dir}")
    writers = setup(data_dir, args.writers)
    db = Db(data_dir)
    integrity_ok = 0
    lost = 0
    started = time.monotonic()
    for round_no in range(1, args.rounds + 1):
        port = _free_port()
        server = start_server(data_dir, port)
        stop = threading.Event()
        threads = [
            threading.Thread(target=write_loop, args=(w, port, stop, round_no), daemon=True)
            for w in writers
        ]
        before = sum(len(w.acked) for w in writers)
        for t in threads:
            t.start()
        time.sleep(rng.uniform(1.5, 5.0))
        os.killpg(server.pid, signal.SIGKILL)
        stop.set()
        server.wait()
        for t in threads:
            t.join(timeout=35)
        ok, missing, extra = verify(db, writers)
        integrity_ok += ok
        lost = missing
        acked = sum(len(w.acked) for w in writers)
        print(
            f"round {round_no:>2}: {acked - before:>4} acknowledged saves; integrity "
            f"{'ok' if ok else 'FAILED'}; acknowledged missing so far {missing}; stored but "
            f"unacknowledged so far {extra}"
        )
    acked = sum(len(w.acked) for w in writers)
    summary = {
        "engine": "postgresql" if DATABASE_URL else "sqlite",
        "rounds": args.rounds,
        "writers": args.writers,
        "acknowledged_saves": acked,
        "acknowledged_lost": lost,
        "integrity_ok_rounds": integrity_ok,
        "conflicts": sum(w.conflicts for w in writers),
        "other_errors": sum(w.errors for w in writers),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(summary, indent=2))
    passed = lost == 0 and integrity_ok == args.rounds and acked > 0
    print(
        f"{'PASS' if passed else 'FAIL'}: {acked} acknowledged saves over {args.rounds} "
        f"SIGKILLs, {lost} lost, integrity ok {integrity_ok}/{args.rounds}"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
        if pg_name:
            _drop_pg_database(args.database_url, pg_name)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
