"""Reads for action plans and follow-up: lists filtered by who is asking, aggregate counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from maca.actions.models import OPEN_STATUSES, Action, ActionStatus, BriefingUse
from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.permissions import Actor


def audit_for_follow_up(actor: Actor, reference: str) -> Audit:
    """The audit, if this person may read its follow-up (viewers included); 404 otherwise."""
    if actor.partnership_id is None:
        raise Http404("No such audit")
    audit = (
        Audit.objects.select_related("tool__scale", "partnership")
        .filter(partnership_id=actor.partnership_id, reference=reference)
        .first()
    )
    if audit is None or not perms.can_read_actions(actor, audit):
        raise Http404("No such audit")
    return audit


def actions_for_audit(audit: Audit) -> list[Action]:
    return list(audit.actions.select_related("owner_agency", "finding").order_by("number"))


def action_get(audit: Audit, number: int) -> Action:
    action = (
        Action.objects.select_related("owner_agency", "audit", "finding", "closed_by")
        .filter(audit=audit, number=number)
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action


def review_action_get(actor: Actor, number: int) -> Action:
    """A local review's action (numbered within the partnership) this person may read; 404
    for missing and forbidden alike."""
    action = (
        Action.objects.select_related("owner_agency", "closed_by")
        .filter(partnership_id=actor.partnership_id, audit__isnull=True, number=number)
        .first()
        if actor.partnership_id is not None
        else None
    )
    if action is None or not perms.can_read_review_action(actor, action):
        raise Http404("No such action")
    return action


def actions_visible(actor: Actor) -> QuerySet[Action]:
    return (
        Action.objects.filter(perms.actions_visible_q(actor))
        .select_related("audit", "owner_agency")
        .order_by("due_date", "audit__title", "number")
    )


def needing_attention(actor: Actor, today: dt.date) -> list[Action]:
    """Open actions that are overdue or blocked, for the dashboard."""
    return list(
        actions_visible(actor)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(due_date__lt=today) | Q(status=ActionStatus.BLOCKED))
        .exclude(audit__status="closed")[:50]
    )


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    tag_class: str


def status_counts(actions: list[Action]) -> list[StatusCount]:
    from maca.actions.models import STATUS_TAGS

    counts = {s: 0 for s in ActionStatus.values}
    for a in actions:
        counts[a.status] += 1
    return [
        StatusCount(s, label, counts[s], STATUS_TAGS[ActionStatus(s)])
        for s, label in ActionStatus.choices
    ]


def briefing_uses(audit: Audit) -> list[BriefingUse]:
    return list(audit.briefing_uses.select_related("agency").order_by("discussed_on", "pk"))


@dataclass(frozen=True)
class AgencyUse:
    agency: str
    teams: int
    people: int


def use_by_agency(audit: Audit) -> list[AgencyUse]:
    """Which agencies used the learning: every agency taking part, with its teams' records."""
    teams: dict[int, int] = {}
    people: dict[int, int] = {}
    for use in audit.briefing_uses.all():
        teams[use.agency_id] = teams.get(use.agency_id, 0) + 1
        people[use.agency_id] = people.get(use.agency_id, 0) + (use.attendees or 0)
    return [
        AgencyUse(a.name, teams.get(a.pk, 0), people.get(a.pk, 0))
        for a in audit.agencies.order_by("name")
    ]
