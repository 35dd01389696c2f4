"""A case's chronology: the merged timeline, adding events and incidents, uploads, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maca.audits import selectors as audit_selectors
from maca.audits.models import Audit, Case
from maca.chronology import services
from maca.chronology.forms import EventForm, IncidentForm, UploadForm
from maca.chronology.models import ChronologyEvent
from maca.chronology.selectors import timeline
from maca.core.errors import NotAllowed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.core.reauth import require_recent_auth
from maca.partnerships.models import Agency


def _case(
    request: HttpRequest, reference: str, number: int, action: str, *, log: bool = True
) -> tuple[Audit, Case]:
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    return audit, audit_selectors.case_get(actor, audit, number, action=action, log=log)


def _agency_choices(request: HttpRequest, case: Case) -> list[tuple[str, str]]:
    """The agencies this person records for; 404 (and no access entry) when there are none."""
    actor = get_actor(request)
    agencies = services.recording_agencies(actor, case)
    if not agencies:
        raise Http404("Not found")
    audit_selectors.case_logged(actor, case, "chronology.edit")
    return [(a.slug, a.name) for a in agencies]


@login_required
@require_GET
def chronology(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    audit, case = _case(request, reference, number, "chronology.view")
    recordable = {a.pk for a in services.recording_agencies(get_actor(request), case)}
    context = {
        "audit": audit,
        "case": case,
        "can_record": bool(recordable),
        "recordable": recordable,
        "incidents": case.incidents.all(),
        **timeline(case),
    }
    return render(request, "chronology/timeline.html", context)


@login_required
@require_recent_auth()
@require_GET
def chronology_json(request: HttpRequest, reference: str, number: int) -> JsonResponse:
    """The merged chronology in the contract's file format, for `maca evaluate`.

    A download of case-level data, so the person confirms who they are first unless they did
    in the last 15 minutes (maca.core.reauth)."""
    _audit, case = _case(request, reference, number, "chronology.download")
    response = JsonResponse(services.case_document(case), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="{case.label.replace(" ", "-").lower()}-chronology.json"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    audit, case = _case(request, reference, number, "chronology.edit", log=False)
    form = EventForm(
        request.POST if request.method == "POST" else None,
        agencies=_agency_choices(request, case),
        incidents=[(i.code, str(i)) for i in case.incidents.all()],
    )
    if request.method == "POST" and form.is_valid():
        agency = Agency.objects.get(
            partnership_id=audit.partnership_id, slug=form.cleaned_data["agency"]
        )
        try:
            services.events_add(
                actor=get_actor(request), case=case, agency=agency, events=[form.to_input()]
            )
        except services.ChronologyInvalid as exc:
            for field, message in exc.errors:
                add_service_error(form, field, message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        else:
            messages.success(request, "Event added to the chronology.")
            return redirect("audits:chronology", audit.reference, case.number)
    return render(
        request, "chronology/event_form.html", {"audit": audit, "case": case, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_add(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    audit, case = _case(request, reference, number, "chronology.edit", log=False)
    _agency_choices(request, case)  # only people who can record events name incidents
    form = IncidentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_add(
                actor=get_actor(request), case=case, description=form.cleaned_data["description"]
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, "description", exc.message)
        else:
            messages.success(request, f"Incident {incident.code} added.")
            return redirect("audits:chronology", audit.reference, case.number)
    return render(
        request, "chronology/incident_form.html", {"audit": audit, "case": case, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    audit, case = _case(request, reference, number, "chronology.edit", log=False)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        agencies=_agency_choices(request, case),
    )
    file_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        agency = Agency.objects.get(
            partnership_id=audit.partnership_id, slug=form.cleaned_data["agency"]
        )
        upload_file = form.cleaned_data["file"]
        try:
            events = services.parse_upload(upload_file.read(), upload_file.name)
            services.events_add(actor=get_actor(request), case=case, agency=agency, events=events)
        except services.ChronologyInvalid as exc:
            file_errors = [m for _, m in exc.errors]
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        else:
            messages.success(request, f"{len(events)} events added to the chronology.")
            return redirect("audits:chronology", audit.reference, case.number)
    return render(
        request,
        "chronology/upload.html",
        {"audit": audit, "case": case, "form": form, "file_errors": file_errors},
    )


@login_required
@require_POST
def event_delete(request: HttpRequest, reference: str, number: int, event_id: int) -> HttpResponse:
    audit, case = _case(request, reference, number, "chronology.edit", log=False)
    event = (
        ChronologyEvent.objects.filter(case=case, pk=event_id)
        .select_related("agency", "case__audit")
        .first()
    )
    if event is None:
        raise Http404("Not found")
    try:
        services.event_delete(actor=get_actor(request), event=event)
    except NotAllowed as exc:
        raise Http404("Not found") from exc
    messages.success(request, "Event removed from the chronology.")
    return redirect("audits:chronology", audit.reference, case.number)
