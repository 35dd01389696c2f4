"""The panel's findings page and the forms that add, change and remove its items."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maca.audits import selectors as audit_selectors
from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.findings import selectors, services
from maca.findings.forms import EventForm, FindingForm, StepForm
from maca.findings.models import Finding, FindingKind, LearningEvent, PractitionerStep
from maca.returns.models import AgencyReturn

NOUNS = {"finding": "finding", "step": "“what you can do now” step", "event": "learning event"}


def _audit(request: HttpRequest, reference: str, *, write: bool) -> Audit:
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    allowed = perms.can_write_findings if write else perms.can_read_findings
    if not allowed(actor, audit):
        raise Http404("Not found")
    return audit


@login_required
@require_GET
def overview(request: HttpRequest, reference: str) -> HttpResponse:
    audit = _audit(request, reference, write=False)
    return render(
        request,
        "findings/overview.html",
        {
            "audit": audit,
            "groups": selectors.findings_overview(audit),
            "steps": selectors.steps_for(audit),
            "events": selectors.events_for(audit),
            "can_write": perms.can_write_findings(get_actor(request), audit),
            "case_count": audit.cases.count(),
        },
    )


def _form(kind: str, audit: Audit, data: Any, initial: dict[str, Any]) -> forms.Form:
    if kind == "finding":
        returns = AgencyReturn.objects.filter(case__audit=audit).select_related("case", "agency")
        return FindingForm(
            data,
            initial=initial,
            case_choices=[(str(c.pk), c.label) for c in audit.cases.order_by("number")],
            return_choices=[
                (str(r.pk), f"{r.case.label}: {r.agency.name}")
                for r in sorted(returns, key=lambda r: (r.case.number, r.agency.name))
            ],
        )
    if kind == "step":
        return StepForm(data, initial=initial)
    if kind == "event":
        return EventForm(data, initial=initial)
    raise Http404("Not found")


def _initial(
    item: Finding | PractitionerStep | LearningEvent | None, kind: str, request: HttpRequest
) -> dict[str, Any]:
    if item is None:
        wanted = request.GET.get("kind", "")
        return {"kind": wanted} if wanted in FindingKind.values else {}
    if isinstance(item, Finding):
        return {
            "version": item.version,
            "kind": item.kind,
            "text": item.text,
            "cases": [str(pk) for pk in item.cases.values_list("pk", flat=True)],
            "returns": [str(pk) for pk in item.returns.values_list("pk", flat=True)],
        }
    if isinstance(item, PractitionerStep):
        return {"version": item.version, "text": item.text, "link_url": item.link_url}
    return {
        "version": item.version,
        "title": item.title,
        "date": item.date,
        "audience": item.audience,
        "booking_url": item.booking_url,
    }


def _save(
    kind: str, request: HttpRequest, audit: Audit, d: dict[str, Any], item_id: int | None
) -> None:
    actor = get_actor(request)
    version: int | None = d.get("version")
    if kind == "finding":
        services.finding_save(
            actor=actor,
            audit=audit,
            expected_version=version,
            finding_id=item_id,
            data=services.FindingInput(
                kind=d["kind"],
                text=d["text"],
                case_ids=tuple(int(pk) for pk in d["cases"]),
                return_ids=tuple(int(pk) for pk in d["returns"]),
            ),
        )
    elif kind == "step":
        services.step_save(
            actor=actor,
            audit=audit,
            expected_version=version,
            step_id=item_id,
            data=services.StepInput(text=d["text"], link_url=d["link_url"]),
        )
    else:
        services.event_save(
            actor=actor,
            audit=audit,
            expected_version=version,
            event_id=item_id,
            data=services.EventInput(
                title=d["title"],
                date=d["date"],
                audience=d["audience"],
                booking_url=d["booking_url"],
            ),
        )


def _item(kind: str, audit: Audit, item_id: int) -> Finding | PractitionerStep | LearningEvent:
    model = services.KINDS.get(kind)
    item = model.objects.filter(audit=audit, pk=item_id).first() if model else None
    if item is None:
        raise Http404("Not found")
    return item


def _edit(request: HttpRequest, reference: str, kind: str, item_id: int | None) -> HttpResponse:
    if kind not in NOUNS:
        raise Http404("Not found")
    audit = _audit(request, reference, write=True)
    item = _item(kind, audit, item_id) if item_id is not None else None
    form = _form(
        kind,
        audit,
        request.POST if request.method == "POST" else None,
        _initial(item, kind, request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save(kind, request, audit, form.cleaned_data, item_id)
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"The {NOUNS[kind]} was saved.")
            return redirect("audits:findings", audit.reference)
    return render(
        request,
        "findings/form.html",
        {"audit": audit, "form": form, "kind": kind, "noun": NOUNS[kind], "item": item},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    return _edit(request, reference, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, reference: str, kind: str, item_id: int) -> HttpResponse:
    return _edit(request, reference, kind, item_id)


@login_required
@require_POST
def item_delete(request: HttpRequest, reference: str, kind: str, item_id: int) -> HttpResponse:
    if kind not in NOUNS:
        raise Http404("Not found")
    audit = _audit(request, reference, write=True)
    try:
        services.item_delete(actor=get_actor(request), audit=audit, kind=kind, item_id=item_id)
    except NotAllowed as exc:
        raise Http404("Not found") from exc
    messages.success(request, f"The {NOUNS[kind]} was removed.")
    return redirect("audits:findings", audit.reference)
