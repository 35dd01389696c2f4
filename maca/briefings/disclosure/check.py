"""The disclosure check: extract every piece of text from a document, then run the detectors."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from maca.briefings.disclosure.core import Finding, KnownIdentifiers, Piece
from maca.briefings.disclosure.detect import NATIONAL_REVIEW_NAMES, Detector, fold
from maca.briefings.disclosure.extract import extract_bytes, extract_file

# Debug logs say how many findings of which kind, with identifiers masked: never the text.
logger = logging.getLogger(__name__)


def check_pieces(
    pieces: Iterable[Piece],
    *,
    known: KnownIdentifiers | None = None,
    allow: Iterable[str] = NATIONAL_REVIEW_NAMES,
) -> list[Finding]:
    """Findings in document order. The same identifier found again by the sweep of unlabelled
    data (a fallback piece) is dropped: it was already reported where a person can find it."""
    detector = Detector(known, allow)
    findings: list[Finding] = []
    fallback: list[Finding] = []
    for piece in pieces:
        if piece.unchecked:
            findings.append(Finding("unchecked", piece.unchecked, piece.location, "check by eye"))
            continue
        (fallback if piece.fallback else findings).extend(detector.scan(piece))
    reported = {_key(f) for f in findings}
    for finding in fallback:
        if _key(finding) not in reported:
            findings.append(finding)
            reported.add(_key(finding))
    _log(findings)
    return findings


def _key(finding: Finding) -> tuple[str, str]:
    return finding.kind, " ".join(fold(finding.text).lower().split())


def _log(findings: list[Finding]) -> None:
    if not findings:
        logger.debug("Disclosure check: no findings.")
        return
    kinds: dict[str, int] = {}
    for finding in findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
        logger.debug("Disclosure finding: %s %s", finding.kind, finding.masked)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    logger.debug("Disclosure check: %d findings (%s).", len(findings), summary)


def check_text(
    text: str,
    *,
    known: KnownIdentifiers | None = None,
    allow: Iterable[str] = NATIONAL_REVIEW_NAMES,
    location: str = "text",
) -> list[Finding]:
    """Findings in a piece of plain text."""
    return check_pieces([Piece(location, text)], known=known, allow=allow)


def check_file(
    path: str | Path,
    *,
    known: KnownIdentifiers | None = None,
    allow: Iterable[str] = NATIONAL_REVIEW_NAMES,
    fmt: str | None = None,
) -> list[Finding]:
    """Findings in the document at `path` (html, pdf, docx or txt, from its extension unless
    `fmt` says). Raises UnreadableDocument when it cannot be read as that kind of document."""
    return check_pieces(extract_file(path, fmt), known=known, allow=allow)


def check_bytes(
    data: bytes,
    fmt: str,
    *,
    known: KnownIdentifiers | None = None,
    allow: Iterable[str] = NATIONAL_REVIEW_NAMES,
    name: str = "document",
) -> list[Finding]:
    """Findings in a document held in memory (as a renderer produces it)."""
    return check_pieces(extract_bytes(data, fmt, name), known=known, allow=allow)
