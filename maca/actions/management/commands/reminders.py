"""`maca reminders [--dry-run] [--today YYYY-MM-DD]`: e-mail what is due today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "E-mail reminders for returns due, actions due and actions overdue (at most once a "
        "day per thing and person). --dry-run lists them without sending or recording."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="run as if on this date")

    def handle(self, *args: Any, **options: Any) -> None:
        from maca.actions.reminders import reminders_send

        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today {options['today']} is not a date like 2022-06-30", returncode=2
                ) from None
        summary = reminders_send(today=today, dry_run=options["dry_run"])
        if options["dry_run"]:
            for letter in summary.letters:
                self.stdout.write(f"Would e-mail {letter.recipient}:")
                for item in letter.items:
                    self.stdout.write(f"  - {item.text}")
            self.stdout.write(f"{summary.reminders} reminder(s) due; nothing was sent.")
            return
        self.stdout.write(f"Sent {summary.emails} e-mail(s) with {summary.reminders} reminder(s).")
