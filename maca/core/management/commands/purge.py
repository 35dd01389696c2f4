"""`maca purge [--dry-run]`: remove identifiable data and log entries past their retention
date (maca/core/retention.py); `--dry-run` only counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maca.core.retention import KINDS, retention_plan, retention_purge

LABELS = {
    "access_log": "access-log entries",
    "activity_log": "activity-log entries",
    "sign_in_records": "sign-in, sign-out and failed sign-in records",
    "case_data": "identifiable case-data rows (restricted records, chronologies, free text)",
    "pool": "case-pool children",
    "job_files": "uploaded files waiting in MACA_DATA_DIR/jobs",
    "restore_leftovers": "files a restore set aside in MACA_DATA_DIR/restore-leftovers",
    "sessions": "expired sessions",
}


class Command(BaseCommand):
    help = (
        "Remove identifiable data and log entries past their retention date (MACA_RETAIN_*), "
        "keeping the pseudonymous audit outcomes; records that it ran in the activity log. "
        "--dry-run lists what would go, per kind, and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            counts = retention_plan().counts()
            verb = "would remove"
        else:
            counts = retention_purge()
            verb = "removed"
        for kind in KINDS:
            self.stdout.write(f"{kind:<17} {counts[kind]:>8}  {verb} {LABELS[kind]}")
