"""Page speed at partnership scale: the main pages under 20 concurrent signed-in users.

    uv run python bench/pages.py [--quick] [--seconds N] [--users N]

Builds (or reuses) the large synthetic partnership (bench/partnership.py), copies its database,
starts the production server (gunicorn, DEBUG off) on the copy and, page by page, has 20
clients, each signed in as their own user with the second factor given, request the page as
fast as they can for N seconds (`--quick`: 10 clients, a smoke-level check). Before anything
is timed, every worker process has served every page, the floor included. The floor is a
bench-only page served the same way in the same run: the same sign-in and middleware, the same
base layout, a 25-row table from one query
(bench/pages_urls.py). It is measured just before each page, and each page's ratio is to
that window's floor: the machine's load drifts, and neighbours in time see the same load.

Prints one JSON object: {"floor": {...}, "pages": [{"name", "p50", "p95", "p99", "requests",
"errors", "floor": {...}}, ...]} with times in seconds. bench/run.py turns it into report lines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import partnership  # noqa: E402

RUN = partnership.OUT / "run"
USERS = partnership.USERS
QUICK_USERS = 10  # still twice the workers, so requests queue as they do with 20


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    role: str  # "admin" or "csc": which bench users request it


# Not here: the timeliness page (audits:timeliness), which reads the pool children with a clock
# in the audit's period by design; it is linked from the audit page, not part of it.
PAGES = [
    Page("dashboard", "/", "admin"),
    Page("audit page (auditing, 10 cases)", "/audits/bench-auditing/", "admin"),
    Page("case page", "/audits/bench-auditing/cases/1/", "admin"),
    Page(
        "return form (agency auditor, draft)", "/audits/bench-auditing/cases/1/returns/csc/", "csc"
    ),
    Page(
        "moderation page (every return side by side)",
        "/audits/bench-moderation/cases/1/compare/",
        "admin",
    ),
    Page("briefing editor with its live preview", "/briefings/bench-reporting/edit/", "admin"),
]
FLOOR = Page("floor", "/bench/floor/", "admin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(mode: str) -> dict[str, str]:
    """A fresh copy of the generated database, its static files, and the server's settings."""
    source = partnership.ensure(mode)
    shutil.rmtree(RUN, ignore_errors=True)
    shutil.copytree(source, RUN)
    env = {
        **os.environ,
        **partnership.environment(RUN),
        "DJANGO_SETTINGS_MODULE": "pages_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    }
    env.pop("DATABASE_URL", None)
    manifest = partnership.OUT / "static" / "staticfiles.json"
    sources = (ROOT / "maca" / "static").rglob("*")
    if not manifest.exists() or any(
        p.stat().st_mtime > manifest.stat().st_mtime for p in sources if p.is_file()
    ):
        subprocess.run(
            [sys.executable, "-m", "maca.cli", "collectstatic", "--noinput", "-v0"],
            check=True,
            cwd=ROOT,
            env=env,
        )
    return env


def sessions(env: dict[str, str], users: int) -> tuple[str, dict[str, list[str]]]:
    """Session cookies for the first `users` bench users of each role, with the second factor
    given."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maca.partnerships.models import User

    cookies: dict[str, list[str]] = {"admin": [], "csc": []}
    for role in cookies:
        for n in range(1, users + 1):
            user = User.objects.get(username=f"bench-{role}-{n:02d}")
            client = Client()
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
            session.save()
            cookies[role].append(session.session_key or "")
    from django.db import connection

    connection.close()
    return settings.SESSION_COOKIE_NAME, cookies


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--preload",
            # Idle sync workers can take seconds to notice a TERM; nothing is in flight at the
            # end, so the master need not wait for them.
            "--graceful-timeout",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/healthz", {})
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def warm_workers(
    port: int, pages: list[Page], cookie_name: str, cookies: dict[str, list[str]], workers: int
) -> None:
    """Every worker serves every page (floor included) before anything is timed.

    Gunicorn hands each request to an idle worker, so rounds of as many requests at once as
    there are workers reach all (or nearly all) of them; the same for the floor and the pages.
    The application warms itself at start (maca/core/warmup.py); this covers the rest (a
    worker's database connection, lazily built state) on both sides alike.
    """
    for page in pages:
        for _ in range(2):
            keys = [cookies[page.role][n % len(cookies[page.role])] for n in range(workers)]
            threads = [
                threading.Thread(
                    target=get, args=(port, page.path, {"Cookie": f"{cookie_name}={k}"})
                )
                for k in keys
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()


def load(
    port: int, page: Page, cookie_name: str, cookies: list[str], seconds: float, warm: float
) -> dict[str, Any]:
    """Every client requests the page back to back; latencies after the warm-up are kept."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    warmed = threading.Barrier(len(cookies))
    bounds: list[float] = []

    def client(session_key: str) -> None:
        headers = {"Cookie": f"{cookie_name}={session_key}"}
        # Every worker has served the page already (warm_workers); everyone starts together.
        if warmed.wait() == 0:
            bounds[:] = [time.monotonic() + warm, time.monotonic() + warm + seconds]
        warmed.wait()
        measure_from, stop = bounds
        measured = 0
        while True:
            began = time.monotonic()
            if began >= stop and measured:
                return  # every client has at least one timed request, however slow the page
            try:
                status, _ = get(port, page.path, headers)
                problem = "" if status == 200 else f"HTTP {status}"
            except OSError as exc:
                problem = type(exc).__name__
            took = time.monotonic() - began
            if began >= measure_from:
                measured += 1
                with lock:
                    times.append(took)
                    if problem:
                        errors.append(problem)

    threads = [threading.Thread(target=client, args=(key,)) for key in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(page.name, times, errors)


def summary(name: str, times: list[float], errors: list[str]) -> dict[str, Any]:
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else [0] * 99
    return {
        "name": name,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "requests": len(times),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "times": times,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float, default=None, help="measured time per page")
    parser.add_argument("--users", type=int, default=None, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    users = args.users or (QUICK_USERS if args.quick else USERS)
    seconds = args.seconds or (1.0 if args.quick else 10.0)
    warm = 0.0 if args.quick else 1.0  # the first second of each window is not kept
    env = prepare(mode)
    cookie_name, cookies = sessions(env, users)
    port = free_port()
    server = start_server(env, port, args.workers)
    try:
        for page in (FLOOR, *PAGES):  # every page answers before any is timed
            status, _ = get(port, page.path, {"Cookie": f"{cookie_name}={cookies[page.role][0]}"})
            if status != 200:
                raise RuntimeError(f"{page.name} ({page.path}) answered {status}")
        warm_workers(port, [FLOOR, *PAGES], cookie_name, cookies, args.workers)

        def run(page: Page) -> dict[str, Any]:
            return load(port, page, cookie_name, cookies[page.role][:users], seconds, warm)

        # Each page right after its own floor window: the machine's load drifts (other work
        # on a shared machine), and a ratio is only fair between neighbours in time.
        pairs = [(run(FLOOR), run(page)) for page in PAGES]
    finally:
        server.terminate()
        server.wait(timeout=30)
    floors = [floor for floor, _ in pairs]
    floor = summary(
        "floor",
        [t for f in floors for t in f["times"]],
        ["error"] * sum(f["errors"] for f in floors),
    )
    pages = [
        {**page, "floor": {k: v for k, v in floor.items() if k != "times"}} for floor, page in pairs
    ]
    out = {
        "users": users,
        "workers": args.workers,
        "seconds": seconds,
        "mode": mode,
        "data": partnership.SIZES[mode],
        "floor": {k: v for k, v in floor.items() if k != "times"},
        "pages": [{k: v for k, v in p.items() if k != "times"} for p in pages],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()


def report_lines(audits: int, line_cls: type) -> list[Any]:
    """bench/run.py's lines, one a page: p95 against the floor's p95 (goal 2x, no errors).

    `audits` picks the size (12 quick, 120 full); `line_cls` is run.py's Line.
    """

    @dataclass
    class PageLine(line_cls):  # type: ignore[valid-type,misc]
        errors: int = 0

        @property
        def met(self) -> bool:
            return self.errors == 0 and self.measured > 0 and bool(super().met)

    quick = audits < partnership.SIZES["full"]["audits"]
    done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(Path(__file__)), *(["--quick"] if quick else [])],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    runs = (
        f"{result['users']} clients at once, {result['seconds']:g} s a page, "
        f"gunicorn {result['workers']} workers, SQLite"
    )

    def floor_name(floor: dict[str, Any]) -> str:
        return (
            f"floor page measured just before, p95 of {floor['requests']} requests, "
            f"{floor['errors']} errors"
        )

    return [
        PageLine(
            f"page {page['name']}: p95 of {page['requests']} requests "
            f"(p50 {page['p50']:.3g} s, p99 {page['p99']:.3g} s, {page['errors']} errors)",
            page["p95"],
            floor_name(page["floor"]),
            page["floor"]["p95"],
            2,
            runs=runs,
            errors=page["errors"] + page["floor"]["errors"],
        )
        for page in result["pages"]
    ]
