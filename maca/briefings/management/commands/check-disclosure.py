"""`maca check-disclosure FILE [--audit AUDIT]` (contracts.md section 1).

Checks a rendered document (html, pdf, docx, txt) for identifying data and prints each finding
with its location on stdout. Exit 0 clean, 1 findings, 2 unusable arguments, an unreadable
file or an unknown audit (message on stderr, nothing on stdout).

Without --audit it needs no environment variables and never opens the database: only the pure
`maca.briefings.disclosure` package is imported at module level.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maca.briefings.disclosure import (
    FORMATS,
    NATIONAL_REVIEW_NAMES,
    KnownIdentifiers,
    UnreadableDocument,
    check_pieces,
    extract_file,
)

FINDINGS = 1
UNUSABLE = 2


class Command(BaseCommand):
    help = (
        "Check a rendered document (html, pdf, docx with headers, footers, comments, alt text "
        "and metadata; txt) for identifying data: UK patterns always, plus the audit's known "
        "identifiers with --audit. Exit 0 clean, 1 findings, 2 unusable input."
    )
    # No system checks and no migration checks: without --audit this must not need a database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", metavar="FILE", help=f"the document ({', '.join(sorted(FORMATS))})"
        )
        parser.add_argument(
            "--audit",
            metavar="AUDIT",
            help="also look for this audit's known identifiers (the audit's reference)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            pieces = extract_file(path)
        except UnreadableDocument as exc:
            raise CommandError(str(exc), returncode=UNUSABLE) from None
        known: KnownIdentifiers | None = None
        allow: tuple[str, ...] = NATIONAL_REVIEW_NAMES
        if options["audit"] is not None:
            known, allow = _for_audit(options["audit"])
        findings = check_pieces(pieces, known=known, allow=allow)
        if not findings:
            self.stdout.write(f"No identifying data found in {path}.")
            return
        for finding in findings:
            self.stdout.write(str(finding))
        noun = "finding" if len(findings) == 1 else "findings"
        raise CommandError(
            f"{len(findings)} {noun} in {path}: remove or reword each one before publishing.",
            returncode=FINDINGS,
        )


def _for_audit(reference: str) -> tuple[KnownIdentifiers, tuple[str, ...]]:
    """The audit's known identifiers and allow-list; the database is only opened here."""
    from django.db import DatabaseError

    from maca.audits.models import Audit
    from maca.briefings.disclosure.django_known import (
        allow_list_for_audit,
        known_identifiers_for_audit,
    )

    if not reference.strip():
        raise CommandError("--audit needs an audit reference.", returncode=UNUSABLE)
    try:
        audits = list(Audit.objects.filter(reference=reference)[:2])
        if not audits:
            raise CommandError(f"No audit with the reference {reference!r}.", returncode=UNUSABLE)
        if len(audits) > 1:
            raise CommandError(
                f"More than one partnership has an audit with the reference {reference!r}.",
                returncode=UNUSABLE,
            )
        return known_identifiers_for_audit(audits[0]), allow_list_for_audit(audits[0])
    except DatabaseError as exc:
        # Not "clean" and not "findings": the check could not be done.
        raise CommandError(
            f"Cannot read the audit from the database: {exc}", returncode=UNUSABLE
        ) from None
