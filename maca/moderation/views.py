"""The panel: returns side by side, question by question, and the moderated grade."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from maca.audits import selectors
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.moderation import services
from maca.moderation.forms import ModerationForm
from maca.moderation.selectors import comparison


@login_required
@require_GET
def compare(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_get(actor, reference)
    if not perms.can_compare_returns(actor, audit):
        raise Http404("Not found")
    case = selectors.case_get(actor, audit, number, action="case.compare")
    return render(
        request, "moderation/compare.html", {"audit": audit, "case": case, **comparison(case)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    audit = selectors.audit_get(actor, reference)
    if not perms.can_moderate(actor, audit):
        raise Http404("Not found")
    case = selectors.case_get(actor, audit, number, action="case.moderate")
    existing = getattr(case, "moderation", None)
    initial = (
        {
            "version": existing.version,
            "grade": existing.grade,
            "reasons": existing.reasons,
            "has_specific_issues": existing.has_specific_issues,
            "specific_issues": existing.specific_issues,
        }
        if existing
        else {}
    )
    form = ModerationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        grades=audit.tool.scale.choices(),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_moderate(
                actor=actor,
                case=case,
                grade=d["grade"],
                reasons=d["reasons"],
                has_specific_issues=d["has_specific_issues"],
                specific_issues=d["specific_issues"],
                expected_version=d["version"],
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"Grade for {case.label} saved.")
            return redirect("audits:detail", audit.reference)
    return render(
        request,
        "moderation/moderate.html",
        {"audit": audit, "case": case, "form": form, **comparison(case)},
    )
