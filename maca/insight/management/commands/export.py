"""`maca export AUDIT --format xlsx|csv --output FILE` (contracts.md section 1).

Grades, answers, findings and actions with pseudonymous references only: xlsx with one sheet
per kind, or a zip of one CSV per kind. Exit 0 written; 2 unusable arguments or an unknown
audit (message on stderr, nothing on stdout, no file left).
"""

from __future__ import annotations

import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

UNUSABLE = 2


class Command(BaseCommand):
    help = (
        "Export an audit's grades, answers, findings and actions (case labels only): xlsx "
        "with one sheet per kind, or a zip of one CSV per kind. Exit 0 ok, 2 unusable."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("audit", metavar="AUDIT", help="the audit's reference")
        parser.add_argument("--format", dest="fmt", required=True, choices=["xlsx", "csv"])
        parser.add_argument("--output", required=True, metavar="FILE")
        parser.add_argument(
            "--partnership", metavar="SLUG", help="when several share the reference"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from maca.audits.models import Audit
        from maca.insight.export import RENDERERS, export_tables

        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"No such folder for --output: {output.parent}", returncode=UNUSABLE)
        audits = Audit.objects.filter(reference=options["audit"]).select_related("tool__scale")
        if options["partnership"]:
            audits = audits.filter(partnership__slug=options["partnership"])
        found = list(audits[:2])
        if not found:
            raise CommandError(
                f"No audit with the reference {options['audit']!r}.", returncode=UNUSABLE
            )
        if len(found) > 1:
            raise CommandError(
                f"Several partnerships use the reference {options['audit']!r}: add --partnership SLUG.",
                returncode=UNUSABLE,
            )
        tables = export_tables(found[0])
        data = RENDERERS[options["fmt"]](tables)
        write_atomically(output, data)
        counts = ", ".join(f"{len(t.rows)} {t.name}" for t in tables)
        self.stdout.write(f"Wrote {output} ({counts}).")


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
