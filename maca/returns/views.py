"""Reading, completing, reopening and waiving agency returns."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maca.audits import selectors
from maca.audits.forms import ReasonForm
from maca.chronology.selectors import question_evidence
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.returns import services
from maca.returns.forms import ReturnForm, initial_for


@login_required
@require_http_methods(["GET", "POST"])
def return_detail(request: HttpRequest, reference: str, number: int, agency: str) -> HttpResponse:
    """Show a return; its own agency's auditor edits it here until it is submitted."""
    actor = get_actor(request)
    audit = selectors.audit_get(actor, reference)
    case = selectors.case_get(actor, audit, number, log=False)
    ret = selectors.return_get(actor, case, agency)
    questions = list(audit.tool.questions.all())
    editable = perms.can_edit_return(actor, ret)
    if request.method == "POST" and not editable:
        raise Http404("Not found")
    form = ReturnForm(
        request.POST if request.method == "POST" else None,
        initial=initial_for(ret),
        ret=ret,
        questions=questions,
    )
    if request.method == "POST" and form.is_valid():
        submitting = "submit" in request.POST
        action = services.return_submit if submitting else services.return_save
        try:
            action(
                actor=actor,
                ret=ret,
                data=form.to_input(),
                expected_version=form.cleaned_data["version"],
            )
        except services.ReturnIncomplete as exc:
            for field, message in exc.errors:
                add_service_error(form, field, message)
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            if submitting:
                messages.success(request, f"{ret} submitted. Thank you.")
                return redirect("audits:case", audit.reference, case.number)
            messages.success(request, "Draft saved. You can come back to it until the deadline.")
            return redirect("audits:return", audit.reference, case.number, ret.agency.slug)
    evidence = question_evidence(case, questions)
    # The read-only summary; the editable form reads the answers through initial_for.
    answers = {} if editable else {a.question_id: a for a in ret.answers.all()}
    context = {
        "blocks": form.blocks(evidence),
        "audit": audit,
        "case": case,
        "ret": ret,
        "form": form,
        "editable": editable,
        "rows": []
        if editable
        else [(q, answers.get(q.pk), evidence.get(q.code, [])) for q in questions],
        "grade_label": audit.tool.scale.label_for(ret.grade) if ret.grade else "",
        "can_manage": perms.can_manage_returns(actor, audit),
    }
    return render(request, "returns/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_manage(
    request: HttpRequest, reference: str, number: int, agency: str, action: str
) -> HttpResponse:
    """Reopen (after submission or the deadline) or waive a return, with a logged reason."""
    actor = get_actor(request)
    audit = selectors.audit_get(actor, reference)
    if action not in {"reopen", "waive"} or not perms.can_manage_returns(actor, audit):
        raise Http404("Not found")
    case = selectors.case_get(actor, audit, number, log=False)
    ret = selectors.return_get(actor, case, agency)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fn = services.return_reopen if action == "reopen" else services.return_waive
        try:
            fn(actor=actor, ret=ret, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            add_service_error(form, "reason", exc.message)
        else:
            messages.success(request, f"{ret} {'reopened' if action == 'reopen' else 'waived'}.")
            return redirect("audits:case", audit.reference, case.number)
    return render(
        request,
        "returns/manage.html",
        {"audit": audit, "case": case, "ret": ret, "form": form, "action": action},
    )
