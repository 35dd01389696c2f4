"""Whole-population timeliness measures over arrays of pool dates (numpy, no Django), so a pool
of a million children is measured in well under a second and can be benchmarked on its own.
The Django side (reading the pool, caching, the audited cases) is maca/chronology/population.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .timescales import Timescale, add_months_array, add_working_days_array

NAT = np.datetime64("NaT", "D")
_SHIFT = np.int64(1 << 21)  # child number * 2**21 + day: one sortable key per (child, date)
_OFFSET = np.int64(1 << 20)  # days since 1970, shifted to be positive (covers 1000-4840)


@dataclass(frozen=True)
class Measure:
    """One statutory timescale measured over the pool, and the chronology rule it matches."""

    label: str
    start: str  # pool event kind that starts the clock
    stop: str  # pool event kind that stops it: the first one on or after the start
    timescale: Timescale
    rule: str  # the built-in protocol's rule for the same timescale, for the audited cases
    strictly_after: bool = False  # the stop must be after the start's day (a review, not the ICPC)
    ended_by: str | None = None  # an end that makes the stop unneeded if it comes before the due
    # The stop's column is not in Ofsted's template: a pool without any such date was imported
    # without the column, so there is no figure (rather than 0%).
    stop_optional: bool = False


MEASURES: tuple[Measure, ...] = (
    Measure(
        "Referral decided within 1 working day",
        "referral",
        "referral_decision",
        Timescale("working_days", 1),
        "referral-decision-1wd",
        stop_optional=True,
    ),
    Measure(
        "Assessment authorised within 45 working days of the referral",
        "referral",
        "assessment_authorised",
        Timescale("working_days", 45),
        "assessment-45wd",
    ),
    Measure(
        "Initial conference within 15 working days of the section 47 enquiry",
        "s47_start",
        "icpc",
        Timescale("working_days", 15),
        "icpc-15wd",
        # Recorded on the enquiry's start: no conference was needed, so none was missed.
        ended_by="icpc_not_required",
    ),
    Measure(
        "First review conference within 3 months of the child protection plan",
        "cp_plan_start",
        "cp_review",
        Timescale("months", 3),
        "review-conference-3m",
        strictly_after=True,
        ended_by="cp_plan_end",
    ),
)
KINDS: tuple[str, ...] = tuple(
    dict.fromkeys(k for m in MEASURES for k in (m.start, m.stop, m.ended_by) if k)
)


@dataclass(frozen=True)
class Share:
    met: int
    counted: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.counted) if self.counted else None


@dataclass(frozen=True)
class TimelinessRow:
    label: str
    population: Share
    sample: Share


@dataclass
class KindDates:
    """Every pool event of one kind: the child's row number, the date, and whether the date is
    only the latest of its kind (Annex A List 7 keeps only the latest review conference)."""

    child: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    day: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[D]"))
    latest: np.ndarray = field(default_factory=lambda: np.empty(0, bool))


_CHUNK_EVENTS = 1 << 18  # events held as Python objects before they become arrays


def pool_dates(children_events: Iterable[list[Mapping[str, Any]]]) -> dict[str, KindDates]:
    """The events the measures use, from each child's event list, as arrays per kind (the
    child's row number, in order, and the date). One flat pass, turned into arrays every
    quarter of a million events so a big pool never holds millions of Python strings."""
    code = {kind: index for index, kind in enumerate(KINDS)}.get
    review = KINDS.index("cp_review")
    numbers: list[int] = []
    codes: list[int] = []
    days: list[str] = []
    latest: list[bool] = []  # cp_review only
    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def flush() -> None:
        chunks.append(
            (
                np.array(numbers, dtype=np.int64),
                np.array(codes, dtype=np.int8),
                np.array(days, dtype="datetime64[D]"),
            )
        )
        numbers.clear()
        codes.clear()
        days.clear()

    for number, events in enumerate(children_events):
        for event in events:
            found = code(event["kind"])
            if found is not None:
                numbers.append(number)
                codes.append(found)
                days.append(event["date"])
                if found == review:
                    latest.append(bool(event.get("latest")))
        if len(numbers) >= _CHUNK_EVENTS:
            flush()
    flush()
    child = np.concatenate([c[0] for c in chunks])
    kinds = np.concatenate([c[1] for c in chunks])
    day = np.concatenate([c[2] for c in chunks])
    out: dict[str, KindDates] = {}
    for index, kind in enumerate(KINDS):
        mask = kinds == index
        out[kind] = KindDates(
            child[mask],
            day[mask],
            np.array(latest, dtype=bool) if index == review else np.zeros(int(mask.sum()), bool),
        )
    return out


def _keys(child: np.ndarray, day: np.ndarray) -> np.ndarray:
    return child * _SHIFT + (day.astype(np.int64) + _OFFSET)


def first_stop(
    child: np.ndarray, start: np.ndarray, stops: KindDates, *, strictly_after: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """For each (child, start): the child's first stop on (or after) the start's day, NaT when
    there is none, and whether that stop is only a latest date."""
    if stops.child.size == 0 or child.size == 0:
        return np.full(child.size, NAT), np.zeros(child.size, dtype=bool)
    keys = _keys(stops.child, stops.day)
    stop_child, stop_day, stop_latest = stops.child, stops.day, stops.latest
    if keys.size > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
        # Read from the pool they are already in order (child by child, by date): sort if not.
        order = np.argsort(keys, kind="stable")
        keys, stop_child, stop_day = keys[order], stop_child[order], stop_day[order]
        stop_latest = stop_latest[order]
    found = np.searchsorted(keys, _keys(child, start), side="right" if strictly_after else "left")
    index = np.minimum(found, keys.size - 1)
    same = (found < keys.size) & (stop_child[index] == child)
    return np.where(same, stop_day[index], NAT), same & stop_latest[index]


def due_dates(starts: np.ndarray, timescale: Timescale) -> np.ndarray:
    if timescale.kind == "working_days":
        return add_working_days_array(starts, timescale.amount)
    if timescale.kind == "months":
        return add_months_array(starts, timescale.amount)
    return starts + np.timedelta64(timescale.amount, "D")


def measure_share(
    dates: Mapping[str, KindDates],
    measure: Measure,
    window: tuple[dt.date, dt.date],
    today: dt.date,
) -> Share:
    """Of the clocks started in the window and due by today: how many stopped in time.

    Not counted: a clock still running (no stop, not yet due); a plan that ended before its
    review was due without one; an enquiry whose conference was deemed unnecessary; and a review found late when only the latest review is known
    (an earlier, in-time review may have been held).
    """
    starts = dates.get(measure.start) or KindDates()
    inside = (starts.day >= np.datetime64(window[0], "D")) & (
        starts.day <= np.datetime64(window[1], "D")
    )
    child, start = starts.child[inside], starts.day[inside]
    stops = dates.get(measure.stop) or KindDates()
    if child.size == 0 or (measure.stop_optional and stops.child.size == 0):
        return Share(0, 0)
    due = due_dates(start, measure.timescale)
    stop, latest_only = first_stop(child, start, stops, strictly_after=measure.strictly_after)
    found = ~np.isnat(stop)
    not_needed = np.zeros(child.size, dtype=bool)
    if measure.ended_by:
        end, _ = first_stop(child, start, dates.get(measure.ended_by) or KindDates())
        ended = ~np.isnat(end)
        found &= ~(ended & (stop > end))  # a stop after the end belongs to a later episode
        not_needed = ~found & ended & (end <= due)
    in_time = found & (stop <= due)
    unknown = found & ~in_time & latest_only
    running = ~found & (due >= np.datetime64(today, "D"))
    counted = ~(running | not_needed | unknown)
    return Share(int(np.count_nonzero(in_time)), int(np.count_nonzero(counted)))
