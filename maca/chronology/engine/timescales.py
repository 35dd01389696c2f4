"""Due dates: same day, working days (England and Wales), calendar days and months.

Working days follow the DfE convention used for `InitialCPCtarget`: the start date is day 0 and
the due date is the Nth working day after it; a start on a non-working day counts from the
previous working day (numpy `busday_offset(..., roll="backward")`). Bank holidays come from the
`holidays` package rather than a hand-kept list, so one-off days (the 2022 Jubilee, the State
Funeral) and substitute days are right.
"""

from __future__ import annotations

import calendar
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import holidays
import numpy as np

TimescaleKind = Literal["same_day", "working_days", "calendar_days", "months"]
TIMESCALE_KINDS: tuple[TimescaleKind, ...] = ("same_day", "working_days", "calendar_days", "months")


@dataclass(frozen=True)
class Timescale:
    """How long a rule allows from its clock start; `amount` is 0 for same_day."""

    kind: TimescaleKind
    amount: int = 0

    def due(self, start: date) -> date:
        """The last date on which a stop is still in time."""
        if self.kind == "same_day":
            return start
        if self.kind == "working_days":
            return add_working_days(start, self.amount)
        if self.kind == "calendar_days":
            return start + timedelta(days=self.amount)
        return add_months(start, self.amount)

    def due_function(self) -> Callable[[date], date]:
        """`due` for this timescale as one function, for a rule to keep (no dispatch per call)."""
        if self.kind == "same_day":
            return _same_day
        # Partials of the cached functions themselves: no Python frame between rule and cache.
        if self.kind == "working_days":
            return functools.partial(add_working_days, working_days=self.amount)
        if self.kind == "calendar_days":
            return functools.partial(operator.add, timedelta(days=self.amount))
        return functools.partial(add_months, months=self.amount)

    def describe(self) -> str:
        """Plain words: "the same day", "15 working days", "3 months"."""
        if self.kind == "same_day":
            return "the same day"
        unit = {"working_days": "working day", "calendar_days": "day", "months": "month"}[self.kind]
        return f"{self.amount} {unit}{'' if self.amount == 1 else 's'}"

    def to_yaml(self) -> str | dict[str, int]:
        return "same_day" if self.kind == "same_day" else {self.kind: self.amount}


@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    """Monday to Friday less England and Wales bank holidays, for whole years (pure data)."""
    bank_holidays = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(first_year, last_year + 1)
    )
    days = sorted(bank_holidays.keys())
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(days, dtype="datetime64[D]"))


def _calendar_for(start: date, working_days: int) -> np.busdaycalendar:
    # About 250 working days a year; one spare year each side covers rolling back over New Year.
    span = abs(working_days) // 240 + 2
    if working_days >= 0:
        return _calendar(start.year - 1, start.year + span)
    return _calendar(start.year - span, start.year + 1)


@lru_cache(maxsize=65536)  # a pure function; a chronology batch repeats its start dates
def add_working_days(start: date, working_days: int) -> date:
    """The Nth working day after `start` (start = day 0; a non-working start rolls back)."""
    result = np.busday_offset(
        np.datetime64(start, "D"),
        working_days,
        roll="backward",
        busdaycal=_calendar_for(start, working_days),
    )
    return date.fromisoformat(str(result))


def add_working_days_many(starts: Sequence[date], working_days: int) -> list[date]:
    """`add_working_days` for many starts at once (one vectorised numpy call), for figures
    over a whole population rather than one chronology."""
    if not starts:
        return []
    result = add_working_days_array(np.array(starts, dtype="datetime64[D]"), working_days)
    return [day.astype(object) for day in result]


def add_working_days_array(starts: np.ndarray, working_days: int) -> np.ndarray:
    """`add_working_days` over an array of `datetime64[D]` starts, in one numpy call."""
    if starts.size == 0:
        return starts.astype("datetime64[D]")
    first, last = (
        d.astype("datetime64[Y]").astype(int) + 1970 for d in (starts.min(), starts.max())
    )
    span = abs(working_days) // 240 + 2
    base, counts, working = _working_day_table(int(first) - span, int(last) + span)
    # busday_offset(start, n, roll="backward") is the working day n places after the last
    # working day on or before the start: a lookup in the table, not a search per start.
    offsets = starts.astype(np.int64) - base
    return (working[counts[offsets] - 1 + working_days] + base).astype("datetime64[D]")


@lru_cache(maxsize=16)
def _working_day_table(first_year: int, last_year: int) -> tuple[int, np.ndarray, np.ndarray]:
    """For the days of whole years from the first day (days since 1970 `base`): how many
    working days fall on or before each day, and each working day's offset, in order."""
    base = int(np.datetime64(first_year - 1970, "Y").astype("datetime64[D]").astype(np.int64))
    end = int(np.datetime64(last_year + 1 - 1970, "Y").astype("datetime64[D]").astype(np.int64))
    days = np.arange(base, end, dtype=np.int64).astype("datetime64[D]")
    is_working = np.is_busday(days, busdaycal=_calendar(first_year, last_year))
    return base, np.cumsum(is_working), np.flatnonzero(is_working)


def add_months_array(starts: np.ndarray, months: int) -> np.ndarray:
    """`add_months` over an array of `datetime64[D]` starts: same day, clamped to month end."""
    month = starts.astype("datetime64[M]")
    day_in_month = starts - month.astype("datetime64[D]")
    target = month + months
    last_day = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + day_in_month, last_day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=_calendar(day.year, day.year)))


@lru_cache(maxsize=65536)  # a pure function, called for every explained result
def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
    if end <= start:
        return 0
    cal = _calendar(start.year - 1, end.year + 1)
    first = np.datetime64(start + timedelta(days=1), "D")
    last = np.datetime64(end + timedelta(days=1), "D")
    return int(np.busday_count(first, last, busdaycal=cal))


def _same_day(start: date) -> date:
    return start


@lru_cache(maxsize=65536)  # a pure function; a chronology batch repeats its start dates
def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's end."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))
