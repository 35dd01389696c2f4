"""Whole-population timeliness from the case pool, beside the same figures for the audited cases.

The pool carries the dates councils return to Ofsted and the DfE, so two statutory timescales can
be measured for every child, not just the sample: section 47 enquiry to initial conference
within 15 working days, and referral to authorised assessment within 45 working days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from maca.audits.models import Audit
from maca.chronology.engine import add_working_days_many
from maca.chronology.models import ChronologyEvent
from maca.chronology.services import case_evaluation

# (label, pool start kind, pool stop kind, working days, chronology rule)
MEASURES = [
    (
        "Initial conference within 15 working days of the section 47 enquiry",
        "s47_start",
        "icpc",
        15,
        "icpc-15wd",
    ),
    (
        "Assessment authorised within 45 working days of the referral",
        "referral",
        "assessment_authorised",
        45,
        "assessment-45wd",
    ),
]


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


def pool_share(
    children: Iterable[Mapping[str, Any]],
    start_kind: str,
    stop_kind: str,
    days: int,
    window: tuple[dt.date, dt.date],
    today: dt.date,
) -> Share:
    """Of the clocks started in the window and due by today: how many stopped in time."""
    clocks: list[tuple[dt.date, dt.date | None]] = []
    for child in children:
        events = child["events"]
        stops = sorted(dt.date.fromisoformat(e["date"]) for e in events if e["kind"] == stop_kind)
        for e in events:
            if e["kind"] != start_kind:
                continue
            start = dt.date.fromisoformat(e["date"])
            if window[0] <= start <= window[1]:
                clocks.append((start, next((d for d in stops if d >= start), None)))
    dues = add_working_days_many([start for start, _ in clocks], days)
    met = counted = 0
    for (_start, done), due in zip(clocks, dues, strict=True):
        if done is None and due >= today:
            continue  # still running: not counted either way
        counted += 1
        met += done is not None and done <= due
    return Share(met, counted)


def audit_timeliness(audit: Audit, today: dt.date | None = None) -> list[TimelinessRow]:
    """The pool's figures for the audit's period, beside the audited cases' own results."""
    if audit.period_start is None or audit.period_end is None:
        return []
    today = today or dt.date.today()
    from maca.sampling.models import PoolChild

    children = list(
        PoolChild.objects.filter(partnership_id=audit.partnership_id)
        .values("events")
        .iterator(chunk_size=2000)
    )
    by_case: dict[int, list[ChronologyEvent]] = defaultdict(list)
    for event in (
        ChronologyEvent.objects.filter(case__audit=audit)
        .select_related("agency", "incident")
        .order_by("on_date", "at_time", "id")
    ):
        by_case[event.case_id].append(event)
    case_results = [
        r
        for case in audit.cases.filter(pk__in=list(by_case))
        for r in case_evaluation(case, events=by_case[case.pk]).results
    ]
    rows = []
    for label, start_kind, stop_kind, days, rule in MEASURES:
        mine = [
            r
            for r in case_results
            if r.rule == rule and str(r.status) in {"met", "late", "missing"}
        ]
        rows.append(
            TimelinessRow(
                label,
                pool_share(
                    children,
                    start_kind,
                    stop_kind,
                    days,
                    (audit.period_start, audit.period_end),
                    today,
                ),
                Share(sum(str(r.status) == "met" for r in mine), len(mine)),
            )
        )
    return rows
