"""Audit planning, overview, lifecycle, cases and tools. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maca.audits import selectors, services, toolspec
from maca.audits.forms import AuditForm, CaseForm, ToolLoadForm
from maca.briefings.models import Briefing
from maca.chronology.population import audit_timeliness
from maca.core import permissions as perms
from maca.core.errors import PreconditionFailed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.partnerships.models import Partnership
from maca.sampling.models import SelectionRecord

PAGE_SIZE = 25  # rows per page of a long list


def _actor(request: HttpRequest) -> perms.Actor:
    return get_actor(request)


def _require(allowed: bool) -> None:
    """Forbidden answers exactly like missing, so nothing is revealed."""
    if not allowed:
        raise Http404("Not found")


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor.is_admin or actor.is_chair or actor.is_auditor)
    page = Paginator(selectors.audits_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/list.html",
        {"audits": page, "page": page, "can_plan": perms.can_plan_audits(actor)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(perms.can_plan_audits(actor))
    assert actor.partnership_id is not None
    form = AuditForm(
        request.POST if request.method == "POST" else None, partnership_id=actor.partnership_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_create(
                actor=actor,
                partnership=Partnership.objects.get(pk=actor.partnership_id),
                details=form.details(),
            )
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"Audit “{audit.title}” created.")
            return redirect("audits:detail", audit.reference)
    return render(request, "audits/form.html", {"form": form, "audit": None})


@login_required
@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    _require(perms.can_plan_audits(actor) and audit.status in perms.EDITABLE_AUDIT_STATES)
    initial = {
        "title": audit.title,
        "reference": audit.reference,
        "aim": audit.aim,
        "background": audit.background,
        "prompted_by": audit.prompted_by,
        "period_start": audit.period_start,
        "period_end": audit.period_end,
        "return_deadline": audit.return_deadline,
        "panel_date": audit.panel_date,
        "tool": str(audit.tool_id),
        "chair": str(audit.chair_id or ""),
        "agencies": [str(pk) for pk in audit.agencies.values_list("pk", flat=True)],
    }
    form = AuditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        partnership_id=audit.partnership_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_update(actor=actor, audit=audit, details=form.details())
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, "Audit details saved.")
            return redirect("audits:detail", audit.reference)
    return render(request, "audits/form.html", {"form": form, "audit": audit})


@login_required
@require_GET
def audit_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference, with_chair=True)
    next_status = services.NEXT_STATUS.get(audit.status)
    can_move = bool(next_status) and (
        perms.can_plan_audits(actor)
        or (next_status == "reporting" and perms.can_moderate(actor, audit))
    )
    cases = selectors.case_list(actor, audit)
    full_view = perms.can_see_progress(actor, audit)
    summary = (
        services.audit_summary(audit)
        if full_view
        else services.audit_summary(
            audit, case_ids=[c.pk for c in cases], agency_ids=actor.agency_ids
        )
    )
    briefing = Briefing.objects.filter(audit=audit).select_related("published_version").first()
    counts = selectors.follow_up_counts(audit)
    context = {
        "audit": audit,
        "briefing": briefing,
        "briefing_readable": briefing is not None and perms.can_read_briefing(actor, briefing),
        "can_start_briefing": perms.can_start_briefing(actor, audit),
        "can_read_findings": perms.can_read_findings(actor, audit),
        "findings_count": counts["findings"],
        "can_read_actions": perms.can_read_actions(actor, audit),
        "can_link_reaudit": perms.can_link_reaudit(actor, audit),
        "can_export": perms.can_export_audit(actor, audit),
        "actions_count": counts["actions"],
        "cases": cases,
        "summary": summary,
        "next_status": next_status,
        "next_label": dict(services.AuditStatus.choices).get(next_status or "", ""),
        "problems": services.transition_problems(audit, next_status)
        if can_move and next_status
        else [],
        "can_move": can_move,
        "can_plan": perms.can_plan_audits(actor) and audit.status in perms.EDITABLE_AUDIT_STATES,
        "can_add_case": perms.can_change_cases(actor, audit),
        "can_see_progress": perms.can_see_progress(actor, audit),
        "agencies": audit.agencies.order_by("name"),
        "questions": audit.tool.questions.filter(is_aim=True),
        "selection": SelectionRecord.objects.filter(audit=audit).first()
        if perms.can_see_progress(actor, audit)
        else None,
    }
    return render(request, "audits/detail.html", context)


@login_required
@require_POST
def audit_move(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    to_status = request.POST.get("to", "")
    try:
        services.audit_transition(actor=actor, audit=audit, to_status=to_status)
    except PreconditionFailed as exc:
        messages.error(request, exc.message)
    except ServiceError as exc:
        raise Http404("Not found") from exc
    else:
        audit.refresh_from_db()
        messages.success(request, f"The audit is now in {audit.get_status_display().lower()}.")
    return redirect("audits:detail", audit.reference)


@login_required
@require_GET
def audit_timeliness_page(request: HttpRequest, reference: str) -> HttpResponse:
    """Every child in the pool beside the audited cases: its own page, as it reads the pool."""
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    _require(perms.can_see_progress(actor, audit))
    return render(
        request, "audits/timeliness.html", {"audit": audit, "timeliness": audit_timeliness(audit)}
    )


@login_required
@require_GET
def audit_progress(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    _require(perms.can_see_progress(actor, audit))
    return render(
        request,
        "audits/progress.html",
        {"audit": audit, "rows": selectors.progress_by_agency(audit)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    _require(perms.can_change_cases(actor, audit))
    agencies = list(audit.agencies.order_by("name"))
    form = CaseForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_add(
                actor=actor,
                audit=audit,
                agency_ids=tuple(int(a) for a in form.cleaned_data["agencies"]),
                identity=form.identity(),
            )
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"{case.label} added.")
            return redirect("audits:detail", audit.reference)
    return render(request, "audits/case_form.html", {"form": form, "audit": audit})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """The business unit corrects which agencies knew the child and the restricted record."""
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    _require(perms.can_change_cases(actor, audit))
    case = selectors.case_get(actor, audit, number, log=False)
    record = selectors.case_record_get(actor, case)
    initial = {
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth,
        "council_id": record.council_id,
        "agencies": [str(pk) for pk in case.agencies.values_list("pk", flat=True)],
    }
    form = CaseForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        agencies=list(audit.agencies.order_by("name")),
        names_required=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                actor=actor,
                case=case,
                agency_ids=tuple(int(a) for a in form.cleaned_data["agencies"]),
                identity=form.identity(),
            )
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"{case.label} updated.")
            return redirect("audits:case", audit.reference, case.number)
    return render(request, "audits/case_form.html", {"form": form, "audit": audit, "case": case})


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    case = selectors.case_get(actor, audit, number)
    context = {
        "audit": audit,
        "case": case,
        "agencies": case.agencies.order_by("name"),
        "returns": selectors.returns_for_case(actor, case),
        "moderation": getattr(case, "moderation", None),
        "can_view_record": perms.can_view_case_record(actor, case),
        "can_edit_case": perms.can_change_cases(actor, audit),
        "can_view_access": perms.can_view_activity(actor),
        "can_compare": perms.can_compare_returns(actor, audit),
        "can_moderate": perms.can_moderate(actor, audit),
        "scale": audit.tool.scale,
    }
    return render(request, "audits/case_detail.html", context)


@login_required
@require_GET
def case_record(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = _actor(request)
    audit = selectors.audit_get(actor, reference)
    case = selectors.case_get(actor, audit, number, action="case_record.view", log=False)
    record = selectors.case_record_get(actor, case)
    return render(
        request, "audits/case_record.html", {"audit": audit, "case": case, "record": record}
    )


@login_required
@require_GET
def tool_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(perms.can_plan_audits(actor))
    return render(request, "audits/tools.html", {"tools": selectors.tools_for(actor)})


@login_required
@require_GET
def tool_detail(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    actor = _actor(request)
    _require(perms.can_plan_audits(actor))
    tool = selectors.tool_get(actor, slug, version)
    return render(
        request,
        "audits/tool_detail.html",
        {"tool": tool, "questions": tool.questions.all(), "grades": tool.scale.grades},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tool_load(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(perms.can_plan_audits(actor) and actor.partnership_id is not None)
    assert actor.partnership_id is not None
    form = ToolLoadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    yaml_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            tool = services.tool_load(
                actor=actor,
                partnership=Partnership.objects.get(pk=actor.partnership_id),
                text=form.cleaned_data["yaml"],
                source=form.cleaned_data["source"],
            )
        except toolspec.ToolSpecError as exc:
            yaml_errors = exc.errors
        except ServiceError as exc:
            yaml_errors = [exc.message]
        else:
            messages.success(request, f"Loaded {tool}.")
            return redirect("tools:detail", tool.slug, tool.version)
    return render(request, "audits/tool_load.html", {"form": form, "yaml_errors": yaml_errors})
