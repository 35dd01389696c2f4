"""Reads with access checks: lists filter, details check, and case-level reads are logged.

Every getter answers Http404 for missing and forbidden alike, so one agency cannot discover
another's cases. A refused look at a case, its record or a return that exists is still written to
the access log (action ending ".refused"), so the partnership can see who tried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, QuerySet
from django.http import Http404

from maca.activity.services import access_record
from maca.audits.models import Audit, AuditStatus, AuditTool, Case, CaseRecord
from maca.core import permissions as perms
from maca.core.permissions import Actor
from maca.partnerships.models import Agency
from maca.returns.models import AgencyReturn


def audits_for(actor: Actor) -> QuerySet[Audit]:
    return (
        Audit.objects.filter(perms.audits_visible_q(actor))
        .distinct()
        .select_related("tool")
        .order_by("-created_at")
    )


class AuditRow(NamedTuple):
    """One line of the dashboard's audits table."""

    reference: str
    title: str
    status_label: str
    return_deadline: dt.date | None
    panel_date: dt.date | None


_STATUS_LABELS = dict(AuditStatus.choices)


def latest_audits(actor: Actor, limit: int = 25) -> list[AuditRow]:
    """The audits the actor may open, newest first, as the dashboard lists them (rows, not
    models: it shows five columns of each)."""
    rows = (
        Audit.objects.filter(perms.audits_visible_q(actor))
        .distinct()
        .order_by("-created_at")
        .values_list("reference", "title", "status", "return_deadline", "panel_date")[:limit]
    )
    return [
        AuditRow(reference, title, _STATUS_LABELS.get(status, status), deadline, panel)
        for reference, title, status, deadline, panel in rows
    ]


def audit_get(actor: Actor, reference: str, *, with_chair: bool = False) -> Audit:
    """An audit the actor may see, with its tool and scale (every audit page reads them); the
    chair only where a page names them (each join costs every case page its share)."""
    if actor.partnership_id is None:
        raise Http404("No such audit")
    related = ("tool", "tool__scale", "chair") if with_chair else ("tool", "tool__scale")
    audit = (
        Audit.objects.select_related(*related)
        .filter(partnership_id=actor.partnership_id, reference=reference)
        .first()
    )
    if audit is None or not perms.can_view_audit(actor, audit):
        raise Http404("No such audit")
    return audit


def follow_up_counts(audit: Audit) -> dict[str, int]:
    """How many findings and actions the audit has, in one query (the audit page's task list;
    neither names a child, so reading the counts is not case-level)."""
    return Audit.objects.filter(pk=audit.pk).aggregate(
        findings=Count("findings", distinct=True), actions=Count("actions", distinct=True)
    )


def cases_for(actor: Actor, audit: Audit) -> QuerySet[Case]:
    return (
        Case.objects.filter(perms.cases_visible_q(actor, audit))
        .distinct()
        .prefetch_related("agencies")
        .select_related("moderation", "audit__tool__scale")
        .order_by("number")
    )


@dataclass(frozen=True)
class CaseRow:
    """One line of the audit page's case table."""

    pk: int
    number: int
    label: str
    agencies: list[str]  # short names, by agency name
    grade: str  # the panel's grade, as the scale words it ("" before moderation)
    has_specific_issues: bool


def case_list(actor: Actor, audit: Audit) -> list[CaseRow]:
    """The cases the actor may see, as the audit page lists them: read as rows in two queries
    (cases with their grades, then their agencies), not as models."""
    rows = list(
        Case.objects.filter(perms.cases_visible_q(actor, audit))
        .distinct()
        .order_by("number")
        .values_list(
            "pk", "number", "label", "moderation__grade", "moderation__has_specific_issues"
        )
    )
    agencies: dict[int, list[str]] = {pk: [] for pk, *_ in rows}
    links = (
        Case.agencies.through.objects.filter(case_id__in=agencies)
        .order_by("agency__name", "agency_id")
        .values_list("case_id", "agency__short_name", "agency__name")
    )
    for case_id, short_name, name in links:
        agencies[case_id].append(short_name or name)
    scale = audit.tool.scale
    return [
        CaseRow(
            pk=pk,
            number=number,
            label=label,
            agencies=agencies[pk],
            grade=scale.label_for(grade) if grade is not None else "",
            has_specific_issues=bool(specific),
        )
        for pk, number, label, grade, specific in rows
    ]


def case_get(
    actor: Actor, audit: Audit, number: int, *, action: str = "case.view", log: bool = True
) -> Case:
    """A case the actor may see; the view is written to the access log.

    Pages that check more before showing anything pass `log=False` and log once every check
    has passed (`case_logged`, or the record and return getters), so each page view writes
    exactly one entry and a refusal none.
    """
    case = Case.objects.filter(audit=audit, number=number).first()
    if case is None:
        raise Http404("No such case")
    case.audit = audit  # already read, with its tool and scale: no second join, no lazy query
    if not perms.can_view_case(actor, case):
        refusal_logged(actor, case, case, action, case.label)
        raise Http404("No such case")
    if log:
        case_logged(actor, case, action)
    return case


def refusal_logged(actor: Actor, case: Case, target: Any, action: str, label: str) -> None:
    """Write a refused look at something that exists to the access log (same fields as a
    view, the action ending ".refused"); the answer stays a plain 404."""
    if actor.partnership_id is None or actor.partnership_id != case.audit.partnership_id:
        return
    access_record(
        actor=actor,
        action=f"{action}.refused",
        target=target,
        audit_id=case.audit_id,
        case_id=case.pk,
        label=label,
    )


def case_logged(actor: Actor, case: Case, action: str) -> None:
    access_record(
        actor=actor,
        action=action,
        target=case,
        audit_id=case.audit_id,
        case_id=case.pk,
        label=case.label,
    )


def case_record_get(actor: Actor, case: Case) -> CaseRecord:
    """The restricted record: business unit only, always logged."""
    record = CaseRecord.objects.filter(case=case).first()
    if record is None:
        raise Http404("No such record")
    if not perms.can_view_case_record(actor, case):
        refusal_logged(actor, case, record, "case_record.view", case.label)
        raise Http404("No such record")
    access_record(
        actor=actor,
        action="case_record.view",
        target=record,
        audit_id=case.audit_id,
        case_id=case.pk,
        label=case.label,
    )
    return record


def returns_for_case(actor: Actor, case: Case) -> list[AgencyReturn]:
    """The returns on a case that the actor may read (others' hidden until moderation)."""
    rets = (
        AgencyReturn.objects.filter(case=case)
        .select_related("agency", "case", "case__audit")
        .order_by("agency__name")
    )
    return [r for r in rets if perms.can_read_return(actor, r)]


def return_get(actor: Actor, case: Case, agency_slug: str) -> AgencyReturn:
    ret = (
        AgencyReturn.objects.filter(case=case, agency__slug=agency_slug)
        .select_related("agency")
        .first()
    )
    if ret is None:
        raise Http404("No such return")
    ret.case = case  # the case (and its audit) the caller already read and checked
    if not perms.can_read_return(actor, ret):
        refusal_logged(actor, case, ret, "return.view", str(ret))
        raise Http404("No such return")
    access_record(
        actor=actor,
        action="return.view",
        target=ret,
        audit_id=case.audit_id,
        case_id=case.pk,
        label=str(ret),
    )
    return ret


def tools_for(actor: Actor) -> QuerySet[AuditTool]:
    if actor.partnership_id is None:
        return AuditTool.objects.none()
    return AuditTool.objects.filter(partnership_id=actor.partnership_id).select_related("scale")


def tool_get(actor: Actor, slug: str, version: int) -> AuditTool:
    tool = tools_for(actor).filter(slug=slug, version=version).first()
    if tool is None or not actor.has_any_role:
        raise Http404("No such tool")
    return tool


@dataclass
class AgencyProgress:
    agency: Agency
    submitted: int = 0
    waived: int = 0
    outstanding: list[str] = field(default_factory=list)


def progress_by_agency(audit: Audit) -> list[AgencyProgress]:
    """Per agency: how many returns are submitted or waived, and which cases are outstanding."""
    rows: dict[int, AgencyProgress] = {}
    rets = (
        AgencyReturn.objects.filter(case__audit=audit)
        .select_related("agency", "case")
        .order_by("agency__name", "case__number")
    )
    for ret in rets:
        row = rows.setdefault(ret.agency_id, AgencyProgress(agency=ret.agency))
        if ret.status == "submitted":
            row.submitted += 1
        elif ret.status == "waived":
            row.waived += 1
        else:
            row.outstanding.append(ret.case.label)
    return list(rows.values())


def returns_to_do(actor: Actor) -> QuerySet[AgencyReturn]:
    """An auditor's outstanding returns in running audits, soonest deadline first."""
    if not actor.is_auditor or actor.partnership_id is None:
        return AgencyReturn.objects.none()
    return (
        AgencyReturn.objects.filter(
            agency_id__in=actor.agency_ids,
            status="draft",
            case__audit__status="auditing",
            case__audit__partnership_id=actor.partnership_id,
        )
        .select_related("agency", "case", "case__audit")
        .order_by("case__audit__return_deadline", "case__audit__reference", "case__number")
    )


def open_concerns(actor: Actor) -> QuerySet[AgencyReturn]:
    """Immediate concerns raised in audits that are still open: for the business unit."""
    if not actor.is_admin or actor.partnership_id is None:
        return AgencyReturn.objects.none()
    return (
        AgencyReturn.objects.filter(
            immediate_concern=True,
            case__audit__partnership_id=actor.partnership_id,
        )
        .exclude(case__audit__status="closed")
        .select_related("agency", "case", "case__audit")
        .order_by("-updated_at")
    )
