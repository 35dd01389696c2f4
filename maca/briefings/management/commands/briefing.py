"""`maca briefing AUDIT --format html|pdf|docx|txt --output FILE` (contracts.md section 1).

Renders the audit's published 7 minute briefing (the stored file, exactly as checked when it
was published) or, when none is published, its current draft marked DRAFT, then runs the
disclosure check on the rendered file. Exit 0 written; 1 the check found something (each
finding on stderr, no file written); 2 unusable arguments or an unknown audit.
"""

from __future__ import annotations

import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from maca.briefings.renderers import FORMATS

if TYPE_CHECKING:
    from maca.briefings.models import Briefing

FINDINGS = 1
UNUSABLE = 2


class Command(BaseCommand):
    help = (
        "Render an audit's 7 minute briefing (published, or the draft marked DRAFT) after "
        "checking the rendered file for identifying data. Exit 0 ok, 1 findings, 2 unusable."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("audit", metavar="AUDIT", help="the audit's (or review's) reference")
        parser.add_argument("--format", dest="fmt", required=True, choices=sorted(FORMATS))
        parser.add_argument("--output", required=True, metavar="FILE")
        parser.add_argument(
            "--partnership", metavar="SLUG", help="when several share the reference"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from maca.briefings import services

        fmt: str = options["fmt"]
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"No such folder for --output: {output.parent}", returncode=UNUSABLE)
        briefing = _find(options["audit"], options["partnership"])
        stored = services.published_file(briefing, fmt) if briefing.pk else None
        if stored is not None:
            data = bytes(stored.data)
            what = f"published version {briefing.published_version.number}"  # type: ignore[union-attr]
            findings = services.check_rendered(briefing, data, fmt)
        else:
            content = services.draft_content(briefing)
            checked = services.render_checked(briefing, content, (fmt,))
            data, findings = checked.files[fmt], checked.findings[fmt]
            what = f"draft version {content.version}" if briefing.pk else "draft composed now"
        if findings:
            for finding in findings:
                self.stderr.write(str(finding))
            noun = "finding" if len(findings) == 1 else "findings"
            raise CommandError(
                f"{len(findings)} {noun}: the briefing was not written. Reword it and try again.",
                returncode=FINDINGS,
            )
        _write_atomically(output, data)
        self.stdout.write(f"Wrote {output} ({what}, {fmt}).")


def _find(reference: str, partnership_slug: str | None) -> Briefing:
    """The briefing with this reference; for an audit without one, an unsaved composed draft."""
    from maca.audits.models import Audit
    from maca.briefings.models import Briefing, SourceKind

    briefings = Briefing.objects.filter(reference=reference).select_related(
        "audit", "partnership", "published_version"
    )
    audits = Audit.objects.filter(reference=reference).select_related("partnership")
    if partnership_slug:
        briefings = briefings.filter(partnership__slug=partnership_slug)
        audits = audits.filter(partnership__slug=partnership_slug)
    found = list(briefings[:2])
    matching_audits = [] if found else list(audits[:2])
    if len(found) > 1 or len(matching_audits) > 1:
        raise CommandError(
            f"Several partnerships use the reference {reference!r}: add --partnership SLUG.",
            returncode=UNUSABLE,
        )
    if found:
        return found[0]
    if not matching_audits:
        raise CommandError(f"No audit with the reference {reference!r}.", returncode=UNUSABLE)
    audit = matching_audits[0]
    return Briefing(
        partnership=audit.partnership,
        audit=audit,
        reference=audit.reference,
        title=audit.title,
        source_kind=SourceKind.AUDIT,
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
