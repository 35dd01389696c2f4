"""Saving, submitting, reopening and waiving agency returns."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from maca.activity.services import activity_record
from maca.audits.models import AnswerType, Question
from maca.audits.toolspec import WHY_NOT_TRIGGERS
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed, ServiceError
from maca.core.permissions import Actor
from maca.partnerships.models import Membership
from maca.returns.models import AgencyReturn, Answer, ReturnStatus

logger = logging.getLogger(__name__)


@dataclass
class AnswerInput:
    answer: str = ""
    text: str = ""
    evidence: str = ""
    why_not: str = ""


@dataclass
class ReturnInput:
    answers: dict[str, AnswerInput] = field(default_factory=dict)
    strengths: str = ""
    areas_for_development: str = ""
    grade: str = ""
    grade_reason: str = ""
    immediate_concern: bool = False
    immediate_concern_detail: str = ""


class ReturnIncomplete(ServiceError):
    """Submission refused; `errors` lists (field, message) pairs for the error summary."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("The return is not complete.")
        self.errors = errors


def return_problems(
    ret: AgencyReturn, data: ReturnInput, *, submitting: bool
) -> list[tuple[str, str]]:
    """What stops this input being saved (always) or submitted (when submitting)."""
    errors: list[tuple[str, str]] = []
    questions = list(ret.case.audit.tool.questions.all())
    for q in questions:
        a = data.answers.get(q.code, AnswerInput())
        if q.answer_type == AnswerType.CHOICE:
            if submitting and not a.answer:
                errors.append((f"{q.code}-answer", f"Select an answer to question {q.code}."))
            if (
                submitting
                and q.why_not_required
                and a.answer in WHY_NOT_TRIGGERS
                and not a.why_not.strip()
            ):
                errors.append((f"{q.code}-why_not", f"Explain why not for question {q.code}."))
        elif submitting and not a.text.strip():
            errors.append((f"{q.code}-text", f"Enter an answer to question {q.code}."))
    scale_codes = {code for code, _ in ret.case.audit.tool.scale.choices()}
    if data.grade and data.grade not in scale_codes:
        errors.append(("grade", "Select a grade from the audit's grading scale."))
    if submitting and not data.grade:
        errors.append(("grade", "Select a grade for your agency's practice."))
    if submitting and not data.grade_reason.strip():
        errors.append(("grade_reason", "Enter the reason for your grade."))
    if data.immediate_concern and not data.immediate_concern_detail.strip():
        errors.append(
            ("immediate_concern_detail", "Describe the immediate concern so it can be acted on.")
        )
    return errors


def _write(ret: AgencyReturn, data: ReturnInput, expected_version: int) -> AgencyReturn:
    """Apply the input if nobody else saved since `expected_version`; bumps the version."""
    updated = AgencyReturn.objects.filter(
        pk=ret.pk, version=expected_version, status=ReturnStatus.DRAFT
    ).update(
        version=F("version") + 1,
        strengths=data.strengths,
        areas_for_development=data.areas_for_development,
        grade=data.grade,
        grade_reason=data.grade_reason,
        immediate_concern=data.immediate_concern,
        immediate_concern_detail=data.immediate_concern_detail if data.immediate_concern else "",
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise ConflictError(
            "Someone else saved this return after you opened it. Your text is still on this "
            "page: copy what you need, then reload the return to see their changes."
        )
    questions = {q.code: q for q in Question.objects.filter(tool_id=ret.case.audit.tool_id)}
    existing = {a.question_id: a for a in ret.answers.all()}
    for code, q in questions.items():
        a = data.answers.get(code, AnswerInput())
        row = existing.get(q.pk) or Answer(agency_return=ret, question=q)
        row.answer = a.answer if q.answer_type == AnswerType.CHOICE else ""
        row.text = a.text if q.answer_type == AnswerType.TEXT else ""
        row.evidence = a.evidence
        row.why_not = a.why_not if a.answer in WHY_NOT_TRIGGERS else ""
        row.save()
    ret.refresh_from_db()
    return ret


def _check_editable(actor: Actor, ret: AgencyReturn, now: dt.datetime | None) -> None:
    if not perms.can_edit_return(actor, ret, now):
        if ret.agency_id in actor.agency_ids and ret.status != ReturnStatus.DRAFT:
            raise PreconditionFailed("This return has been submitted and can no longer be changed.")
        if ret.agency_id in actor.agency_ids and perms.deadline_passed(ret.case.audit, now):
            raise PreconditionFailed(
                "The deadline for returns has passed. Ask the business unit to reopen it."
            )
        raise NotAllowed("You cannot change this return.")


@transaction.atomic
def return_save(
    *,
    actor: Actor,
    ret: AgencyReturn,
    data: ReturnInput,
    expected_version: int,
    now: dt.datetime | None = None,
) -> AgencyReturn:
    """Save a draft. Partial answers are fine; invalid ones are refused and nothing is saved.

    `now` lets a partnership record a past audit (and the demo) as of the date it ran.
    """
    _check_editable(actor, ret, now)
    errors = return_problems(ret, data, submitting=False)
    if errors:
        raise ReturnIncomplete(errors)
    raised = data.immediate_concern and not ret.immediate_concern
    ret = _write(ret, data, expected_version)
    activity_record(
        actor=actor,
        partnership_id=ret.agency.partnership_id,
        action="return.saved",
        target=ret,
        audit_id=ret.case.audit_id,
        label=str(ret),
        data={"version": ret.version},
    )
    if raised:
        _escalate_concern(actor, ret)
    return ret


@transaction.atomic
def return_submit(
    *,
    actor: Actor,
    ret: AgencyReturn,
    data: ReturnInput,
    expected_version: int,
    now: dt.datetime | None = None,
) -> AgencyReturn:
    """Save and submit in one step; a complete return only. Locked afterwards."""
    _check_editable(actor, ret, now)
    errors = return_problems(ret, data, submitting=True)
    if errors:
        raise ReturnIncomplete(errors)
    raised = data.immediate_concern and not ret.immediate_concern
    ret = _write(ret, data, expected_version)
    AgencyReturn.objects.filter(pk=ret.pk).update(
        status=ReturnStatus.SUBMITTED,
        submitted_at=now or timezone.now(),
        submitted_by_id=actor.user_id,
        version=F("version") + 1,
    )
    ret.refresh_from_db()
    activity_record(
        actor=actor,
        partnership_id=ret.agency.partnership_id,
        action="return.submitted",
        target=ret,
        audit_id=ret.case.audit_id,
        label=str(ret),
    )
    if raised:
        _escalate_concern(actor, ret)
    return ret


def _escalate_concern(actor: Actor, ret: AgencyReturn) -> None:
    """Tell the business unit at once. The message names no child and carries no narrative."""
    activity_record(
        actor=actor,
        partnership_id=ret.agency.partnership_id,
        action="return.immediate_concern",
        target=ret,
        audit_id=ret.case.audit_id,
        label=str(ret),
    )
    audit = ret.case.audit
    recipients = list(
        Membership.objects.filter(
            partnership_id=audit.partnership_id, role=perms.ADMIN, is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        logger.warning("immediate concern on return %s: no business unit e-mail to notify", ret.pk)
        return
    subject = f"Immediate concern raised in audit {audit.reference}"
    body = (
        f"An agency auditor has raised an immediate concern about {ret.case.label} in the audit "
        f'"{audit.reference}". Sign in to maca to read it and act on it.'
    )
    transaction.on_commit(
        lambda: send_mass_mail([(subject, body, None, [r]) for r in recipients], fail_silently=True)
    )


@transaction.atomic
def return_reopen(*, actor: Actor, ret: AgencyReturn, reason: str) -> AgencyReturn:
    """The business unit reopens a submitted or waived return (e.g. after the deadline)."""
    audit = ret.case.audit
    if not perms.can_manage_returns(actor, audit):
        raise NotAllowed("Only the business unit can reopen returns.")
    if not reason.strip():
        raise ServiceError("Enter why the return is being reopened.", field="reason")
    if audit.status != "auditing":
        raise PreconditionFailed("Returns can only be reopened while the audit is running.")
    AgencyReturn.objects.filter(pk=ret.pk).update(
        status=ReturnStatus.DRAFT, submitted_at=None, waived_reason="", version=F("version") + 1
    )
    ret.refresh_from_db()
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="return.reopened",
        target=ret,
        audit_id=audit.pk,
        label=str(ret),
        data={"reason": reason[:500]},
    )
    return ret


@transaction.atomic
def return_waive(*, actor: Actor, ret: AgencyReturn, reason: str) -> AgencyReturn:
    """Let the panel go ahead without this return; the reason is kept and logged."""
    audit = ret.case.audit
    if not perms.can_manage_returns(actor, audit) or audit.status != "auditing":
        raise NotAllowed("Only the business unit can waive returns while the audit is running.")
    if ret.status != ReturnStatus.DRAFT:
        raise PreconditionFailed("Only an outstanding return can be waived.")
    if not reason.strip():
        raise ServiceError("Enter why this return is being waived.", field="reason")
    AgencyReturn.objects.filter(pk=ret.pk).update(
        status=ReturnStatus.WAIVED, waived_reason=reason, version=F("version") + 1
    )
    ret.refresh_from_db()
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="return.waived",
        target=ret,
        audit_id=audit.pk,
        label=str(ret),
    )
    return ret
