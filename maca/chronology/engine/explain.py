"""One plain-English sentence per result, written to be pasted into an agency return."""

from __future__ import annotations

from datetime import date

from .chronology import Event, elapsed_minutes
from .protocol import Rule
from .timescales import Timescale, working_days_between
from .vocabulary import EVENT_TYPES

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date) -> str:
    """GOV.UK style, independent of the machine's locale: 11 January 2022."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_duration(minutes: int) -> str:
    """1 h 30 min, 45 min, 2 h."""
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def explain(
    rule: Rule,
    status: str,
    start: Event,
    closing: Event | None,
    due: date | None,
    as_of: date,
) -> str:
    """The sentence for one result; `status` is a Status value."""
    started = EVENT_TYPES[start.type]
    if status == "not_applicable" or due is None:
        return (
            "Not applicable: this rule covers non-mobile children only, "
            "and the child is recorded as mobile."
        )
    if closing is None:
        stop_noun = EVENT_TYPES[rule.stop.event].noun
        if rule.timescale.kind == "same_day":
            when = f"on {format_date(due)}, {started.day_of}"
        else:
            when = f"by {format_date(due)} ({rule.timescale.describe()} after {started.since})"
        if status == "missing":
            return f"No {stop_noun} recorded; it was due {when}."
        return f"No {stop_noun} recorded by {format_date(as_of)}; it is due {when}."
    closed = EVENT_TYPES[closing.type]
    if status == "reason_recorded":
        reason = (closing.reason or "").rstrip(" .;:")
        because = f", with the reason: {reason}" if reason else ""
        return f"{closed.done} on {format_date(closing.local_date)}{because}."
    elapsed = _elapsed(start, closing, rule.timescale)
    if status == "met":
        return f"{closed.done} {elapsed} (due {_due_text(rule.timescale, due, brief=True)})."
    return (
        f"{closed.done} on {format_date(closing.local_date)}, {elapsed}: "
        f"late, as it was due {_due_text(rule.timescale, due, brief=False)}."
    )


def _due_text(timescale: Timescale, due: date, *, brief: bool) -> str:
    if timescale.kind == "same_day":
        return "the same day" if brief else f"the same day ({format_date(due)})"
    return f"within {timescale.describe()}, by {format_date(due)}"


def _elapsed(start: Event, stop: Event, timescale: Timescale) -> str:
    """How long the stop came after the start, as precisely as the record allows."""
    since = EVENT_TYPES[start.type].since
    start_at, stop_at = start.local_datetime(), stop.local_datetime()
    if start_at is not None and stop_at is not None:
        minutes = elapsed_minutes(start_at, stop_at)
        if minutes <= 0:
            return f"at the same time as {since}"
        if minutes < 24 * 60:
            return f"{format_duration(minutes)} after {since}"
    days = (stop.local_date - start.local_date).days
    if days <= 0:
        return f"on {EVENT_TYPES[start.type].day_of}"
    if timescale.kind == "working_days":
        working = working_days_between(start.local_date, stop.local_date)
        if working:
            return f"{_plural(working, 'working day')} after {since}"
    return f"{_plural(days, 'day')} after {since}"
