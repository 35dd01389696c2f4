"""Whole-population timeliness from the case pool, beside the same figures for the audited cases.

The pool carries the dates councils return to Ofsted (Annex A) and the DfE (CIN census), so some
statutory timescales can be measured for every child, not just the sample: the referral decided
within 1 working day (when the council's List 3 has a decision date column), the section 47
enquiry to initial conference within 15 working days, the assessment authorised within 45
working days of the referral, and the first review conference within 3 months of the plan.

The measures themselves are numpy over arrays of dates (maca/chronology/engine/population.py);
this module reads those dates from the pool once per state of the pool (a file cache under the
data directory) and sets the audited cases' own results beside them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from maca.audits.models import Audit
from maca.chronology.engine.population import (
    KINDS,
    MEASURES,
    KindDates,
    Measure,
    Share,
    TimelinessRow,
    measure_share,
    pool_dates,
)
from maca.chronology.models import ChronologyEvent
from maca.chronology.services import case_evaluations

__all__ = [
    "MEASURES",
    "Measure",
    "Share",
    "TimelinessRow",
    "audit_timeliness",
    "measure_share",
    "partnership_pool_dates",
    "pool_dates",
]

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
    by_case: dict[int, list[ChronologyEvent]] = defaultdict(list)
    for event in (
        ChronologyEvent.objects.filter(case__audit=audit)
        .select_related("agency", "incident")
        .order_by("on_date", "at_time", "id")
    ):
        by_case[event.case_id].append(event)
    evaluations = case_evaluations(audit.cases.filter(pk__in=list(by_case)), by_case)
    case_results = [r for evaluation in evaluations.values() for r in evaluation.results]
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
