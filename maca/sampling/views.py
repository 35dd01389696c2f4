"""The case pool and an audit's sampling page (business unit)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from maca.audits import selectors as audit_selectors
from maca.core import permissions as perms
from maca.core.errors import NotAllowed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.jobs import services as job_services
from maca.jobs.models import Job
from maca.partnerships.models import Partnership
from maca.sampling import services
from maca.sampling.forms import CriteriaForm, DrawForm, ExcludeForm, FixForm, PoolImportForm
from maca.sampling.importers import UnreadableFile
from maca.sampling.models import EligibilityCriteria, PoolChild, PoolImport, SelectionRecord

MAX_SHOWN_PROBLEMS = 200


@login_required
@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest) -> HttpResponse:
    """The pool's size, its imports, and the upload form."""
    actor = get_actor(request)
    if not perms.can_plan_audits(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    form = PoolImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and _large(form.cleaned_data["file"]):
        upload = form.cleaned_data["file"]
        job = job_services.enqueue(
            kind="pool_import",
            partnership_id=actor.partnership_id,
            created_by_id=actor.user_id,
            params={"filename": upload.name[:255], "format": form.cleaned_data["format"] or ""},
            upload=upload.file,
        )
        return redirect("pool_job", job.id)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.pool_import(
                actor=actor,
                partnership=Partnership.objects.get(pk=actor.partnership_id),
                source=upload.file,
                filename=upload.name,
                format=form.cleaned_data["format"] or None,
            )
        except UnreadableFile as exc:
            add_service_error(form, "file", f"{upload.name} could not be read: {exc}")
        except services.PoolImportRefused as exc:
            problems = [str(p) for p in exc.errors[:MAX_SHOWN_PROBLEMS]]
            if len(exc.errors) > MAX_SHOWN_PROBLEMS:
                problems.append(f"…and {len(exc.errors) - MAX_SHOWN_PROBLEMS} more problems.")
        except ServiceError as exc:
            add_service_error(form, "file", exc.message)
        else:
            messages.success(request, f"{upload.name} imported. " + " ".join(summary.lines()))
            return redirect("pool")
    context = {
        "form": form,
        "problems": problems,
        "children": PoolChild.objects.filter(partnership_id=actor.partnership_id).count(),
        "imports": PoolImport.objects.filter(partnership_id=actor.partnership_id)[:20],
    }
    return render(request, "sampling/pool.html", context)


def _large(upload: UploadedFile) -> bool:
    return bool(upload.size and upload.size > settings.MACA_IMPORT_INLINE_MAX_BYTES)


def _pool_job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    actor = get_actor(request)
    if not perms.can_plan_audits(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    job = Job.objects.filter(
        pk=job_id, partnership_id=actor.partnership_id, kind="pool_import"
    ).first()
    if job is None:
        raise Http404("Not found")
    return job


@login_required
@require_GET
def pool_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """A background import: its progress while it runs, then what it did (or every problem)."""
    job = _pool_job(request, job_id)
    return render(
        request,
        "sampling/pool_job.html",
        {"job": job, "progress": job_services.read_progress(job)},
    )


@login_required
@require_GET
def pool_job_status(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    """The same, for the page's script to poll."""
    job = _pool_job(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "finished": job.finished,
            **job_services.read_progress(job),
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_sampling(request: HttpRequest, reference: str) -> HttpResponse:
    """Set eligibility, see how many are eligible, draw (and re-draw), then fix the sample."""
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    can_change = perms.can_plan_audits(actor) and audit.status in {"planning", "sampling"}
    if not (perms.can_plan_audits(actor) or perms.can_see_progress(actor, audit)):
        raise Http404("Not found")
    stored = EligibilityCriteria.objects.filter(audit=audit).first()
    record = SelectionRecord.objects.filter(audit=audit).first()
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not can_change:
        raise Http404("Not found")
    criteria_form = CriteriaForm(
        request.POST if action == "criteria" else None,
        initial={
            "event_kind": stored.event_kind if stored else "referral",
            "category": stored.category if stored else "",
            "min_age_months": stored.min_age_months if stored else None,
            "max_age_months": stored.max_age_months if stored else None,
            "lookback_months": stored.lookback_months if stored else None,
        },
    )
    draw_form = DrawForm(request.POST if action == "draw" else None)
    exclude_form = ExcludeForm(request.POST if action == "exclude" else None)
    fix_form = FixForm(
        request.POST if action == "fix" else None,
        agencies=[(str(a.pk), a.name) for a in audit.agencies.order_by("name")],
    )
    try:
        if action == "criteria" and criteria_form.is_valid():
            services.criteria_set(actor=actor, audit=audit, **criteria_form.cleaned_data)
            messages.success(request, "Criteria saved.")
            return redirect("audits:sampling", audit.reference)
        if action == "draw" and draw_form.is_valid():
            d = draw_form.cleaned_data
            services.sample_draw(
                actor=actor,
                audit=audit,
                size=d["size"],
                seed=d["seed"].strip() or None,
                stratify=d["stratify"] or None,
            )
            messages.success(request, "Sample drawn. Check it, then fix it to create the cases.")
            return redirect("audits:sampling", audit.reference)
        if action == "exclude" and exclude_form.is_valid():
            services.sample_exclude(
                actor=actor,
                audit=audit,
                pseudo_id=exclude_form.cleaned_data["pseudo_id"],
                reason=exclude_form.cleaned_data["reason"],
            )
            messages.success(request, "Child excluded and replaced by the next in the draw.")
            return redirect("audits:sampling", audit.reference)
        if action == "fix" and fix_form.is_valid():
            cases = services.sample_fix(
                actor=actor,
                audit=audit,
                agency_ids=tuple(int(a) for a in fix_form.cleaned_data["agencies"]),
            )
            messages.success(request, f"{len(cases)} cases created from the sample.")
            return redirect("audits:detail", audit.reference)
    except NotAllowed as exc:
        raise Http404("Not found") from exc
    except ServiceError as exc:
        target = {
            "criteria": criteria_form,
            "draw": draw_form,
            "exclude": exclude_form,
            "fix": fix_form,
        }[action or "draw"]
        # Each drawn child has its own exclude form, so its errors cannot link to one field.
        add_service_error(target, None if action == "exclude" else exc.field, exc.message)
    verification = services.sample_verify(audit) if record and request.GET.get("verify") else None
    eligible_children = services.eligible_for(audit)
    population = PoolChild.objects.filter(partnership_id=audit.partnership_id).count()
    eligible = len(eligible_children)
    context = {
        "audit": audit,
        "can_change": can_change,
        "criteria_form": criteria_form,
        "draw_form": draw_form,
        "fix_form": fix_form,
        "criteria_text": services.criteria_for(audit).describe(),
        "population": population,
        "eligible": eligible,
        "record": record,
        "verification": verification,
        "profile": services.population_profile(audit, eligible_children),
        "exclude_form": exclude_form,
        "errors_form": {
            "criteria": criteria_form,
            "draw": draw_form,
            "exclude": exclude_form,
            "fix": fix_form,
        }.get(action or ""),
    }
    return render(request, "sampling/audit_sampling.html", context)
