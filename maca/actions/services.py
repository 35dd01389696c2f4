"""Writes for action plans, progress updates, briefing use and learning-event attendance.

Each function is one transaction that checks who is asking and writes its activity entry.
Activity labels name the action's number or the team, never the action's wording.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from maca.actions.models import (
    Action,
    ActionKind,
    ActionStatus,
    ActionUpdate,
    BriefingUse,
)
from maca.activity.services import activity_record
from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed, ServiceError
from maca.core.permissions import Actor
from maca.findings.models import LearningEvent
from maca.partnerships.models import Agency

STALE = "Someone else changed this action since you opened it. Check their update and try again."


@dataclass(frozen=True)
class ActionInput:
    description: str
    kind: str
    owner_agency_id: int
    lead: str
    due_date: dt.date | None
    finding_id: int | None = None


@dataclass(frozen=True)
class ProgressInput:
    status: str
    note: str = ""
    blocked_reason: str = ""
    evidence: str = ""


def _text(value: str, name: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"Enter the {label}", field=name)
    if len(value) > limit:
        raise ServiceError(
            f"The {label} must be {limit} characters or fewer (it has {len(value)})", field=name
        )
    return value


@transaction.atomic
def action_add(*, actor: Actor, audit: Audit, data: ActionInput) -> Action:
    """Add an action to the audit's plan; it starts as "not started"."""
    if not perms.can_plan_actions(actor, audit):
        raise NotAllowed("You cannot add actions to this audit.")
    description = _text(data.description, "description", "action", 1000)
    if data.kind not in ActionKind.values:
        raise ServiceError("Choose the type of action", field="kind")
    agency = Agency.objects.filter(pk=data.owner_agency_id, partnership_id=audit.partnership_id)
    if not agency.exists():
        raise ServiceError("Choose the agency that owns the action", field="owner_agency")
    lead = _text(data.lead, "lead", "lead (a name or job title)", 200)
    if data.due_date is None:
        raise ServiceError("Enter the due date", field="due_date")
    if data.finding_id is not None and not audit.findings.filter(pk=data.finding_id).exists():
        raise ServiceError("Choose a finding from this audit", field="finding")
    Audit.objects.select_for_update().filter(pk=audit.pk).first()  # numbers one at a time
    number = (audit.actions.aggregate(n=Max("number"))["n"] or 0) + 1
    action = Action.objects.create(
        partnership_id=audit.partnership_id,
        audit=audit,
        number=number,
        finding_id=data.finding_id,
        description=description,
        kind=data.kind,
        owner_agency_id=data.owner_agency_id,
        lead=lead,
        due_date=data.due_date,
        created_by_id=actor.user_id,
    )
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="action.add",
        target=action,
        audit_id=audit.pk,
        label=action.label,
        data={"kind": data.kind, "due": data.due_date.isoformat()},
    )
    return action


@transaction.atomic
def review_action_add(
    *, actor: Actor, partnership_id: int, review: str, data: ActionInput
) -> Action:
    """Add an action from a local review (no audit behind it): the business unit."""
    if not (perms.can_add_review_actions(actor) and actor.partnership_id == partnership_id):
        raise NotAllowed("You cannot add actions from reviews.")
    review = _text(review, "review", "name of the review", 200)
    description = _text(data.description, "description", "action", 1000)
    if data.kind not in ActionKind.values:
        raise ServiceError("Choose the type of action", field="kind")
    if not Agency.objects.filter(pk=data.owner_agency_id, partnership_id=partnership_id).exists():
        raise ServiceError("Choose the agency that owns the action", field="owner_agency")
    lead = _text(data.lead, "lead", "lead (a name or job title)", 200)
    if data.due_date is None:
        raise ServiceError("Enter the due date", field="due_date")
    from maca.partnerships.models import Partnership

    Partnership.objects.select_for_update().filter(pk=partnership_id).first()
    existing = Action.objects.filter(partnership_id=partnership_id, audit__isnull=True)
    number = (existing.aggregate(n=Max("number"))["n"] or 0) + 1
    action = Action.objects.create(
        partnership_id=partnership_id,
        review=review,
        number=number,
        description=description,
        kind=data.kind,
        owner_agency_id=data.owner_agency_id,
        lead=lead,
        due_date=data.due_date,
        created_by_id=actor.user_id,
    )
    activity_record(
        actor=actor,
        partnership_id=partnership_id,
        action="action.add",
        target=action,
        label=action.label,
        data={"kind": data.kind, "due": data.due_date.isoformat(), "review": True},
    )
    return action


CLOSED_EDIT = "This action was closed by the board, so it can no longer be changed."
CLOSED_UPDATE = "This action was closed by the board, so it takes no more progress updates."
EDITABLE = ("description", "kind", "owner_agency_id", "lead", "due_date")


@transaction.atomic
def action_edit(
    *, actor: Actor, action: Action, data: ActionInput, expected_version: int
) -> list[str]:
    """Change what an action says, its type, owner, lead or due date; return what changed.

    Whoever may add the action may change it, until the board closes it. The log names the
    fields that changed, never their wording. Nothing changed writes nothing.
    """
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("audit").get(pk=action.pk)
    )
    if not perms.can_edit_action(actor, action):
        raise NotAllowed("You cannot change this action.")
    if action.status == ActionStatus.CLOSED:
        raise PreconditionFailed(CLOSED_EDIT)
    if action.version != expected_version:
        raise ConflictError(STALE)
    description = _text(data.description, "description", "action", 1000)
    if data.kind not in ActionKind.values:
        raise ServiceError("Choose the type of action", field="kind")
    if not Agency.objects.filter(
        pk=data.owner_agency_id, partnership_id=action.partnership_id
    ).exists():
        raise ServiceError("Choose the agency that owns the action", field="owner_agency")
    lead = _text(data.lead, "lead", "lead (a name or job title)", 200)
    if data.due_date is None:
        raise ServiceError("Enter the due date", field="due_date")
    wanted = {
        "description": description,
        "kind": data.kind,
        "owner_agency_id": data.owner_agency_id,
        "lead": lead,
        "due_date": data.due_date,
    }
    changed = [name for name in EDITABLE if getattr(action, name) != wanted[name]]
    if not changed:
        return []
    for name in changed:
        setattr(action, name, wanted[name])
    action.version += 1
    action.save(update_fields=[*changed, "version", "updated_at"])
    activity_record(
        actor=actor,
        partnership_id=action.partnership_id,
        action="action.edit",
        target=action,
        audit_id=action.audit_id,
        label=action.label,
        data={"fields": [name.removesuffix("_id") for name in changed]},
    )
    return changed


def allowed_statuses(actor: Actor, action: Action) -> list[str]:
    """The statuses this person may move the action to (closing is the board's)."""
    statuses: list[str] = []
    if perms.can_progress_action(actor, action):
        statuses = [s for s in ActionStatus.values if s != ActionStatus.CLOSED]
    if perms.can_close(actor, action) and action.status == ActionStatus.DONE:
        statuses.append(ActionStatus.CLOSED)
    return statuses


@transaction.atomic
def action_progress(
    *,
    actor: Actor,
    action: Action,
    data: ProgressInput,
    expected_version: int,
    now: dt.datetime | None = None,
) -> Action:
    """Record progress: a note and the status it leaves the action in.

    Blocked needs the reason, done needs the evidence, and only the board (or the business
    unit) closes an action, once it is done. A closed action is finished with.
    """
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("audit").get(pk=action.pk)
    )
    if action.status == ActionStatus.CLOSED:
        # Whoever could update it is told why (409 in the API); anyone else learns nothing.
        if perms.can_progress_action(actor, action) or perms.can_close(actor, action):
            raise PreconditionFailed(CLOSED_UPDATE)
        raise NotAllowed("You cannot update this action.")
    allowed = allowed_statuses(actor, action)
    if not allowed:
        raise NotAllowed("You cannot update this action.")
    if action.version != expected_version:
        raise ConflictError(STALE)
    if data.status not in ActionStatus.values:
        raise ServiceError("Choose the action's status", field="status")
    if data.status not in allowed:
        if data.status == ActionStatus.CLOSED:
            raise ServiceError(
                "Only the board closes an action, and only once it is done", field="status"
            )
        raise ServiceError("You cannot give the action that status", field="status")
    note = (data.note or "").strip()
    if len(note) > 2000:
        raise ServiceError("The update must be 2,000 characters or fewer", field="note")
    before = action.status
    if data.status == ActionStatus.BLOCKED:
        action.blocked_reason = _text(
            data.blocked_reason, "blocked_reason", "reason it is blocked", 1000
        )
    elif data.status != before:
        action.blocked_reason = ""
    if data.status == ActionStatus.DONE:
        action.evidence = _text(data.evidence, "evidence", "evidence that the action is done", 2000)
    if data.status == ActionStatus.CLOSED:
        action.closed_by_id = actor.user_id
        action.closed_at = now or timezone.now()
    if data.status == before and not note:
        raise ServiceError("Write an update or choose a new status", field="note")
    action.status = data.status
    action.version += 1
    action.save()
    ActionUpdate.objects.create(
        action=action, author_id=actor.user_id, status=data.status, note=note
    )
    activity_record(
        actor=actor,
        partnership_id=action.partnership_id,
        action="action.progress",
        target=action,
        audit_id=action.audit_id,
        label=action.label,
        data={"from": before, "to": data.status},
    )
    return action


@dataclass(frozen=True)
class BriefingUseInput:
    agency_id: int
    team: str
    discussed_on: dt.date | None
    will_do: str
    attendees: int | None = None


@transaction.atomic
def briefing_use_record(
    *, actor: Actor, audit: Audit, data: BriefingUseInput, today: dt.date | None = None
) -> BriefingUse:
    """A team discussed the briefing: when, how many, and what it will do now."""
    if not perms.can_record_briefing_use(actor, audit):
        raise NotAllowed("You cannot record use of this briefing.")
    if not actor.is_admin and data.agency_id not in actor.agency_ids:
        raise ServiceError("Choose your own agency", field="agency")
    if not audit.agencies.filter(pk=data.agency_id).exists():
        raise ServiceError("Choose an agency that took part in the audit", field="agency")
    team = _text(data.team, "team", "team", 200)
    if data.discussed_on is None:
        raise ServiceError("Enter the date the team discussed the briefing", field="discussed_on")
    if data.discussed_on > (today or timezone.localdate()):
        raise ServiceError(
            "The date the team discussed it cannot be in the future", field="discussed_on"
        )
    will_do = _text(data.will_do, "will_do", "what the team will do", 2000)
    use = BriefingUse.objects.create(
        partnership_id=audit.partnership_id,
        audit=audit,
        agency_id=data.agency_id,
        team=team,
        discussed_on=data.discussed_on,
        attendees=data.attendees,
        will_do=will_do,
        recorded_by_id=actor.user_id,
    )
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="briefing_use.add",
        target=use,
        audit_id=audit.pk,
        label=team,
    )
    return use


@transaction.atomic
def attendance_record(
    *,
    actor: Actor,
    audit: Audit,
    event_id: int,
    places: int | None,
    attended: int | None,
    today: dt.date | None = None,
) -> LearningEvent:
    """Places offered and attendance, recorded once the event has happened."""
    if not perms.can_record_attendance(actor, audit):
        raise NotAllowed("You cannot record attendance for this audit.")
    event = LearningEvent.objects.select_for_update().filter(pk=event_id, audit=audit).first()
    if event is None:
        raise ServiceError("Choose one of this audit's learning events", field="event")
    if attended is not None:
        if event.date is not None and event.date > (today or timezone.localdate()):
            raise ServiceError(
                "Attendance can be recorded once the event has taken place", field="attended"
            )
        if places is not None and attended > places:
            raise ServiceError(
                f"Attendance ({attended}) cannot be more than the places offered ({places})",
                field="attended",
            )
    event.places, event.attended = places, attended
    event.version += 1
    event.save(update_fields=["places", "attended", "version"])
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="learning_event.attendance",
        target=event,
        audit_id=audit.pk,
        label=event.title,
        data={"places": places, "attended": attended},
    )
    return event
