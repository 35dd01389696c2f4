"""`maca import-cases FILE [--format annex-a|cin-census|csv]`: stream a list into the case pool."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.partnerships.models import Partnership
from maca.partnerships.selectors import PartnershipNotChosen, partnership_for_command
from maca.sampling import services
from maca.sampling.importers import FORMATS, UnreadableFile


class Command(BaseCommand):
    help = (
        "Import children into the case pool from Annex A, the CIN census or a CSV (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="detected when not given")
        parser.add_argument("--partnership", help="partnership slug (needed if there are several)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        partnership = _partnership(options["partnership"])
        tty = sys.stderr.isatty()

        def progress(done: int, total: int | None) -> None:
            if not tty:
                return
            if total:
                width = 30
                filled = int(width * min(done, total) / total)
                sys.stderr.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows"
                )
            else:
                sys.stderr.write(f"\r{done:,} rows read")
            sys.stderr.flush()

        try:
            summary = services.pool_import(
                actor=None,
                partnership=partnership,
                source=path,
                filename=path.name,
                format=options["format"],
                progress=progress,
            )
        except UnreadableFile as exc:
            raise CommandError(f"{path.name}: {exc}", returncode=2) from exc
        except services.PoolImportRefused as exc:
            lines = [f"{path.name} was refused; nothing was saved. Problems:"]
            lines += [f"  {p}" for p in exc.errors]
            raise CommandError("\n".join(lines), returncode=1) from exc
        finally:
            if tty:
                sys.stderr.write("\n")
        for line in summary.lines():
            self.stdout.write(line)
        for problem in summary.warnings:
            self.stdout.write(f"  warning: {problem}")
        for note in summary.notes:
            self.stdout.write(f"  note: {note}")


def _partnership(slug: str | None) -> Partnership:
    try:
        return partnership_for_command(slug)
    except PartnershipNotChosen as exc:
        raise CommandError(str(exc), returncode=2) from exc
