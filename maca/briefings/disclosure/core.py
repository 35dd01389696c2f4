"""Value types shared by the extractors and the detectors (pure Python: no Django)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


class UnreadableDocument(Exception):
    """The file cannot be read as the kind of document its extension (or the caller) says.

    A document that cannot be read cannot be checked, so it is never reported as clean.
    Messages name the file and the problem, never the document's content.
    """


# What each finding kind means, in words a panel member understands.
KIND_LABELS: dict[str, str] = {
    "name": "known name",
    "date-of-birth": "known date of birth",
    "address": "known address",
    "council-id": "known council ID",
    "pool-id": "known pool ID",
    "nhs-number": "NHS number",
    "ni-number": "National Insurance number",
    "email": "e-mail address",
    "postcode": "postcode",
    "phone": "phone number",
    "birth-date": "date next to a birth cue",
    "unchecked": "content that cannot be checked",
}


def mask(text: str) -> str:
    """The text with all but its first and last characters starred: safe to log."""
    text = " ".join(text.split())
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def _shown(text: str) -> str:
    """Quote a matched text for the user, making line breaks visible."""
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\t", " ")


@dataclass(frozen=True)
class Finding:
    """One piece of possibly identifying data, and where it is.

    `text` is exactly what the document holds (the user needs it to find and fix it): print it
    to the user, but log only `masked`.
    """

    kind: str
    text: str
    location: str
    context: str

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def masked(self) -> str:
        return mask(self.text)

    def __str__(self) -> str:
        return f'{self.location}: {self.label} "{_shown(self.text)}" in "{self.context}"'


@dataclass(frozen=True)
class Piece:
    """A run of text taken from one place in a document.

    `marks` are (offset, sub-location) pairs in offset order, such as (120, "line 4"), so a
    finding can say where in the piece it is. Pieces marked `fallback` come from a sweep of data
    no specific reader covers; their findings are dropped when the same identifier was already
    found in a specific place. A piece with `unchecked` set is content the check cannot read
    (such as a page that is only an image): it is always a finding, for a person to look at.
    """

    location: str
    text: str
    marks: tuple[tuple[int, str], ...] = ()
    fallback: bool = False
    unchecked: str = ""

    def locate(self, offset: int) -> str:
        if not self.marks:
            return self.location or "text"
        index = bisect.bisect_right([m[0] for m in self.marks], offset) - 1
        if index < 0:
            return self.location or "text"
        sub = self.marks[index][1]
        return f"{self.location} ({sub})" if self.location else sub


def _strings(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    seen: dict[str, None] = {}
    for value in values:
        value = " ".join(str(value).split())
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


@dataclass(frozen=True)
class KnownIdentifiers:
    """Identifiers on record for the children in an audit, to look for in a document.

    Names are matched as whole words (each name as given: pass given and family names
    separately as well as the full name). Its repr shows counts only, so it can never put an
    identifier into a log or a traceback.
    """

    names: tuple[str, ...] = ()
    dates_of_birth: tuple[dt.date, ...] = ()
    addresses: tuple[str, ...] = ()
    council_ids: tuple[str, ...] = ()
    pool_ids: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", _strings(self.names))
        object.__setattr__(self, "addresses", _strings(self.addresses))
        object.__setattr__(self, "council_ids", _strings(self.council_ids))
        object.__setattr__(self, "pool_ids", _strings(self.pool_ids))
        dates = self.dates_of_birth
        if isinstance(dates, dt.date):
            dates = (dates,)
        object.__setattr__(self, "dates_of_birth", tuple(dict.fromkeys(d for d in dates if d)))

    def __repr__(self) -> str:
        return (
            f"KnownIdentifiers({len(self.names)} names, {len(self.dates_of_birth)} dates of "
            f"birth, {len(self.addresses)} addresses, {len(self.council_ids)} council IDs, "
            f"{len(self.pool_ids)} pool IDs)"
        )

    def __bool__(self) -> bool:
        return any(
            (self.names, self.dates_of_birth, self.addresses, self.council_ids, self.pool_ids)
        )
