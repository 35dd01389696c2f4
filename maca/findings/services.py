"""Writes for findings, practitioner steps and learning events: checked, versioned, logged.

All three are edited by the panel (business unit and the audit's chair) while the audit is in
moderation or reporting. Every edit carries the version the editor loaded, so two people
editing the same finding cannot silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models, transaction

from maca.activity.services import activity_record
from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.core.permissions import Actor
from maca.findings.models import Finding, FindingKind, LearningEvent, PractitionerStep

TEXT_MAX = 600
STALE = "Someone else changed this since you opened it. Check their changes and try again."

M = TypeVar("M", Finding, PractitionerStep, LearningEvent)


@dataclass(frozen=True)
class FindingInput:
    kind: str
    text: str
    case_ids: tuple[int, ...] = ()
    return_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class StepInput:
    text: str
    link_url: str = ""


@dataclass(frozen=True)
class EventInput:
    title: str
    date: dt.date | None = None
    audience: str = ""
    booking_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _check(actor: Actor, audit: Audit) -> None:
    if not perms.can_write_findings(actor, audit):
        raise NotAllowed("You cannot change this audit's findings.")


def _text(value: str, name: str, label: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if not value:
        raise ServiceError(f"Enter the {label}", field=name)
    if len(value) > limit:
        raise ServiceError(
            f"The {label} must be {limit} characters or fewer (it has {len(value)})", field=name
        )
    return value


def _locked(model: type[M], audit: Audit, item_id: int, expected_version: int) -> M:
    try:
        item = model.objects.select_for_update().get(pk=item_id, audit=audit)
    except model.DoesNotExist:
        raise NotAllowed("No such item.") from None
    if item.version != expected_version:
        raise ConflictError(STALE)
    return item


def _next_order(qs: models.QuerySet) -> int:
    last = qs.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def _evidence(audit: Audit, data: FindingInput) -> tuple[list[int], list[int]]:
    from maca.returns.models import AgencyReturn

    case_ids = sorted(set(data.case_ids))
    if len(case_ids) != audit.cases.filter(pk__in=case_ids).count():
        raise ServiceError("Choose cases from this audit", field="cases")
    return_ids = sorted(set(data.return_ids))
    if len(return_ids) != AgencyReturn.objects.filter(pk__in=return_ids, case__audit=audit).count():
        raise ServiceError("Choose returns from this audit", field="returns")
    return case_ids, return_ids


@transaction.atomic
def finding_save(
    *,
    actor: Actor,
    audit: Audit,
    data: FindingInput,
    finding_id: int | None = None,
    expected_version: int | None = None,
) -> Finding:
    """Add a finding (no id) or change one; the evidence is the cases and returns chosen."""
    _check(actor, audit)
    if data.kind not in FindingKind.values:
        raise ServiceError("Choose what kind of finding this is", field="kind")
    text = _text(data.text, "text", "finding")
    case_ids, return_ids = _evidence(audit, data)
    if finding_id is None:
        finding = Finding.objects.create(
            audit=audit,
            kind=data.kind,
            text=text,
            order=_next_order(audit.findings.filter(kind=data.kind)),
            updated_by_id=actor.user_id,
        )
        action = "finding.add"
    else:
        finding = _locked(Finding, audit, finding_id, expected_version or 0)
        finding.kind, finding.text = data.kind, text
        finding.version += 1
        finding.updated_by_id = actor.user_id
        finding.save()
        action = "finding.change"
    finding.cases.set(case_ids)
    finding.returns.set(return_ids)
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action=action,
        target=finding,
        audit_id=audit.pk,
        label=finding.get_kind_display(),
        data={"cases": len(case_ids), "returns": len(return_ids)},
    )
    return finding


@transaction.atomic
def step_save(
    *,
    actor: Actor,
    audit: Audit,
    data: StepInput,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> PractitionerStep:
    _check(actor, audit)
    text = _text(data.text, "text", "step", limit=300)
    if step_id is None:
        step = PractitionerStep.objects.create(
            audit=audit,
            text=text,
            link_url=data.link_url,
            order=_next_order(audit.practitioner_steps.all()),
        )
        action = "step.add"
    else:
        step = _locked(PractitionerStep, audit, step_id, expected_version or 0)
        step.text, step.link_url = text, data.link_url
        step.version += 1
        step.save()
        action = "step.change"
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action=action,
        target=step,
        audit_id=audit.pk,
        label="What can you do now",
    )
    return step


@transaction.atomic
def event_save(
    *,
    actor: Actor,
    audit: Audit,
    data: EventInput,
    event_id: int | None = None,
    expected_version: int | None = None,
) -> LearningEvent:
    _check(actor, audit)
    title = _text(data.title, "title", "title of the learning event", limit=200)
    audience = data.audience.strip()
    if len(audience) > 200:
        raise ServiceError("The audience must be 200 characters or fewer", field="audience")
    if event_id is None:
        event = LearningEvent.objects.create(
            audit=audit,
            title=title,
            date=data.date,
            audience=audience,
            booking_url=data.booking_url,
        )
        action = "learning_event.add"
    else:
        event = _locked(LearningEvent, audit, event_id, expected_version or 0)
        event.title, event.date, event.audience = title, data.date, audience
        event.booking_url = data.booking_url
        event.version += 1
        event.save()
        action = "learning_event.change"
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action=action,
        target=event,
        audit_id=audit.pk,
        label=title,
    )
    return event


KINDS: dict[str, type[Finding] | type[PractitionerStep] | type[LearningEvent]] = {
    "finding": Finding,
    "step": PractitionerStep,
    "event": LearningEvent,
}


@transaction.atomic
def item_delete(*, actor: Actor, audit: Audit, kind: str, item_id: int) -> None:
    """Remove a finding, step or learning event (the activity log keeps that it existed)."""
    _check(actor, audit)
    model = KINDS.get(kind)
    if model is None:
        raise NotAllowed("No such item.")
    item = model.objects.filter(pk=item_id, audit=audit).first()
    if item is None:
        raise NotAllowed("No such item.")
    # Labels name the kind of item, never its wording (logs hold no narrative).
    if isinstance(item, Finding):
        label = item.get_kind_display()
    elif isinstance(item, LearningEvent):
        label = item.title
    else:
        label = "What can you do now"
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action=f"{kind}.delete",
        target=item,
        audit_id=audit.pk,
        label=label,
    )
    item.delete()
