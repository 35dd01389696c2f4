"""The timeline chart: coordinates computed here, drawn as SVG by the template (so it prints).

Lanes: one per agency with its events as dots, then one row per protocol clock showing the
start, the due date and what closed it, coloured by status. The table beside it carries the
same facts as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

STATUS_COLOURS = {
    "met": "#00703c",
    "late": "#d4351c",
    "missing": "#d4351c",
    "pending": "#1d70b8",
    "reason_recorded": "#505a5f",
    "not_applicable": "#b1b4b6",
}
LEFT, RIGHT, TOP, LANE, WIDTH = 170, 20, 30, 34, 960


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Bar:
    x1: float
    x2: float
    y: float
    colour: str
    done_x: float | None
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    lanes: list[Label]
    dots: list[Dot]
    bars: list[Bar]
    ticks: list[Label]
    description: str


@dataclass(frozen=True)
class ChartEvent:
    on: dt.date
    lane: str
    title: str


@dataclass(frozen=True)
class ChartClock:
    label: str
    start: dt.date
    due: dt.date | None
    done: dt.date | None
    status: str
    title: str


def build_chart(events: Sequence[ChartEvent], clocks: Sequence[ChartClock]) -> Chart | None:
    """Lay out the chart; None when there is nothing to draw."""
    dates = [e.on for e in events] + [d for c in clocks for d in (c.start, c.due, c.done) if d]
    if not dates:
        return None
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    plot = WIDTH - LEFT - RIGHT

    def x(day: dt.date) -> float:
        return round(LEFT + plot * (day - first).days / span, 1)

    lanes = list(dict.fromkeys(e.lane for e in events))
    lane_y = {lane: TOP + i * LANE for i, lane in enumerate(lanes)}
    labels = [Label(8, lane_y[lane] + 4, lane) for lane in lanes]
    dots = [Dot(x(e.on), lane_y[e.lane], e.title) for e in events]
    bars = []
    y = TOP + len(lanes) * LANE + 10
    for clock in clocks:
        labels.append(Label(8, y + 4, clock.label))
        end = clock.due or clock.start
        bars.append(
            Bar(
                x(clock.start),
                max(x(end), x(clock.start) + 2),
                y,
                STATUS_COLOURS.get(clock.status, "#505a5f"),
                x(clock.done) if clock.done else None,
                clock.title,
            )
        )
        y += LANE
    ticks = [Label(x(day), y + 6, day.strftime("%-d %b %Y")) for day in _tick_days(first, last)]
    return Chart(
        width=WIDTH,
        height=y + 26,
        left=LEFT,
        lanes=labels,
        dots=dots,
        bars=bars,
        ticks=ticks,
        description=(
            f"Timeline from {first:%-d %B %Y} to {last:%-d %B %Y}: {len(events)} events "
            f"from {len(lanes)} agencies and {len(clocks)} timescale checks."
        ),
    )


def _tick_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Up to five evenly spaced dates along the axis, always including both ends."""
    span = (last - first).days
    if span == 0:
        return [first]
    steps = min(4, span)
    return [first + dt.timedelta(days=round(span * i / steps)) for i in range(steps + 1)]
