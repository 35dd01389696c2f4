"""The quiet-row shortcut for Annex A list sheets read by calamine (see maca/sampling/README.md).

A big list sheet is mostly rows on which nothing is wrong, made of the same few sexes,
ethnicities, teams and dates over and over. For such a row the full row parser
(``ListRowParser.parse``) does a great deal of work to find that there is nothing to say.
``QuickRows`` builds the very same record from calamine's raw cells with one dictionary look-up
per cell: each column's distinct raw values are normalised once, by the same cell readers the
parser uses, into a scratch summary; a row's events are built once per distinct combination
of its dates, categories, yes/no answers and team. A row is built here only when the parser
would report nothing on it: every value read silently, the child ID plain, no event more than
40 weeks before the birth, no end before its start, no "yes" contradicted by a date. Any other
row (and any row with a cell of an unusual type, such as a bool) returns None, and the caller
gives it to the parser, which reports what it reports exactly as before, in row order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from typing import Any, cast

from .cells import (
    PRE_BIRTH_DAYS,
    read_age,
    read_birth_date,
    read_category,
    read_date,
    read_ethnicity,
    read_sex,
    read_text,
    read_yes_no,
)
from .model import ChildRecord, Event, RowRecord, Summary
from .normalise import child_id_text, is_excel_error, is_placeholder
from .tables import MEMO_LIMIT, DateColumn, ListRowParser

# The raw cell types whose values can share a dictionary without two of them being equal
# while reading differently: text, numbers (a float and an int that are equal read alike once
# converted), dates and datetimes (never equal to each other). bool (True == 1) and anything
# else go to the parser.
_PLAIN = frozenset({str, float, int, dt.date, dt.datetime})
_NOISY = object()  # a value that gives a message: its rows go to the parser
_NO_BIRTH = (None, None)  # neither a date of birth nor an age column
_new = object.__new__
_ID_ODD_STARTS = frozenset("nN-#")  # where a placeholder ("n/a", "-") or an error may start


def cell_value(value: object) -> object:
    """A calamine cell as openpyxl gives it: whole numbers as int, empty text as None (a date
    cell stays a date: every reader treats it and a midnight datetime alike)."""
    kind = value.__class__
    if kind is str:
        return value or None
    if kind is float:
        number = cast(float, value)
        return int(number) if number.is_integer() else number
    return value


class _Column:
    """One column's distinct raw values, each read once into a scratch summary."""

    __slots__ = ("index", "known", "read", "summary")

    def __init__(self, index: int, read: Callable[[object], Any], summary: Summary) -> None:
        self.index = index
        self.known: dict[object, Any] = {}
        self.read = read
        self.summary = summary

    def learn(self, raw: object) -> Any:
        """The value the parser reads from ``raw``, or _NOISY when it would say something."""
        if raw.__class__ not in _PLAIN:
            return _NOISY
        summary = self.summary
        value = self.read(cell_value(raw))
        if summary.errors or summary.warnings or summary.notes:
            summary.errors.clear()
            summary.warnings.clear()
            summary.notes.clear()
            value = _NOISY
        if len(self.known) < MEMO_LIMIT and raw == raw:  # NaN is never found again
            self.known[raw] = value
        return value


def shortcut(parser: ListRowParser, width: int) -> QuickRows | None:
    """The shortcut for a sheet whose rows calamine gives ``width`` cells each (the parser's
    column indexes being those of calamine's rows), or None when a column the parser reads
    lies beyond them (its cells are None on every row: rare, left to the parser)."""
    if any(index >= width for index in parser.index.values()):
        return None
    return QuickRows(parser, width)


class QuickRows:
    """Row records for the quiet rows of one list sheet; None for a row the parser must read."""

    def __init__(self, parser: ListRowParser, width: int) -> None:
        ctx = parser.ctx
        scratch = replace(ctx, summary=Summary(ctx.summary.format))
        header = parser.header
        self.source = parser.source
        self.sources = (parser.source,)
        self.kind, self.sheet = ctx.kind, ctx.sheet
        self.pseudonymise = ctx.pseudonymise
        self.record_columns = parser._record_columns
        self.width = width
        index = parser.index
        self.id_index = index["child_id"]

        age_header = header("age") if "age" in index else None
        # Every column read, in this order; a row's values are looked up into a list, whose
        # positions are kept below (-1: no such column, read as None).
        self.columns: list[_Column] = []

        def position(name: str, read: Callable[[object], Any]) -> int:
            if name not in index:
                return -1
            self.columns.append(_Column(index[name], read, scratch.summary))
            return len(self.columns) - 1

        # A date of birth that reads silently gives (date, None) whatever the age says, so
        # only the date of birth is looked up; one that does not is a warning.
        if "date_of_birth" in index:
            self.birth = position(
                "date_of_birth",
                lambda raw: read_birth_date(
                    scratch, raw, 0, header("date_of_birth"), None, age_header
                ),
            )
        else:
            self.birth = position(
                "age", lambda raw: (None, read_age(scratch, raw, 0, header("age")))
            )
        self.sex = position("sex", lambda raw: read_sex(scratch, raw, 0, header("sex")))
        self.ethnicity = position(
            "ethnicity", lambda raw: read_ethnicity(scratch, raw, 0, header("ethnicity"))
        )
        self.team = position(
            "team",
            lambda raw: read_text(scratch, raw, 0, header("team"), "a team name", warn_blank=False),
        )
        # (event kind, its date, its category, the start it must not precede): positions. A
        # category is looked up even when its date is blank (the parser does not read it
        # then): a category that would give a message only sends its rows to the parser.
        self.dates: list[tuple[str, int, int, int]] = []
        days: dict[str, int] = {}
        for date in parser.spec.dates:

            def read(raw: object, d: DateColumn = date) -> dt.date | None:
                return read_date(scratch, raw, 0, header(d.field), key=d.key)

            day = position(date.field, read)
            if day < 0:
                continue
            category = -1
            if date.category:

                def read_category_of(raw: object, name: str = date.category) -> str | None:
                    return read_category(scratch, raw, 0, header(name))

                category = position(date.category, read_category_of)
            # The parser checks the order against a start read before this date only.
            after = days.get(date.after, -1) if date.after else -1
            self.dates.append((date.event, day, category, after))
            days[date.field] = day
        # (event kind, its yes/no answer, the date it takes, the date that contradicts it)
        self.flags: list[tuple[str, int, int, int]] = []
        for flag in parser.spec.flags:

            def read_answer(raw: object, name: str = flag.field) -> str | None:
                return read_yes_no(scratch, raw, 0, header(name))

            answer = position(flag.field, read_answer)
            if answer >= 0:
                contradiction = days.get(flag.contradicted_by, -1) if flag.contradicted_by else -1
                self.flags.append((flag.event, answer, days.get(flag.on, -1), contradiction))
        # (cell index, the column's dict.get, the column), for the loop over a row's cells
        self.lookups = [(column.index, column.known.get, column) for column in self.columns]
        # What a row's events depend on, as positions in its looked-up values.
        positions = [at for _, day_at, category_at, _ in self.dates for at in (day_at, category_at)]
        positions += [answer_at for _, answer_at, _, _ in self.flags]
        self.event_key = itemgetter(*positions, self.team)
        self.made: dict[object, Any] = {}  # event_key -> (events, earliest date) or _NOISY
        self.event_objects: dict[tuple[Any, ...], Event] = {}

    def __call__(self, row: list[Any], number: int) -> RowRecord | None:
        """The row's record, as the parser would make it silently; None to use the parser."""
        if len(row) != self.width:
            return None
        raw = row[self.id_index]
        text = raw.strip() if raw.__class__ is str else child_id_text(cell_value(raw))
        if not text or (
            text[0] in _ID_ODD_STARTS and (is_placeholder(text) or is_excel_error(text))
        ):
            return None
        got: list[Any] = []
        append = got.append
        for index, known, column in self.lookups:
            raw = row[index]
            if raw.__class__ is bool:  # True == 1: never looked up among the numbers
                return None
            value = known(raw, column)
            if value is column:
                value = column.learn(raw)
            if value is _NOISY:
                return None
            append(value)
        append(None)  # position -1
        dob, age = got[self.birth] if self.birth >= 0 else _NO_BIRTH
        team = got[self.team]
        # The row's events depend only on its dates, categories, answers and team: built
        # once per distinct combination, with the earliest date for the check against the
        # birth (the parser checks each date; the earliest fails if any does).
        key = self.event_key(got)
        made = self.made.get(key)
        if made is None:
            made = self._events(got, key)
        if made is _NOISY:
            return None
        events, earliest = made
        if (
            dob is not None
            and earliest is not None
            and dob.toordinal() - earliest.toordinal() > PRE_BIRTH_DAYS
        ):
            return None  # more than 40 weeks before the birth: a warning
        child_id = self.pseudonymise(text) if self.pseudonymise is not None else text
        # The same frozen ChildRecord and RowRecord their constructors make, filled in as
        # pickle fills them in: their __init__ sets each field through object.__setattr__,
        # which was a sixth of the time of a quiet row.
        record = _new(ChildRecord)
        record.__dict__.update(
            {
                "child_id": child_id,
                "date_of_birth": dob,
                "age_years": age,
                "sex": got[self.sex],
                "ethnicity": got[self.ethnicity],
                # Every event of the row carries the row's team, so the team on its latest
                # event is the row's team.
                "team": team,
                "events": events,
                "sources": self.sources,
            }
        )
        row_record = _new(RowRecord)
        row_record.__dict__.update(
            {
                "record": record,
                "kind": self.kind,
                "sheet": self.sheet,
                "row": number,
                "columns": self.record_columns,
            }
        )
        return row_record

    def _events(self, got: list[Any], key: object) -> Any:
        """(the row's events in order, its earliest date), or _NOISY when the parser would
        warn about the order of its dates or a contradicted yes/no answer."""
        team = got[self.team]
        events: list[Event] = []
        days: list[dt.date] = []
        made: Any = _NOISY
        for kind, at, category_at, after_at in self.dates:
            day = got[at]
            if day is None:
                continue
            if after_at >= 0:
                start = got[after_at]
                if start is not None and day < start:
                    break  # an end before its start: a warning
            days.append(day)
            events.append(self._event((kind, day, got[category_at], team)))
        else:
            for kind, answer_at, on_at, contradiction_at in self.flags:
                if got[answer_at] == "yes":
                    if got[contradiction_at] is not None:
                        break  # "yes" beside a date that contradicts it: a warning
                    if got[on_at] is not None:
                        events.append(self._event((kind, got[on_at], None, team)))
            else:
                ordered = (
                    tuple(sorted(events, key=Event.sort_key)) if len(events) > 1 else tuple(events)
                )
                made = (ordered, min(days) if days else None)
        if len(self.made) < MEMO_LIMIT:
            self.made[key] = made
        return made

    def _event(self, key: tuple[Any, ...]) -> Event:
        """One Event object per distinct event: they are immutable."""
        event = self.event_objects.get(key)
        if event is None:
            kind, day, category, team = key
            event = Event(kind, day, category, team, self.source)
            if len(self.event_objects) < MEMO_LIMIT:
                self.event_objects[key] = event
        return event
