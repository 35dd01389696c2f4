"""Reading a chronology file (contracts.md section 3) into typed, validated records.

Every problem is collected before raising, so a user fixes a file in one pass. Date-only events
stay date-only: the evaluator needs to know a time was never recorded, not guess midnight.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from .errors import ChronologyError
from .vocabulary import ENUM_FIELDS, EVENT_TYPES

LONDON = ZoneInfo("Europe/London")

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class Child:
    """The child the chronology is about; `ref` is a pseudonymous label such as "Child A"."""

    ref: str
    non_mobile: bool = True
    date_of_birth: date | None = None


_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


class Event(NamedTuple):
    """One chronology entry. `time` is None when only a date was recorded.

    A named tuple rather than a frozen dataclass: as immutable, and built about ten times
    faster, which counts when a batch of chronologies holds millions of events.
    """

    index: int  # type: ignore[assignment]  # the field hides tuple.index, unused here
    type: str
    at: str
    local_date: date
    local_time: time | None
    incident: str | None = None
    agency: str | None = None
    summary: str | None = None
    reason: str | None = None
    fields: Mapping[str, Any] = _NO_FIELDS

    @property
    def date_only(self) -> bool:
        return self.local_time is None

    @property
    def start_key(self) -> tuple[date, time]:
        """Sort key as a clock start: a date-only event starts at the start of its day."""
        return (self.local_date, self.local_time or time.min)

    @property
    def stop_key(self) -> tuple[date, time]:
        """Sort key as a clock stop: a date-only event stops at the end of its day."""
        return (self.local_date, self.local_time or time.max)

    def local_datetime(self) -> datetime | None:
        """The recorded local date-time, or None for a date-only event."""
        if self.local_time is None:
            return None
        return datetime.combine(self.local_date, self.local_time)


@dataclass(frozen=True)
class Chronology:
    """One child's chronology: the child and the events in input order."""

    child: Child
    events: tuple[Event, ...]


@lru_cache(maxsize=4096)  # a pure function: a batch repeats its dates of birth
def parse_date(value: str) -> date:
    """Parse a strict `YYYY-MM-DD` date; raises ValueError with a user-facing message."""
    if not _DATE_RE.match(value):
        raise ValueError(f"{value!r} is not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date") from None


@lru_cache(maxsize=65536)  # a pure function: chronologies repeat the same dates and times
def parse_at(value: str) -> tuple[date, time | None]:
    """Parse an event's `at` into a Europe/London date and time (None for a date-only value)."""
    # The two usual shapes, plain ASCII digits: a big batch has more distinct times than the
    # cache holds. Anything else, or anything that fails, takes the checks below (and messages).
    size = len(value)
    if (
        (size == 10 or (size == 16 and value[10] == "T" and value[13] == ":"))
        and value.isascii()
        and value[4] == "-"
        and value[7] == "-"
        and value[:4].isdigit()
        and value[5:7].isdigit()
        and value[8:10].isdigit()
    ):
        try:
            if size == 10:
                return date.fromisoformat(value), None
            if value[11:13].isdigit() and value[14:].isdigit():
                moment = datetime.fromisoformat(value)
                return moment.date(), moment.time()
        except ValueError:
            pass
    if _DATE_RE.match(value):
        return parse_date(value), None
    match = _DATETIME_RE.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not a date or date-time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        )
    try:
        date.fromisoformat(match["date"])
    except ValueError:
        raise ValueError(f"{match['date']} is not a date") from None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date-time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(LONDON).replace(tzinfo=None)
    return moment.date(), moment.time()


def elapsed_minutes(earlier: datetime, later: datetime) -> int:
    """Real minutes between two Europe/London wall-clock times (right across clock changes)."""
    a = earlier.replace(tzinfo=LONDON).astimezone(UTC)
    b = later.replace(tzinfo=LONDON).astimezone(UTC)
    return int((b - a).total_seconds() // 60)


def parse_chronology(data: Any, *, path: str = "") -> Chronology:
    """Validate a decoded chronology JSON object and return it typed.

    `path` prefixes every message when the chronology sits inside a larger document.
    Raises ChronologyError listing every problem found.
    """
    errors: list[str] = []
    prefix = f"{path}." if path else ""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise ChronologyError([f"{path or 'chronology'}: expected a JSON object"])

    child = _parse_child(data.get("child"), prefix, errors)
    events: list[Event] = []
    raw_events = data.get("events")
    if raw_events is None:
        errors.append(f"{prefix}events: required")
    elif not isinstance(raw_events, list):
        errors.append(f"{prefix}events: expected a list")
    else:
        fast = _fast_event
        for index, raw in enumerate(raw_events):
            # Most events are well formed: the fast check accepts those; anything it does not
            # accept goes through the detailed check, which writes the messages.
            event = fast(index, raw)
            if event is None:
                event = _parse_event(index, raw, f"{prefix}events[{index}]", errors)
            if event is not None:
                events.append(event)
    if errors or child is None:
        raise ChronologyError(errors)
    return Chronology(child=child, events=tuple(events))


def _parse_child(raw: Any, prefix: str, errors: list[str]) -> Child | None:
    where = f"{prefix}child"
    if raw is None:
        errors.append(f"{where}: required")
        return None
    if type(raw) is not dict and not isinstance(raw, Mapping):
        errors.append(f"{where}: expected an object")
        return None
    start = len(errors)
    ref = raw.get("ref")
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        errors.append(f"{where}.ref: required")
    elif not isinstance(ref, str):
        errors.append(f"{where}.ref: expected a string")
    non_mobile = raw.get("non_mobile", True)
    if non_mobile is None:
        non_mobile = True
    if not isinstance(non_mobile, bool):
        errors.append(f"{where}.non_mobile: expected true or false")
    date_of_birth = None
    dob = raw.get("date_of_birth")
    if dob is not None:
        if not isinstance(dob, str):
            errors.append(f"{where}.date_of_birth: expected a date such as 2021-11-02")
        else:
            try:
                date_of_birth = parse_date(dob)
            except ValueError as exc:
                errors.append(f"{where}.date_of_birth: {exc}")
    if len(errors) > start:
        return None
    return Child(ref=str(ref).strip(), non_mobile=bool(non_mobile), date_of_birth=date_of_birth)


# Per event type, the text fields it requires (only agency, summary or reason can be given).
_REQUIRED: dict[str, tuple[str, ...]] = {name: t.required for name, t in EVENT_TYPES.items()}
_ENUMS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(ENUM_FIELDS.items())
_new_event = tuple.__new__


def _fast_event(index: int, raw: Any) -> Event | None:
    """The event, if `raw` is plainly valid; None sends it to `_parse_event` for messages.

    Accepts only what `_parse_event` accepts and builds the same Event; it may decline valid
    but unusual input (a Mapping that is not a dict, a str subclass), which the detailed
    check then accepts. tests/chronology/test_chronology_equivalence.py holds them together.
    """
    if type(raw) is not dict:
        return None
    get = raw.get
    at = get("at")
    type_ = get("type")
    if type(at) is not str or type(type_) is not str:
        return None
    required = _REQUIRED.get(type_)
    if required is None:
        return None
    at = at.strip()
    try:
        when = parse_at(at)
    except ValueError:
        return None
    present = 2  # keys seen so far with a value: when that is all of them, skip the rest
    incident = get("incident")
    if incident is not None:
        present += 1
        kind = type(incident)
        if kind is str:
            incident = incident.strip()
            if not incident:
                return None
        elif kind is int:
            incident = str(incident)
        else:
            return None
    agency = get("agency")
    if agency is not None:
        present += 1
        if type(agency) is not str:
            return None
        agency = agency.strip() or None
    summary = get("summary")
    if summary is not None:
        present += 1
        if type(summary) is not str:
            return None
        summary = summary.strip() or None
    reason = get("reason")
    if reason is not None:
        present += 1
        if type(reason) is not str:
            return None
        reason = reason.strip() or None
    if required:
        texts = {"agency": agency, "summary": summary, "reason": reason}
        for name in required:
            if texts.get(name) is None:
                return None
    if len(raw) > present and not _rare_fields_valid(get):
        return None
    return _new_event(
        Event,
        (
            index,
            type_,
            at,
            when[0],
            when[1],
            incident,
            agency,
            summary,
            reason,
            MappingProxyType(raw.copy()),
        ),
    )


def _rare_fields_valid(get: Callable[[str], Any]) -> bool:
    """The fields `_fast_event` checks only when an event has more than the usual ones."""
    event_id = get("id")
    if event_id is not None and type(event_id) is not str and type(event_id) is not int:
        return False
    for name, allowed in _ENUMS:
        value = get(name)
        if value is not None and value not in allowed:
            return False
    attendees = get("attendees")
    if attendees is not None:
        if type(attendees) is not list:
            return False
        for attendee in attendees:
            if type(attendee) is not str:
                return False
    siblings = get("siblings_considered")
    return siblings is None or type(siblings) is bool


def _parse_event(index: int, raw: Any, where: str, errors: list[str]) -> Event | None:
    if not isinstance(raw, Mapping):
        errors.append(f"{where}: expected an object")
        return None
    start = len(errors)

    at = raw.get("at")
    when: tuple[date, time | None] | None = None
    if at is None:
        errors.append(f"{where}.at: required")
    elif not isinstance(at, str):
        errors.append(f"{where}.at: expected a string such as 2022-01-10 or 2022-01-10T14:30")
    else:
        try:
            when = parse_at(at.strip())
        except ValueError as exc:
            errors.append(f"{where}.at: {exc}")

    type_ = raw.get("type")
    if type_ is None:
        errors.append(f"{where}.type: required")
    elif not isinstance(type_, str) or type_ not in EVENT_TYPES:
        errors.append(f"{where}.type: {unknown_type_message(type_)}")

    incident = _optional_incident(raw.get("incident"), f"{where}.incident", errors)
    texts: dict[str, str | None] = {}
    for name in ("agency", "summary", "reason"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(f"{where}.{name}: expected a string")
            value = None
        texts[name] = value.strip() if isinstance(value, str) and value.strip() else None
    event_id = raw.get("id")
    if event_id is not None and (isinstance(event_id, bool) or not isinstance(event_id, str | int)):
        errors.append(f"{where}.id: expected a string or an integer")

    if isinstance(type_, str) and type_ in EVENT_TYPES:
        for name in EVENT_TYPES[type_].required:
            already_reported = raw.get(name) is not None and not isinstance(raw.get(name), str)
            if texts.get(name) is None and not already_reported:
                errors.append(f"{where}.{name}: required for {type_}")
    for name, allowed in ENUM_FIELDS.items():
        value = raw.get(name)
        if value is not None and value not in allowed:
            errors.append(f"{where}.{name}: expected one of {', '.join(allowed)}, got {value!r}")
    attendees = raw.get("attendees")
    if attendees is not None and (
        not isinstance(attendees, list) or not all(isinstance(a, str) for a in attendees)
    ):
        errors.append(f"{where}.attendees: expected a list of strings")
    siblings = raw.get("siblings_considered")
    if siblings is not None and not isinstance(siblings, bool):
        errors.append(f"{where}.siblings_considered: expected true or false")

    if len(errors) > start or when is None or not isinstance(type_, str) or not isinstance(at, str):
        return None
    return Event(
        index=index,
        type=type_,
        at=at.strip(),
        local_date=when[0],
        local_time=when[1],
        incident=incident,
        agency=texts["agency"],
        summary=texts["summary"],
        reason=texts["reason"],
        fields=MappingProxyType(dict(raw)),
    )


def _optional_incident(value: Any, where: str, errors: list[str]) -> str | None:
    """Incidents are strings or integers in the file and compare as strings."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(f"{where}: expected a string or an integer")
        return None
    text = str(value).strip()
    if not text:
        errors.append(f"{where}: must not be empty (leave it out for the implicit incident)")
        return None
    return text


def unknown_type_message(value: Any) -> str:
    """`'foo' is not a known event type`, with a suggestion when one is close."""
    message = f"{value!r} is not a known event type"
    if isinstance(value, str):
        close = difflib.get_close_matches(value, list(EVENT_TYPES), n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return message


def parse_document(data: Any) -> tuple[Chronology, date | None]:
    """A chronology file, or a worked example `{"as_of": ..., "chronology": {...}}`.

    Returns the chronology and the example's `as_of` (None for a plain chronology file).
    """
    if not (
        (type(data) is dict or isinstance(data, Mapping))
        and "chronology" in data
        and "child" not in data
    ):
        return parse_chronology(data), None
    errors: list[str] = []
    as_of: date | None = None
    raw_as_of = data.get("as_of")
    if raw_as_of is not None:
        if not isinstance(raw_as_of, str):
            errors.append("as_of: expected a date such as 2022-03-31")
        else:
            try:
                as_of = parse_date(raw_as_of)
            except ValueError as exc:
                errors.append(f"as_of: {exc}")
    try:
        chronology = parse_chronology(data["chronology"], path="chronology")
    except ChronologyError as exc:
        raise ChronologyError([*errors, *exc.messages]) from None
    if errors:
        raise ChronologyError(errors)
    return chronology, as_of
