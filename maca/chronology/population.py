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

from django.db.models import Q, TextField
from django.db.models.functions import Cast

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


def _pool_children(audit: Audit, start_kind: str) -> Iterable[Mapping[str, Any]]:
    """The pool children who may have a clock of `start_kind` starting in the audit's period.

    The database narrows the pool first, on the stored JSON's text (the kind, and a date in
    one of the period's years), so only a year or so of the pool is decoded; pool_share still
    checks every date, so the narrowing can only ever let in too many, never leave one out.
    """
    from maca.sampling.models import PoolChild

    assert audit.period_start is not None and audit.period_end is not None
    text = Cast("events", TextField())
    years = Q()
    for year in range(audit.period_start.year, audit.period_end.year + 1):
        years |= Q(events_text__contains=f'"{year}-')
    return (
        PoolChild.objects.filter(partnership_id=audit.partnership_id)
        .annotate(events_text=text)
        .filter(years, events_text__contains=f'"{start_kind}"')
        .values("events")
        .iterator(chunk_size=2000)
    )


def audit_timeliness(audit: Audit, today: dt.date | None = None) -> list[TimelinessRow]:
    """The pool's figures for the audit's period, beside the audited cases' own results."""
    if audit.period_start is None or audit.period_end is None:
        return []
    today = today or dt.date.today()
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
                    _pool_children(audit, start_kind),
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
