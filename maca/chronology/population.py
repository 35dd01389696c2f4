"""Whole-population timeliness from the case pool, beside the same figures for the audited cases.

The pool carries the dates councils return to Ofsted (Annex A) and the DfE (CIN census), so some
statutory timescales can be measured for every child, not just the sample: the referral decided
within 1 working day (when the council's List 3 has a decision date column), the section 47
enquiry to initial conference within 15 working days, the assessment authorised within 45
working days of the referral, and the first review conference within 3 months of the plan.

The figures are computed with numpy over arrays of every start and stop date (one
`busday_offset` per measure, one `searchsorted` to find each clock's stop), so a pool of a
million children is measured in well under a second once its dates are read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from maca.audits.models import Audit
from maca.chronology.engine import Timescale, add_months_array, add_working_days_array
from maca.chronology.models import ChronologyEvent
from maca.chronology.services import case_evaluation

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


MEASURES: tuple[Measure, ...] = (
    Measure(
        "Referral decided within 1 working day",
        "referral",
        "referral_decision",
        Timescale("working_days", 1),
        "referral-decision-1wd",
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


def pool_dates(children_events: Iterable[list[Mapping[str, Any]]]) -> dict[str, KindDates]:
    """The events the measures use, from each child's event list, as arrays per kind."""
    wanted = set(KINDS)
    child: dict[str, list[int]] = {k: [] for k in KINDS}
    day: dict[str, list[str]] = {k: [] for k in KINDS}
    latest: list[bool] = []  # cp_review only
    for number, events in enumerate(children_events):
        for event in events:
            kind = event["kind"]
            if kind in wanted:
                child[kind].append(number)
                day[kind].append(event["date"])
                if kind == "cp_review":
                    latest.append(bool(event.get("latest")))
    out = {}
    for kind in KINDS:
        out[kind] = KindDates(
            np.array(child[kind], dtype=np.int64),
            np.array(day[kind], dtype="datetime64[D]"),
            np.array(latest, dtype=bool)
            if kind == "cp_review"
            else np.zeros(len(child[kind]), dtype=bool),
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
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    found = np.searchsorted(keys, _keys(child, start), side="right" if strictly_after else "left")
    index = np.minimum(found, keys.size - 1)
    same = (found < keys.size) & (stops.child[order][index] == child)
    return (
        np.where(same, stops.day[order][index], NAT),
        same & stops.latest[order][index],
    )


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
    review was due without one; and a review found late when only the latest review is known
    (an earlier, in-time review may have been held).
    """
    starts = dates.get(measure.start) or KindDates()
    inside = (starts.day >= np.datetime64(window[0], "D")) & (
        starts.day <= np.datetime64(window[1], "D")
    )
    child, start = starts.child[inside], starts.day[inside]
    if child.size == 0:
        return Share(0, 0)
    due = due_dates(start, measure.timescale)
    stop, latest_only = first_stop(
        child,
        start,
        dates.get(measure.stop) or KindDates(),
        strictly_after=measure.strictly_after,
    )
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


def pool_share(
    children: Iterable[Mapping[str, Any]],
    start_kind: str,
    stop_kind: str,
    days: int,
    window: tuple[dt.date, dt.date],
    today: dt.date,
) -> Share:
    """One working-day measure over pool children given as dicts with "events"."""
    measure = Measure("", start_kind, stop_kind, Timescale("working_days", days), "")
    events = [list(child["events"]) for child in children]
    wanted = {start_kind, stop_kind}
    dates: dict[str, KindDates] = {}
    for kind in wanted:
        child = [n for n, evs in enumerate(events) for e in evs if e["kind"] == kind]
        day = [e["date"] for evs in events for e in evs if e["kind"] == kind]
        dates[kind] = KindDates(
            np.array(child, dtype=np.int64),
            np.array(day, dtype="datetime64[D]"),
            np.zeros(len(child), dtype=bool),
        )
    return measure_share(dates, measure, window, today)


# --- reading the pool, with a file cache per pool state --------------------------------------


def _cache_path(partnership_id: int) -> Path | None:
    """A file named after the pool's state (size, last change, last row): any import or edit
    of the pool gives a new name, so a stale cache is never read."""
    from django.conf import settings
    from django.db.models import Count, Max

    from maca.sampling.models import PoolChild

    state = PoolChild.objects.filter(partnership_id=partnership_id).aggregate(
        n=Count("id"), changed=Max("updated_at"), last=Max("id")
    )
    if not state["n"]:
        return None
    tag = hashlib.sha256(
        f"{partnership_id}|{state['n']}|{state['changed']}|{state['last']}".encode()
    ).hexdigest()[:24]
    return Path(settings.DATA_DIR) / "cache" / f"pool-dates-{partnership_id}-{tag}.npz"


def _load_cached(path: Path) -> dict[str, KindDates] | None:
    try:
        with np.load(path) as data:
            return {
                kind: KindDates(data[f"{kind}.child"], data[f"{kind}.day"], data[f"{kind}.latest"])
                for kind in KINDS
            }
    except (OSError, KeyError, ValueError):
        return None


def _save_cached(path: Path, dates: Mapping[str, KindDates]) -> None:
    arrays = {}
    for kind, d in dates.items():
        arrays[f"{kind}.child"], arrays[f"{kind}.day"], arrays[f"{kind}.latest"] = (
            d.child,
            d.day,
            d.latest,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.npz"):
        old.unlink(missing_ok=True)  # an older state of the same pool
    temporary = path.with_suffix(".tmp.npz")
    np.savez(temporary, allow_pickle=False, **arrays)
    temporary.replace(path)


def partnership_pool_dates(partnership_id: int) -> dict[str, KindDates]:
    """The measures' dates for a partnership's whole pool, read once per state of the pool."""
    from maca.sampling.models import PoolChild

    path = _cache_path(partnership_id)
    if path is None:
        return pool_dates([])
    cached = _load_cached(path) if path.exists() else None
    if cached is not None:
        return cached
    dates = pool_dates(
        PoolChild.objects.filter(partnership_id=partnership_id)
        .order_by("id")
        .values_list("events", flat=True)
        .iterator(chunk_size=5000)
    )
    with contextlib.suppress(OSError):  # a read-only data directory only costs speed
        _save_cached(path, dates)
    return dates


def audit_timeliness(audit: Audit, today: dt.date | None = None) -> list[TimelinessRow]:
    """The pool's figures for the audit's period, beside the audited cases' own results."""
    if audit.period_start is None or audit.period_end is None:
        return []
    today = today or dt.date.today()
    dates = partnership_pool_dates(audit.partnership_id)
    case_results = [
        r
        for case in audit.cases.filter(pk__in=ChronologyEvent.objects.values("case_id"))
        for r in case_evaluation(case).results
    ]
    rows = []
    window = (audit.period_start, audit.period_end)
    for measure in MEASURES:
        mine = [
            r
            for r in case_results
            if r.rule == measure.rule and str(r.status) in {"met", "late", "missing"}
        ]
        rows.append(
            TimelinessRow(
                measure.label,
                measure_share(dates, measure, window, today),
                Share(sum(str(r.status) == "met" for r in mine), len(mine)),
            )
        )
    return rows
