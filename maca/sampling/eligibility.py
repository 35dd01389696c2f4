"""Eligibility criteria for an audit's sample: pure Python, so the same rule runs in the app,
the command and the benchmarks.

A child is eligible when one of their pool events matches: of the chosen kind, in the window
(the audit's period, or a look-back from its end), with the chosen category of abuse, at an
age (in whole months) within the bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Criteria:
    event_kind: str = "referral"
    category: str = ""
    min_age_months: int | None = None
    max_age_months: int | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None

    def describe(self) -> str:
        """One sentence for the selection record and the briefing's case-selection panel."""
        from maca.sampling.importers.model import EVENT_LABELS

        parts = [f"children with a {EVENT_LABELS.get(self.event_kind, self.event_kind)}"]
        if self.category:
            parts.append(f"for {self.category.split(') ', 1)[-1].lower()}")
        if self.window_start and self.window_end:
            parts.append(f"between {self.window_start:%-d %B %Y} and {self.window_end:%-d %B %Y}")
        if self.min_age_months is not None and self.max_age_months is not None:
            parts.append(f"aged {self.min_age_months} to {self.max_age_months} months at the time")
        elif self.max_age_months is not None:
            parts.append(f"aged under {self.max_age_months + 1} months at the time")
        elif self.min_age_months is not None:
            parts.append(f"aged {self.min_age_months} months or more at the time")
        return " ".join(parts)


def months_between(born: dt.date, on: dt.date) -> int:
    """Whole months of age on a date (a child born on the 31st turns a month older on the last day)."""
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if on.day < born.day:
        # Not yet the day of the month they were born on, unless this is the month's last day.
        next_day = on + dt.timedelta(days=1)
        if next_day.month == on.month:
            months -= 1
    return months


def matching_event(child: Mapping[str, Any], criteria: Criteria) -> dict[str, Any] | None:
    """The child's first event that makes them eligible, or None."""
    born: dt.date | None = child.get("date_of_birth")
    for event in child.get("events", ()):
        if event["kind"] != criteria.event_kind:
            continue
        on = dt.date.fromisoformat(event["date"])
        if criteria.window_start and on < criteria.window_start:
            continue
        if criteria.window_end and on > criteria.window_end:
            continue
        if criteria.category and (event.get("category") or "") != criteria.category:
            continue
        if criteria.min_age_months is not None or criteria.max_age_months is not None:
            if born is None:
                continue
            age = months_between(born, on)
            if criteria.min_age_months is not None and age < criteria.min_age_months:
                continue
            if criteria.max_age_months is not None and age > criteria.max_age_months:
                continue
        return dict(event)
    return None


def eligible_children(
    children: Iterable[Mapping[str, Any]], criteria: Criteria
) -> Iterable[tuple[Mapping[str, Any], dict[str, Any]]]:
    """Yield (child, the event that made them eligible) for each eligible child."""
    for child in children:
        event = matching_event(child, criteria)
        if event is not None:
            yield child, event
