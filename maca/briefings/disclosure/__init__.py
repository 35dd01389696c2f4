"""The disclosure check for published documents (pure Python: importing it never loads Django).

    from maca.briefings.disclosure import KnownIdentifiers, check_file
    findings = check_file("briefing.pdf", known=KnownIdentifiers(names=["Ivy"]))

`maca.briefings.disclosure.django_known` reads an audit's known identifiers from the database;
it is the only module here that touches Django, and only when called.
"""

from maca.briefings.disclosure.check import check_bytes, check_file, check_pieces, check_text
from maca.briefings.disclosure.core import (
    KIND_LABELS,
    Finding,
    KnownIdentifiers,
    Piece,
    UnreadableDocument,
    mask,
)
from maca.briefings.disclosure.detect import NATIONAL_REVIEW_NAMES, Detector, nhs_number_valid
from maca.briefings.disclosure.extract import FORMATS, extract_bytes, extract_file

__all__ = [
    "FORMATS",
    "KIND_LABELS",
    "NATIONAL_REVIEW_NAMES",
    "Detector",
    "Finding",
    "KnownIdentifiers",
    "Piece",
    "UnreadableDocument",
    "check_bytes",
    "check_file",
    "check_pieces",
    "check_text",
    "extract_bytes",
    "extract_file",
    "mask",
    "nhs_number_valid",
]
