"""Audit tools, audits, their lifecycle and their cases: every write goes through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q

from maca.activity.services import activity_record
from maca.audits import toolspec
from maca.audits.models import (
    Audit,
    AuditStatus,
    AuditTool,
    Case,
    CaseRecord,
    GradingScale,
    Question,
    case_label,
)
from maca.core import permissions as perms
from maca.core.errors import NotAllowed, PreconditionFailed, ServiceError
from maca.core.permissions import Actor
from maca.partnerships.models import Agency, Partnership
from maca.returns.models import AgencyReturn, ReturnStatus

# --- Tools ---------------------------------------------------------------------------------


def scale_get_or_create(*, partnership: Partnership, spec: toolspec.ScaleSpec) -> GradingScale:
    grades = [{"code": g.code, "label": g.label, "description": g.description} for g in spec.grades]
    scale, created = GradingScale.objects.get_or_create(
        partnership=partnership, slug=spec.slug, defaults={"name": spec.name, "grades": grades}
    )
    if not created and scale.grades != grades:
        raise ServiceError(
            f'A different grading scale called "{spec.slug}" already exists; give this one '
            "another slug.",
            field="source",
        )
    return scale


@transaction.atomic
def tool_load(
    *, actor: Actor | None, partnership: Partnership, text: str | bytes, source: str = "<upload>"
) -> AuditTool:
    """Validate a tool's YAML and store it as the next immutable version of its slug.

    Loading text identical to the latest version changes nothing and returns that version.
    Raises toolspec.ToolSpecError (every problem, with line and field) and saves nothing.
    """
    if actor is not None and not perms.can_plan_audits(actor):
        raise NotAllowed("Only the business unit can load audit tools.")
    spec = toolspec.parse_tool(text, source=source)
    yaml_text = text.decode("utf-8") if isinstance(text, bytes) else text
    latest = (
        AuditTool.objects.filter(partnership=partnership, slug=spec.slug)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.source_yaml == yaml_text:
        return latest
    scale = scale_get_or_create(partnership=partnership, spec=spec.scale)
    version = (latest.version + 1) if latest else 1
    tool = AuditTool.objects.create(
        partnership=partnership,
        slug=spec.slug,
        version=version,
        name=spec.name,
        description=spec.description,
        theme=spec.theme,
        scale=scale,
        source_yaml=yaml_text,
        created_by_id=actor.user_id if actor else None,
    )
    Question.objects.bulk_create(
        Question(
            tool=tool,
            code=q.code,
            order=i,
            section=q.section,
            text=q.text,
            answer_type=q.answer_type,
            why_not_required=q.why_not_required,
            guidance=q.guidance,
            rules=list(q.rules),
            is_aim=q.is_aim,
        )
        for i, q in enumerate(spec.questions, start=1)
    )
    activity_record(
        actor=actor,
        partnership_id=partnership.pk,
        action="tool.loaded",
        target=tool,
        data={"slug": tool.slug, "version": tool.version},
    )
    return tool


def tools_load_builtin(*, partnership: Partnership) -> list[AuditTool]:
    """Load the tools maca ships (idempotent)."""
    return [
        tool_load(
            actor=None, partnership=partnership, text=path.read_text("utf-8"), source=path.name
        )
        for path in toolspec.builtin_tool_sources()
    ]


# --- Audits --------------------------------------------------------------------------------


@dataclass
class AuditDetails:
    reference: str
    title: str
    tool: AuditTool
    aim: str = ""
    background: str = ""
    prompted_by: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    return_deadline: dt.date | None = None
    panel_date: dt.date | None = None
    chair_id: int | None = None
    agency_ids: tuple[int, ...] = ()


def _check_details(partnership: Partnership, details: AuditDetails, audit: Audit | None) -> None:
    if details.tool.partnership_id != partnership.pk:
        raise ServiceError("Choose an audit tool.", field="tool")
    if details.period_start and details.period_end and details.period_end < details.period_start:
        raise ServiceError(
            "The end of the period under review must be on or after its start.", field="period_end"
        )
    clash = Audit.objects.filter(partnership=partnership, reference=details.reference)
    if audit is not None:
        clash = clash.exclude(pk=audit.pk)
    if clash.exists():
        raise ServiceError(
            f'An audit with the reference "{details.reference}" already exists.', field="reference"
        )
    agencies = Agency.objects.filter(partnership=partnership, pk__in=details.agency_ids)
    if agencies.count() != len(set(details.agency_ids)):
        raise ServiceError("Choose agencies from this partnership.", field="agencies")
    if details.chair_id is not None:
        from maca.partnerships.models import Membership

        if not Membership.objects.filter(
            partnership=partnership, user_id=details.chair_id, role="chair", is_active=True
        ).exists():
            raise ServiceError("Choose a panel chair from this partnership.", field="chair")


@transaction.atomic
def audit_create(*, actor: Actor, partnership: Partnership, details: AuditDetails) -> Audit:
    if not perms.can_plan_audits(actor) or actor.partnership_id != partnership.pk:
        raise NotAllowed("Only the business unit can plan audits.")
    _check_details(partnership, details, None)
    fields = {k: v for k, v in details.__dict__.items() if k != "agency_ids"}
    audit = Audit.objects.create(partnership=partnership, **fields)
    audit.agencies.set(details.agency_ids)
    activity_record(
        actor=actor,
        partnership_id=partnership.pk,
        action="audit.created",
        target=audit,
        audit_id=audit.pk,
        data={"reference": audit.reference},
    )
    return audit


@transaction.atomic
def audit_update(*, actor: Actor, audit: Audit, details: AuditDetails) -> Audit:
    if not perms.can_plan_audits(actor) or actor.partnership_id != audit.partnership_id:
        raise NotAllowed("Only the business unit can change audits.")
    if audit.status not in perms.EDITABLE_AUDIT_STATES:
        raise PreconditionFailed("This audit can no longer be changed.")
    if details.tool.pk != audit.tool_id and audit.status != AuditStatus.PLANNING:
        raise ServiceError(
            "The audit tool can only be changed while the audit is being planned.", field="tool"
        )
    _check_details(audit.partnership, details, audit)
    changed: list[str] = []
    for name, value in details.__dict__.items():
        if name == "agency_ids":
            continue
        if getattr(audit, name) != value:
            changed.append(name.removesuffix("_id"))
            setattr(audit, name, value)
    audit.save()
    if set(audit.agencies.values_list("pk", flat=True)) != set(details.agency_ids):
        changed.append("agencies")
        audit.agencies.set(details.agency_ids)
    if changed:
        activity_record(
            actor=actor,
            partnership_id=audit.partnership_id,
            action="audit.updated",
            target=audit,
            audit_id=audit.pk,
            data={"fields": changed},
        )
    return audit


# The lifecycle: which step follows which, and what must be true first.
NEXT_STATUS: dict[str, str] = {
    AuditStatus.PLANNING: AuditStatus.SAMPLING,
    AuditStatus.SAMPLING: AuditStatus.AUDITING,
    AuditStatus.AUDITING: AuditStatus.MODERATION,
    AuditStatus.MODERATION: AuditStatus.REPORTING,
    AuditStatus.PUBLISHED: AuditStatus.FOLLOW_UP,
    AuditStatus.FOLLOW_UP: AuditStatus.CLOSED,
}


def transition_problems(audit: Audit, to_status: str) -> list[str]:
    """Everything that stops the audit moving to `to_status`; empty when it may move."""
    if NEXT_STATUS.get(audit.status) != to_status:
        return [f"An audit in {audit.get_status_display().lower()} cannot move to {to_status}."]
    problems: list[str] = []
    if to_status == AuditStatus.SAMPLING:
        if not audit.agencies.exists():
            problems.append("Choose the agencies taking part.")
        if audit.chair_id is None:
            problems.append("Choose the panel chair.")
        if audit.period_start is None or audit.period_end is None:
            problems.append("Set the period under review.")
    elif to_status == AuditStatus.AUDITING:
        if not audit.cases.exists():
            problems.append("Add at least one case.")
        if audit.return_deadline is None:
            problems.append("Set the return deadline.")
        orphan = audit.cases.exclude(agencies__in=audit.agencies.all()).order_by("number")
        problems.extend(f"{case.label} has no agency taking part in the audit." for case in orphan)
    elif to_status == AuditStatus.MODERATION:
        outstanding = AgencyReturn.objects.filter(
            case__audit=audit, status=ReturnStatus.DRAFT
        ).count()
        if outstanding:
            problems.append(
                f"{outstanding} return{'s are' if outstanding != 1 else ' is'} still "
                "outstanding: each must be submitted or waived with a reason."
            )
    elif to_status == AuditStatus.REPORTING:
        unmoderated = audit.cases.filter(moderation__isnull=True).order_by("number")
        problems.extend(f"{case.label} has no moderated grade yet." for case in unmoderated)
    elif to_status == AuditStatus.FOLLOW_UP:
        if not audit.actions.exists():
            problems.append("Add at least one action to the action plan.")
    elif to_status == AuditStatus.CLOSED:
        still_open = audit.actions.exclude(status="closed").count()
        if still_open:
            problems.append(
                f"{still_open} action{'s are' if still_open != 1 else ' is'} not yet closed "
                "by the board."
            )
    return problems


@transaction.atomic
def audit_transition(*, actor: Actor, audit: Audit, to_status: str) -> Audit:
    """Move an audit to its next state, if its preconditions hold; logged."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    allowed = actor.partnership_id == audit.partnership_id and (
        actor.is_admin
        or (
            to_status == AuditStatus.REPORTING
            and actor.is_chair
            and audit.chair_id == actor.user_id
        )
    )
    if not allowed:
        raise NotAllowed("You cannot move this audit on.")
    problems = transition_problems(audit, to_status)
    if problems:
        raise PreconditionFailed(" ".join(problems))
    before = audit.status
    if to_status == AuditStatus.AUDITING:
        _open_returns(audit)
        # Once the audit moves past sampling, its draw can no longer be replaced.
        from maca.sampling.models import SelectionRecord

        SelectionRecord.objects.filter(audit=audit).update(fixed=True)
    audit.status = to_status
    audit.save(update_fields=["status", "updated_at"])
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="audit.transition",
        target=audit,
        audit_id=audit.pk,
        data={"from": before, "to": to_status},
    )
    return audit


@transaction.atomic
def audit_mark_published(*, actor: Actor, audit: Audit) -> Audit:
    """Reporting -> published: only publishing the briefing moves an audit here (no button)."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status != AuditStatus.REPORTING:
        return audit
    audit.status = AuditStatus.PUBLISHED
    audit.save(update_fields=["status", "updated_at"])
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="audit.transition",
        target=audit,
        audit_id=audit.pk,
        data={"from": AuditStatus.REPORTING, "to": AuditStatus.PUBLISHED},
    )
    return audit


def _open_returns(audit: Audit) -> None:
    """One return per case for each agency that knew the child and takes part in the audit."""
    taking_part = set(audit.agencies.values_list("pk", flat=True))
    existing = set(
        AgencyReturn.objects.filter(case__audit=audit).values_list("case_id", "agency_id")
    )
    new = [
        AgencyReturn(case=case, agency_id=agency_id)
        for case in audit.cases.prefetch_related("agencies")
        for agency_id in sorted(a.pk for a in case.agencies.all())
        if agency_id in taking_part and (case.pk, agency_id) not in existing
    ]
    AgencyReturn.objects.bulk_create(new)


# --- Cases ---------------------------------------------------------------------------------


@dataclass
class CaseIdentity:
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    council_id: str = ""


@transaction.atomic
def case_add(
    *, actor: Actor, audit: Audit, agency_ids: tuple[int, ...], identity: CaseIdentity
) -> Case:
    """Add a case by hand: the next pseudonymous label, with its restricted record."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not perms.can_change_cases(actor, audit) or actor.partnership_id != audit.partnership_id:
        raise NotAllowed("Cases can only be added by the business unit before moderation.")
    if not agency_ids:
        raise ServiceError("Choose the agencies that knew the child.", field="agencies")
    taking_part = set(audit.agencies.values_list("pk", flat=True))
    strangers = set(agency_ids) - taking_part
    if strangers:
        raise ServiceError("Choose only agencies taking part in this audit.", field="agencies")
    if not identity.given_name.strip() or not identity.family_name.strip():
        raise ServiceError("Enter the child's name for the restricted record.", field="given_name")
    number = (audit.cases.aggregate(n=Max("number"))["n"] or 0) + 1
    case = Case.objects.create(audit=audit, number=number, label=case_label(number))
    case.agencies.set(agency_ids)
    CaseRecord.objects.create(case=case, **identity.__dict__)
    if audit.status == AuditStatus.AUDITING:
        _open_returns(audit)
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="case.added",
        target=case,
        audit_id=audit.pk,
        label=case.label,
        data={"agencies": sorted(agency_ids)},
    )
    return case


@transaction.atomic
def case_update(
    *, actor: Actor, case: Case, agency_ids: tuple[int, ...], identity: CaseIdentity
) -> Case:
    """Change which agencies knew the child, and the restricted record; logged (no identity)."""
    audit = case.audit
    if not perms.can_change_cases(actor, audit) or actor.partnership_id != audit.partnership_id:
        raise NotAllowed("Cases can only be changed by the business unit before moderation.")
    if not agency_ids:
        raise ServiceError("Choose the agencies that knew the child.", field="agencies")
    if set(agency_ids) - set(audit.agencies.values_list("pk", flat=True)):
        raise ServiceError("Choose only agencies taking part in this audit.", field="agencies")
    before = set(case.agencies.values_list("pk", flat=True))
    opened = AgencyReturn.objects.filter(case=case, agency_id__in=before - set(agency_ids))
    if opened.exists():
        names = ", ".join(opened.values_list("agency__name", flat=True))
        raise ServiceError(
            f"Returns are already open for {names}: waive them instead of removing the agency.",
            field="agencies",
        )
    case.agencies.set(agency_ids)
    CaseRecord.objects.update_or_create(case=case, defaults=identity.__dict__)
    if audit.status == AuditStatus.AUDITING:
        _open_returns(audit)
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="case.updated",
        target=case,
        audit_id=audit.pk,
        label=case.label,
        data={
            "agencies_added": sorted(set(agency_ids) - before),
            "agencies_removed": sorted(before - set(agency_ids)),
        },
    )
    return case


def audit_summary(
    audit: Audit, *, case_ids: list[int] | None = None, agency_ids: frozenset[int] | None = None
) -> dict[str, Any]:
    """Counts for the task list: cases, returns by status, moderated cases.

    An agency auditor's counts cover only the cases they may see and their own agency's
    returns, so the page does not reveal other agencies' cases.
    """
    cases = audit.cases.all() if case_ids is None else audit.cases.filter(pk__in=case_ids)
    returns = AgencyReturn.objects.filter(case__in=cases)
    if agency_ids is not None:
        returns = returns.filter(agency_id__in=agency_ids)
    # Two aggregate queries, not six counts: the audit page shows this on every view.
    by_status = returns.aggregate(
        returns=Count("pk"),
        submitted=Count("pk", filter=Q(status=ReturnStatus.SUBMITTED)),
        waived=Count("pk", filter=Q(status=ReturnStatus.WAIVED)),
        outstanding=Count("pk", filter=Q(status=ReturnStatus.DRAFT)),
    )
    case_counts = cases.aggregate(cases=Count("pk"), moderated=Count("moderation"))
    return {
        "cases": case_counts["cases"],
        "returns": by_status["returns"],
        "submitted": by_status["submitted"],
        "waived": by_status["waived"],
        "outstanding": by_status["outstanding"],
        "moderated": case_counts["moderated"],
    }
