"""`maca backup FILE`: the whole database and data files in one signed archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the files under MACA_DATA_DIR to FILE "
        "(a tar archive with a manifest signed under MACA_BACKUP_KEY)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the archive (replaced if it exists)")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"])
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such folder.", returncode=2)
        try:
            manifest = backup_create(target)
        except BackupError as exc:
            raise CommandError(exc.message, returncode=exc.code) from exc
        files = sum(1 for m in manifest["members"] if m.startswith("files/"))
        self.stdout.write(
            f"Backed up the {manifest['engine']} database and {files} files to {target} "
            f"({manifest['created']})."
        )
