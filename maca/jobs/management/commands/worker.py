"""`maca worker [--once] [--sleep SECONDS]`: run background jobs from the database queue."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from maca.jobs import services


class Command(BaseCommand):
    help = (
        "Run queued background jobs (large pool imports). Run one or more under systemd or a "
        "container next to the app servers; --once empties the queue and stops (for cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--sleep", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        import maca.jobs.handlers  # noqa: F401 - registers the handlers

        abandoned = services.fail_abandoned()
        if abandoned:
            self.stderr.write(f"Marked {abandoned} abandoned job(s) as failed.")
        if options["once"]:  # cron: run `maca reminders` beside it for the daily e-mails
            ran = services.run_pending()
            self.stdout.write(f"Ran {ran} job(s).")
            return
        self.stdout.write("Waiting for jobs (Ctrl+C to stop).")
        from maca.actions.reminders import enqueue_if_due

        try:
            while True:
                close_old_connections()
                enqueue_if_due()  # once a day per partnership: the reminders job
                if services.run_next() is None:
                    time.sleep(options["sleep"])
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
