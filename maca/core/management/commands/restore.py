"""`maca restore FILE`: check a backup's signature and every checksum, then restore it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `maca backup` into the database in use (same kind: SQLite "
        "or PostgreSQL) and MACA_DATA_DIR. Nothing changes unless the archive's signature and "
        "every checksum match. Stop maca first; run `maca migrate` afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive `maca backup` wrote")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source}: no such file.", returncode=2)
        try:
            result = backup_restore(source)
        except BackupError as exc:
            raise CommandError(exc.message, returncode=exc.code) from exc
        self.stdout.write(
            f"Restored the {result.engine} database and {result.files} files from the backup "
            f"made {result.created}."
        )
        if result.set_aside:
            self.stdout.write(
                f"{result.set_aside} files saved after the backup are not in it: they were "
                f"moved to {result.leftovers}. Check them: they may hold personal data, and "
                "nothing in maca refers to them now. `maca purge` deletes them after "
                f"{settings.MACA_RETENTION['restore_leftovers_days']} days "
                "(MACA_RETAIN_RESTORE_LEFTOVERS_DAYS)."
            )
