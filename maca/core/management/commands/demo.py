"""`maca demo`: make (or reuse) the demo database and serve it on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.partnerships.demo import ACCOUNTS, DEMO_PASSWORD, NotADemoDatabase, demo_load


class Command(BaseCommand):
    help = "Create or migrate the database, load the demo partnership and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="stop after loading")
        parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        try:
            made = demo_load()
        except NotADemoDatabase as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            "Demo partnership loaded." if made else "Demo partnership already loaded."
        )
        port = options["port"]
        self.stdout.write(f"\nmaca is at http://127.0.0.1:{port}/")
        self.stdout.write(f"Sign in with any of these usernames and the password {DEMO_PASSWORD}:")
        for username, _first, _last, role, agency in ACCOUNTS:
            where = f" ({agency})" if agency else ""
            self.stdout.write(f"  {username:<16} {role.label}{where}")
        if not options["no_serve"]:
            # One process for the demo: the background-job worker runs as a thread beside the
            # server. In production it is its own process (`maca worker`).
            threading.Thread(target=_worker, name="maca-worker", daemon=True).start()
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


def _worker() -> None:
    from django.db import close_old_connections

    import maca.jobs.handlers  # noqa: F401 - registers the handlers
    from maca.actions.reminders import enqueue_if_due
    from maca.jobs import services

    while True:
        close_old_connections()
        enqueue_if_due()  # reminders go out once a day (to the console backend in the demo)
        if services.run_next() is None:
            time.sleep(1)
