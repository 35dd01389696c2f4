"""Reading the logs: one filter for the pages, the CSV export and the per-case report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from maca.activity.models import AccessEntry, ActivityEntry
from maca.core.permissions import Actor


@dataclass(frozen=True)
class LogFilter:
    """What the business unit asked for; empty fields mean "any"."""

    user: str = ""
    agency_id: int | None = None
    audit_id: int | None = None
    audit_missing: bool = False
    case: str = ""
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def describe(self) -> dict[str, Any]:
        """The filter as plain values, for the export's own activity entry."""
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in self.__dict__.items()
            if v not in ("", None, False)
        }


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _common(qs: QuerySet[Any], f: LogFilter) -> QuerySet[Any]:
    if f.audit_missing:
        return qs.none()
    if f.audit_id is not None:
        qs = qs.filter(audit_id=f.audit_id)
    if f.kind:
        qs = qs.filter(action__startswith=f.kind)
    if f.date_from:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    return qs


def _label_q(label: str) -> Q:
    """ "Child A" and "Child A: Police return", but not "Child AB"."""
    return (
        Q(target_label=label)
        | Q(target_label__startswith=f"{label}:")
        | Q(target_label__startswith=f"{label} ")
    )


def activity_entries(actor: Actor, f: LogFilter) -> QuerySet[ActivityEntry]:
    """The partnership's activity entries matching the filter, newest first."""
    qs: QuerySet[Any] = ActivityEntry.objects.filter(
        partnership_id=actor.partnership_id or 0
    ).select_related("actor")
    qs = _common(qs, f)
    if f.user:
        qs = qs.filter(actor__username=f.user)
    if f.agency_id is not None:
        from maca.partnerships.models import Membership

        members = Membership.objects.filter(agency_id=f.agency_id).values("user_id")
        qs = qs.filter(actor_id__in=members)
    if f.case:
        qs = qs.filter(_label_q(f.case))
    return qs


def access_entries(actor: Actor, f: LogFilter) -> QuerySet[AccessEntry]:
    """The partnership's access entries matching the filter, newest first."""
    qs: QuerySet[Any] = AccessEntry.objects.filter(
        partnership_id=actor.partnership_id or 0
    ).select_related("user")
    qs = _common(qs, f)
    if f.user:
        qs = qs.filter(user__username=f.user)
    if f.agency_id is not None:
        a = str(f.agency_id)
        qs = qs.filter(
            Q(agencies=a)
            | Q(agencies__startswith=f"{a},")
            | Q(agencies__endswith=f",{a}")
            | Q(agencies__contains=f",{a},")
        )
    if f.case:
        qs = qs.filter(_label_q(f.case))
    return qs


def case_access_entries(actor: Actor, case_id: int) -> QuerySet[AccessEntry]:
    """Every recorded view of one case's records (the case page, returns, the restricted
    record, its chronology), newest first: "who viewed this child's records, and when"."""
    return AccessEntry.objects.filter(
        partnership_id=actor.partnership_id or 0, case_id=case_id
    ).select_related("user")
