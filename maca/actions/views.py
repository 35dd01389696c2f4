"""Action plans, progress updates, briefing use and attendance pages; the actions overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from maca.actions import selectors, services
from maca.actions.forms import (
    ActionEditForm,
    ActionForm,
    AttendanceForm,
    BriefingUseForm,
    ProgressForm,
)
from maca.actions.models import Action, ActionStatus
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.core.forms import add_service_error, set_choices, text_field
from maca.core.middleware import get_actor
from maca.partnerships.models import Agency


@login_required
@require_GET
def plan(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    actions = selectors.actions_for_audit(audit)
    today = timezone.localdate()
    return render(
        request,
        "actions/plan.html",
        {
            "audit": audit,
            "rows": [(a, a.is_overdue(today)) for a in actions],
            "counts": selectors.status_counts(actions),
            "can_plan": perms.can_plan_actions(actor, audit),
            "can_view_audit": perms.can_view_audit(actor, audit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    if not perms.can_plan_actions(actor, audit):
        raise Http404("Not found")
    form = ActionForm(request.POST if request.method == "POST" else None)
    set_choices(
        form,
        "owner_agency",
        [("", "Choose an agency")]
        + [(str(a.pk), a.name) for a in Agency.objects.filter(partnership_id=audit.partnership_id)],
    )
    set_choices(
        form,
        "finding",
        [("", "None")]
        + [
            (str(f.pk), f"{f.get_kind_display()}: {f.text[:90]}")
            for f in audit.findings.order_by("kind", "order")
        ],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            action = services.action_add(
                actor=actor,
                audit=audit,
                data=services.ActionInput(
                    description=d["description"],
                    kind=d["kind"],
                    owner_agency_id=int(d["owner_agency"]),
                    lead=d["lead"],
                    due_date=d["due_date"],
                    finding_id=int(d["finding"]) if d["finding"] else None,
                ),
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"{action.label} was added to the plan.")
            return redirect("actions:plan", audit.reference)
    return render(request, "actions/new.html", {"audit": audit, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    return _detail(request, selectors.action_get(audit, number))


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, number: int) -> HttpResponse:
    """An action from a local review (no audit behind it)."""
    return _detail(request, selectors.review_action_get(get_actor(request), number))


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    return _edit(request, selectors.action_get(audit, number))


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, number: int) -> HttpResponse:
    return _edit(request, selectors.review_action_get(get_actor(request), number))


def _edit(request: HttpRequest, action: Action) -> HttpResponse:
    """Change an action after it was added: whoever may add it, until the board closes it."""
    actor = get_actor(request)
    if not perms.can_edit_action(actor, action):
        raise Http404("Not found")
    context = {"audit": action.audit, "action": action}
    if action.status == ActionStatus.CLOSED:
        return render(request, "actions/edit.html", {**context, "closed": services.CLOSED_EDIT})
    form = ActionEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "version": action.version,
            "description": action.description,
            "kind": action.kind,
            "owner_agency": action.owner_agency_id,
            "lead": action.lead,
            "due_date": action.due_date,
        },
    )
    set_choices(
        form,
        "owner_agency",
        [("", "Choose an agency")]
        + [(str(a.pk), a.name) for a in Agency.objects.filter(partnership=action.partnership_id)],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            changed = services.action_edit(
                actor=actor,
                action=action,
                expected_version=d["version"],
                data=services.ActionInput(
                    description=d["description"],
                    kind=d["kind"],
                    owner_agency_id=int(d["owner_agency"]),
                    lead=d["lead"],
                    due_date=d["due_date"],
                ),
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:  # a stale version or a closed action: no field to blame
            add_service_error(form, exc.field, exc.message)
        else:
            if changed:
                messages.success(request, f"{action.label} was changed.")
            else:
                messages.info(request, f"Nothing was changed in {action.label}.")
            return redirect(action.get_absolute_url())
    return render(request, "actions/edit.html", {**context, "form": form})


def _detail(request: HttpRequest, action: Action) -> HttpResponse:
    actor = get_actor(request)
    statuses = services.allowed_statuses(actor, action)
    if action.status == "closed":
        statuses = []
    if request.method == "POST" and not statuses:
        raise Http404("Not found")
    form = ProgressForm(
        request.POST if request.method == "POST" else None,
        statuses=statuses,
        initial={"version": action.version, "status": action.status},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.action_progress(
                actor=actor,
                action=action,
                expected_version=d["version"],
                data=services.ProgressInput(
                    status=d["status"],
                    note=d["note"],
                    blocked_reason=d["blocked_reason"],
                    evidence=d["evidence"],
                ),
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"{action.label} was updated.")
            return redirect(action.get_absolute_url())
    return render(
        request,
        "actions/detail.html",
        {
            "audit": action.audit,
            "action": action,
            "overdue": action.is_overdue(timezone.localdate()),
            "updates": list(action.updates.select_related("author").order_by("created_at", "pk")),
            "form": form if statuses else None,
            "can_edit": perms.can_edit_action(actor, action) and action.status != "closed",
            "edit_url": _edit_url(action),
        },
    )


def _edit_url(action: Action) -> str:
    if action.audit is not None:
        return reverse("actions:edit", args=[action.audit.reference, action.number])
    return reverse("actions:review_edit", args=[action.number])


class ReviewActionForm(ActionForm):
    review = text_field(
        "Local review",
        required=True,
        max_length=200,
        help_text="For example, Rapid review: Child T (2024). Use the review's published name.",
        required_message="Enter the name of the review.",
    )
    field_order = ["review", "description", "kind", "owner_agency", "lead", "due_date"]


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    """The business unit adds an action from a local review."""
    actor = get_actor(request)
    if not perms.can_add_review_actions(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    form = ReviewActionForm(request.POST if request.method == "POST" else None)
    del form.fields["finding"]
    set_choices(
        form,
        "owner_agency",
        [("", "Choose an agency")]
        + [(str(a.pk), a.name) for a in Agency.objects.filter(partnership_id=actor.partnership_id)],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            action = services.review_action_add(
                actor=actor,
                partnership_id=actor.partnership_id,
                review=d["review"],
                data=services.ActionInput(
                    description=d["description"],
                    kind=d["kind"],
                    owner_agency_id=int(d["owner_agency"]),
                    lead=d["lead"],
                    due_date=d["due_date"],
                ),
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"{action.label} was added.")
            return redirect("actions:overview")
    return render(request, "actions/review_new.html", {"form": form})


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Every action this person may see, across audits, soonest due first."""
    actor = get_actor(request)
    if not actor.has_any_role:
        raise Http404("Not found")
    actions = list(selectors.actions_visible(actor)[:500])
    today = timezone.localdate()
    wanted = request.GET.get("status", "")
    shown = [a for a in actions if not wanted or a.status == wanted]
    return render(
        request,
        "actions/overview.html",
        {
            "rows": [(a, a.is_overdue(today)) for a in shown],
            "counts": selectors.status_counts(actions),
            "status": wanted,
            "overdue": sum(1 for a in actions if a.is_overdue(today)),
            "can_add_review": perms.can_add_review_actions(actor),
        },
    )


@login_required
@require_GET
def learning(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    return render(
        request,
        "actions/learning.html",
        {
            "audit": audit,
            "events": list(audit.learning_events.order_by("date", "pk")),
            "uses": selectors.briefing_uses(audit),
            "by_agency": selectors.use_by_agency(audit),
            "can_record_use": perms.can_record_briefing_use(actor, audit),
            "can_record_attendance": perms.can_record_attendance(actor, audit)
            and audit.learning_events.exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def briefing_use_new(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    if not perms.can_record_briefing_use(actor, audit):
        raise Http404("Not found")
    form = BriefingUseForm(request.POST if request.method == "POST" else None)
    agencies = audit.agencies.order_by("name")
    if not actor.is_admin:
        agencies = agencies.filter(pk__in=actor.agency_ids)
    set_choices(
        form, "agency", [("", "Choose an agency")] + [(str(a.pk), a.name) for a in agencies]
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.briefing_use_record(
                actor=actor,
                audit=audit,
                data=services.BriefingUseInput(
                    agency_id=int(d["agency"]),
                    team=d["team"],
                    discussed_on=d["discussed_on"],
                    will_do=d["will_do"],
                    attendees=d["attendees"],
                ),
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, "The team's use of the briefing was recorded.")
            return redirect("actions:learning", audit.reference)
    return render(
        request,
        "actions/form.html",
        {"audit": audit, "form": form, "heading": "Record a team's use of the briefing"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_for_follow_up(actor, reference)
    if not perms.can_record_attendance(actor, audit):
        raise Http404("Not found")
    events = list(audit.learning_events.order_by("date", "pk"))
    chosen = next((e for e in events if str(e.pk) == request.GET.get("event")), None)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        initial={"event": chosen.pk, "places": chosen.places, "attended": chosen.attended}
        if chosen
        else {},
    )
    set_choices(
        form,
        "event",
        [("", "Choose an event")]
        + [(str(e.pk), f"{e.title} ({e.date:%d/%m/%Y})" if e.date else e.title) for e in events],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.attendance_record(
                actor=actor,
                audit=audit,
                event_id=int(d["event"]),
                places=d["places"],
                attended=d["attended"],
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, "Attendance was recorded.")
            return redirect("actions:learning", audit.reference)
    return render(
        request,
        "actions/form.html",
        {"audit": audit, "form": form, "heading": "Record places and attendance"},
    )
