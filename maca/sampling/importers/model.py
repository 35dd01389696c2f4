"""Records, problems and results produced by the case-pool readers.

Pure Python (no Django) so the readers can be fuzzed and benchmarked on their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]
SourceKind = Literal["sheet", "csv", "xml"]

# Canonical event kinds, in the order used to sort events that share a date.
EVENT_KINDS: tuple[str, ...] = (
    "referral",
    "referral_decision",
    "cin_start",
    "s47_start",
    "assessment_start",
    "icpc",
    "icpc_not_required",
    "cin_plan_start",
    "cp_plan_start",
    "cp_review",
    "cla_start",
    "assessment_authorised",
    "cin_plan_end",
    "cp_plan_end",
    "cla_end",
    "cin_end",
)
_KIND_ORDER = {kind: index for index, kind in enumerate(EVENT_KINDS)}

EVENT_LABELS: dict[str, str] = {
    "referral": "referral",
    "referral_decision": "referral decision",
    "cin_start": "child in need episode start",
    "s47_start": "section 47 enquiry start (strategy discussion)",
    "assessment_start": "assessment start",
    "icpc": "initial child protection conference",
    "icpc_not_required": "initial child protection conference deemed unnecessary",
    "cin_plan_start": "child in need plan start",
    "cp_plan_start": "child protection plan start",
    "cp_review": "child protection review conference",
    "cla_start": "start of being looked after",
    "assessment_authorised": "assessment authorised",
    "cin_plan_end": "child in need plan end",
    "cp_plan_end": "child protection plan end",
    "cla_end": "end of being looked after",
    "cin_end": "child in need episode closure",
}


class UnreadableFile(Exception):
    """The file is not what it claims to be (corrupt, empty, not XML, unrecognised layout).

    Distinct from a *refused* file: a refused file was read, but some required values are
    unusable (see ``ImportResult.errors``).
    """


@dataclass(frozen=True)
class Problem:
    """A warning, error or note about one place in the input.

    ``sheet`` is the worksheet name, or ``"CSV"`` / ``"XML"``. ``row`` is the row as a
    spreadsheet numbers it (1-based, the header row included); for XML it is the line number.
    ``column`` is the header as written in the file (the element name for XML).
    """

    severity: Severity
    kind: SourceKind
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    expected: str | None = None

    @property
    def location(self) -> str:
        if self.kind == "sheet":
            where = f'Sheet "{self.sheet}"'
            if self.row is not None:
                where += f", row {self.row}"
        else:
            where = self.sheet
            if self.row is not None:
                where += f" {'line' if self.kind == 'xml' else 'row'} {self.row}"
        if self.column is not None:
            noun = "element" if self.kind == "xml" else "column"
            where += f', {noun} "{self.column}"'
        return where

    def __str__(self) -> str:
        text = self.location
        if self.value:
            text += f': "{self.value}" {self.message}'
        elif self.column is not None:
            text += f" {self.message}"
        else:
            text += f": {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "expected": self.expected,
            "text": str(self),
        }


@dataclass(frozen=True)
class Event:
    """One dated event in a child's history, as the council's return records it."""

    kind: str
    date: dt.date
    category: str | None = None  # category of abuse, on cp_plan_start (initial) / cp_plan_end
    team: str | None = None  # the council's allocated team on that row, where given
    source: str = ""  # "List 3", "CSV", "XML"

    def sort_key(self) -> tuple[dt.date, int, str, str]:
        return (self.date, _KIND_ORDER.get(self.kind, 99), self.category or "", self.team or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.date.isoformat(),
            "category": self.category,
            "team": self.team,
            "source": self.source,
        }


@dataclass(frozen=True)
class ChildRecord:
    """What the case pool keeps about one child: only what audits need.

    ``child_id`` is the pseudonymised ID when the reader was given a ``pseudonymise``
    function (the raw council ID is then never stored), otherwise the raw council ID.
    ``age_years`` is kept only when the date of birth is not known.
    """

    child_id: str
    date_of_birth: dt.date | None = None
    age_years: float | None = None
    sex: str | None = None
    ethnicity: str | None = None
    team: str | None = None
    events: tuple[Event, ...] = ()
    sources: tuple[str, ...] = ()

    def events_of(self, kind: str) -> tuple[Event, ...]:
        return tuple(event for event in self.events if event.kind == kind)

    def merged(self, other: ChildRecord) -> ChildRecord:
        """Combine two records of the same child: first non-empty value wins, events union."""
        if other.child_id != self.child_id:
            raise ValueError("cannot merge records of different children")
        events = merge_events(self.events, other.events)
        dob = self.date_of_birth or other.date_of_birth
        return ChildRecord(
            child_id=self.child_id,
            date_of_birth=dob,
            age_years=None
            if dob
            else (self.age_years if self.age_years is not None else other.age_years),
            sex=self.sex or other.sex,
            ethnicity=self.ethnicity or other.ethnicity,
            team=latest_team(events) or self.team or other.team,
            events=events,
            sources=tuple(dict.fromkeys(self.sources + other.sources)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "age_years": self.age_years,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "team": self.team,
            "events": [event.to_dict() for event in self.events],
            "sources": list(self.sources),
        }


def merge_events(first: Iterable[Event], second: Iterable[Event]) -> tuple[Event, ...]:
    """Union of two event lists; the same kind on the same date is one event.

    When both copies exist, the first is kept and its missing category or team is filled in
    from the second.
    """
    by_key: dict[tuple[str, dt.date], Event] = {}
    for event in (*first, *second):
        key = (event.kind, event.date)
        kept = by_key.get(key)
        if kept is None:
            by_key[key] = event
        elif (kept.category is None and event.category) or (kept.team is None and event.team):
            by_key[key] = replace(
                kept, category=kept.category or event.category, team=kept.team or event.team
            )
    return tuple(sorted(by_key.values(), key=Event.sort_key))


def latest_team(events: Iterable[Event]) -> str | None:
    """The team on the most recent event that names one."""
    team = None
    for event in sorted(events, key=Event.sort_key):
        if event.team:
            team = event.team
    return team


@dataclass(frozen=True)
class RowRecord:
    """One row's worth of a child (one list row, one CSV row, one XML ``<Child>``).

    The same child may appear in several row records; ``Merger`` (or ``read_file``) merges
    them. ``columns`` maps record fields (``date_of_birth``, ``sex``, ``ethnicity``) to the
    header they came from, so conflicts can be reported at the right cell.
    """

    record: ChildRecord
    kind: SourceKind
    sheet: str
    row: int
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Summary:
    """Counts and problems of one read; complete once the records have been iterated."""

    format: str
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, problem: Problem) -> None:
        {"error": self.errors, "warning": self.warnings, "note": self.notes}[
            problem.severity
        ].append(problem)


@dataclass
class ImportResult(Summary):
    """A whole file read and merged: one ``ChildRecord`` per child, in first-seen order."""

    records: dict[str, ChildRecord] = field(default_factory=dict)

    @property
    def children(self) -> int:
        return len(self.records)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "ok": self.ok,
            "children": self.children,
            "counts": dict(self.counts),
            "warnings": [problem.to_dict() for problem in self.warnings],
            "errors": [problem.to_dict() for problem in self.errors],
            "notes": [problem.to_dict() for problem in self.notes],
        }
