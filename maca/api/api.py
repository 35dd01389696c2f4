"""The REST API under /api/v1/ (django-ninja; docs/adr/0007-api-framework.md, docs/api.md).

Views here are as thin as the HTML ones: they take the actor the token stands for, read
through the same access-checked selectors (so case-level reads go to the access log) and write
through the same services. Missing and forbidden both answer 404 with the same body.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import IO, Any, cast

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, NinjaAPI, Path, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile

from maca.actions import selectors as action_selectors
from maca.actions import services as action_services
from maca.actions.models import OPEN_STATUSES, Action, ActionStatus
from maca.activity.services import access_record
from maca.api import schemas as s
from maca.api.auth import TokenAuth
from maca.api.docs import GovukDocs
from maca.audits import selectors as audit_selectors
from maca.audits.models import Audit, Case
from maca.briefings import selectors as briefing_selectors
from maca.briefings import services as briefing_services
from maca.briefings.models import Briefing
from maca.briefings.renderers import FORMATS
from maca.chronology import services as chronology_services
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed, ServiceError
from maca.core.middleware import get_actor
from maca.findings.models import Finding
from maca.jobs import services as job_services
from maca.jobs.models import Job
from maca.partnerships.models import Agency, Partnership
from maca.returns import services as return_services
from maca.returns.models import AgencyReturn
from maca.sampling import services as sampling_services
from maca.sampling.importers import UnreadableFile

api = NinjaAPI(
    title="maca API",
    version="1",
    description=(
        "Read audits, pseudonymous cases, returns, chronologies, evaluations, findings, "
        "action plans, learning events and briefings, and write returns, chronology events, "
        "actions, progress updates and case pool imports, with exactly "
        "the permissions of the token's owner in maca. Every read of case-level data is "
        "written to the access log. See docs/api.md for worked examples."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=GovukDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

ERRORS: dict[int, Any] = {401: s.ErrorOut, 404: s.ErrorOut, 422: s.ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: s.ErrorOut}
MAX_CASE_NUMBER = 1_000_000
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_LISTED_PROBLEMS = 200
NOT_FOUND = "Not found. Either it does not exist or you may not see it."


# --- Errors: one shape for all --------------------------------------------------------------


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    response = api.create_response(
        request, {"code": code, "detail": detail, "errors": errors or []}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="maca"'
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(
        request,
        401,
        "not_authenticated",
        "Send a valid API token: Authorization: Bearer <token>. Tokens are made on the "
        "API tokens page in maca; revoked and expired tokens stop working.",
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", NOT_FOUND)


@api.exception_handler(NotAllowed)
def _not_allowed(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", NOT_FOUND)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in e.get("loc", ())),
            "message": str(e.get("msg", "Invalid value.")),
        }
        for e in exc.errors
    ]
    return _error(request, 422, "invalid", "The request is not valid.", errors)


@api.exception_handler(ServiceError)
def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    if isinstance(exc, ConflictError | PreconditionFailed):
        return _error(request, 409, "conflict", exc.message)
    items = getattr(exc, "errors", None)
    if isinstance(items, list):
        # (field, message) pairs (returns, chronology), or a refused file's problems.
        errors = [
            {"field": str(p[0]), "message": str(p[1])}
            if isinstance(p, tuple)
            else {"field": exc.field or "file", "message": str(p)}
            for p in items[:MAX_LISTED_PROBLEMS]
        ]
    else:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return _error(request, 422, "refused", exc.message, errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "invalid", 405: "method_not_allowed", 413: "too_large"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


# --- Helpers -------------------------------------------------------------------------------


class PageQuery(s.Schema):
    limit: int = s.Field(50, ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")
    offset: int = s.Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


def _page(rows: QuerySet[Any] | list[Any], page: PageQuery) -> tuple[int, list[Any]]:
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    return count, list(rows[page.offset : page.offset + page.limit])


Reference = Path(..., pattern=s.SLUG_PATTERN, max_length=80)
Number = Path(..., ge=1, le=MAX_CASE_NUMBER)
AgencySlug = Path(..., pattern=s.SLUG_PATTERN, max_length=50)


def _audit(request: HttpRequest, reference: str) -> Audit:
    return audit_selectors.audit_get(get_actor(request), reference)


def _case(request: HttpRequest, reference: str, number: int, action: str) -> tuple[Audit, Case]:
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    return audit, audit_selectors.case_get(actor, audit, number, action=action)


def _audit_out(audit: Audit) -> dict[str, Any]:
    return {
        "reference": audit.reference,
        "title": audit.title,
        "status": audit.status,
        "aim": audit.aim,
        "period_start": audit.period_start,
        "period_end": audit.period_end,
        "return_deadline": audit.return_deadline,
        "panel_date": audit.panel_date,
        "protocol": audit.protocol,
        "tool": {"slug": audit.tool.slug, "version": audit.tool.version, "name": audit.tool.name},
        "grading_scale": [{"code": c, "label": lbl} for c, lbl in audit.tool.scale.choices()],
        "agencies": sorted(a.slug for a in audit.agencies.all()),
    }


def _case_out(request: HttpRequest, case: Case) -> dict[str, Any]:
    moderation = getattr(case, "moderation", None)
    returns = audit_selectors.returns_for_case(get_actor(request), case)
    return {
        "number": case.number,
        "label": case.label,
        "non_mobile": case.non_mobile,
        "agencies": sorted(a.slug for a in case.agencies.all()),
        "panel_grade": moderation.grade if moderation else None,
        "panel_grade_label": moderation.grade_label if moderation else None,
        "has_specific_issues": bool(moderation and moderation.has_specific_issues),
        "returns": [
            {"agency": r.agency.slug, "status": r.status, "grade": r.grade} for r in returns
        ],
    }


def _return_out(request: HttpRequest, ret: AgencyReturn) -> dict[str, Any]:
    answers = {a.question_id: a for a in ret.answers.all()}
    rows = []
    for q in ret.case.audit.tool.questions.all():
        a = answers.get(q.pk)
        rows.append(
            {
                "question": q.code,
                "answer": a.answer if a else "",
                "text": a.text if a else "",
                "evidence": a.evidence if a else "",
                "why_not": a.why_not if a else "",
            }
        )
    return {
        "case": ret.case.label,
        "agency": ret.agency.slug,
        "status": ret.status,
        "version": ret.version,
        "editable": perms.can_edit_return(get_actor(request), ret),
        "strengths": ret.strengths,
        "areas_for_development": ret.areas_for_development,
        "grade": ret.grade,
        "grade_reason": ret.grade_reason,
        "immediate_concern": ret.immediate_concern,
        "immediate_concern_detail": ret.immediate_concern_detail,
        "submitted_at": ret.submitted_at,
        "answers": rows,
    }


def _briefing_out(request: HttpRequest, briefing: Briefing) -> dict[str, Any]:
    published = briefing.published_version
    downloads = (
        {
            fmt: reverse("api-v1:briefing_download", args=[briefing.reference, fmt])
            for fmt in FORMATS
        }
        if published is not None
        else {}
    )
    return {
        "reference": briefing.reference,
        "title": briefing.title,
        "audit": briefing.audit.reference if briefing.audit is not None else None,
        "published": published is not None,
        "published_version": published.number if published else None,
        "published_at": published.published_at if published else None,
        "downloads": downloads,
    }


# --- Who am I ------------------------------------------------------------------------------

me_router = Router(tags=["Account"])


@me_router.get("/me", response={200: s.Me, 401: s.ErrorOut}, url_name="me")
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the token acts as, and the roles that decide what it may see (today's)."""
    actor = get_actor(request)
    partnership = (
        Partnership.objects.filter(pk=actor.partnership_id).values_list("slug", flat=True).first()
        if actor.partnership_id is not None
        else None
    )
    return {
        "username": request.user.get_username(),
        "partnership": partnership,
        "roles": sorted(actor.roles),
        "agencies": sorted(
            Agency.objects.filter(pk__in=actor.agency_ids).values_list("slug", flat=True)
        ),
    }


# --- Audits and cases ----------------------------------------------------------------------

audits = Router(tags=["Audits and cases"])


class AuditFilter(s.Schema):
    status: s.AuditStatus | None = s.Field(None, description="Only audits in this state.")


@audits.get(
    "/audits", response={200: s.AuditPage, 401: s.ErrorOut, 422: s.ErrorOut}, url_name="audits"
)
def audit_list(
    request: HttpRequest, filters: Query[AuditFilter], page: Query[PageQuery]
) -> dict[str, Any]:
    """The audits you may open (the business unit: all; a chair: chaired; an auditor: the
    audits their agency takes part in). Newest first."""
    rows = audit_selectors.audits_for(get_actor(request)).prefetch_related(
        "agencies", "tool__scale"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    count, items = _page(rows, page)
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [_audit_out(a) for a in items],
    }


@audits.get("/audits/{reference}", response={200: s.AuditOut, **ERRORS}, url_name="audit")
def audit_detail(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    return _audit_out(_audit(request, reference))


class CaseFilter(s.Schema):
    agency: str | None = s.Field(
        None, pattern=s.SLUG_PATTERN, max_length=50, description="Only cases this agency knew."
    )
    graded: bool | None = s.Field(None, description="Only cases the panel has (not) graded.")


@audits.get("/audits/{reference}/cases", response={200: s.CasePage, **ERRORS}, url_name="cases")
def case_list(
    request: HttpRequest,
    filters: Query[CaseFilter],
    page: Query[PageQuery],
    reference: str = Reference,
) -> dict[str, Any]:
    """The cases you may see, with the panel's grade and the agencies' own grades you may read
    (a Power BI pull). Each case returned is written to the access log (`case.list`)."""
    actor = get_actor(request)
    audit = _audit(request, reference)
    rows = audit_selectors.cases_for(actor, audit)
    if filters.agency:
        rows = rows.filter(agencies__slug=filters.agency)
    if filters.graded is not None:
        rows = rows.filter(moderation__isnull=not filters.graded)
    count, items = _page(rows, page)
    for case in items:
        audit_selectors.case_logged(actor, case, "case.list")
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [_case_out(request, c) for c in items],
    }


@audits.get(
    "/audits/{reference}/cases/{number}", response={200: s.CaseOut, **ERRORS}, url_name="case"
)
def case_detail(
    request: HttpRequest, reference: str = Reference, number: int = Number
) -> dict[str, Any]:
    _audit_obj, case = _case(request, reference, number, "case.view")
    return _case_out(request, case)


# --- Returns -------------------------------------------------------------------------------

returns = Router(tags=["Returns"])


def _return(request: HttpRequest, reference: str, number: int, agency: str) -> AgencyReturn:
    """A return the actor may read; the read is written to the access log."""
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    case = audit_selectors.case_get(actor, audit, number, log=False)
    return audit_selectors.return_get(actor, case, agency)


def _editable_return(
    request: HttpRequest, reference: str, number: int, agency: str
) -> AgencyReturn:
    """A return the actor may change; nothing is logged until the save succeeds."""
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    case = audit_selectors.case_get(actor, audit, number, log=False)
    ret = (
        AgencyReturn.objects.filter(case=case, agency__slug=agency)
        .select_related("agency", "case", "case__audit", "case__audit__tool__scale")
        .first()
    )
    if ret is None or not perms.can_read_return(actor, ret):
        raise Http404("Not found")
    return ret


@returns.get(
    "/audits/{reference}/cases/{number}/returns/{agency}",
    response={200: s.ReturnOut, **ERRORS},
    url_name="return",
)
def return_detail(
    request: HttpRequest,
    reference: str = Reference,
    number: int = Number,
    agency: str = AgencySlug,
) -> dict[str, Any]:
    """One agency's return (other agencies' stay hidden from auditors until moderation)."""
    return _return_out(request, _return(request, reference, number, agency))


@returns.put(
    "/audits/{reference}/cases/{number}/returns/{agency}",
    response={200: s.ReturnOut, **WRITE_ERRORS},
    url_name="return",
)
def return_save(
    request: HttpRequest,
    payload: s.ReturnIn,
    reference: str = Reference,
    number: int = Number,
    agency: str = AgencySlug,
) -> dict[str, Any]:
    """Save your agency's draft (and submit it, with `submit: true`). Send the `version` you
    read: if someone saved since, the answer is 409 and nothing is saved."""
    actor = get_actor(request)
    ret = _editable_return(request, reference, number, agency)
    codes = set(ret.case.audit.tool.questions.values_list("code", flat=True))
    unknown = sorted(set(payload.answers) - codes)
    if unknown:
        raise ServiceError(
            f"No such question in this audit's tool: {', '.join(unknown)}.", field="answers"
        )
    data = return_services.ReturnInput(
        answers={
            code: return_services.AnswerInput(
                answer=a.answer, text=a.text, evidence=a.evidence, why_not=a.why_not
            )
            for code, a in payload.answers.items()
        },
        strengths=payload.strengths,
        areas_for_development=payload.areas_for_development,
        grade=payload.grade,
        grade_reason=payload.grade_reason,
        immediate_concern=payload.immediate_concern,
        immediate_concern_detail=payload.immediate_concern_detail,
    )
    save = return_services.return_submit if payload.submit else return_services.return_save
    ret = save(actor=actor, ret=ret, data=data, expected_version=payload.version)
    access_record(
        actor=actor,
        action="return.edit",
        target=ret,
        audit_id=ret.case.audit_id,
        case_id=ret.case_id,
        label=str(ret),
    )
    return _return_out(request, ret)


# --- Chronology and evaluation -------------------------------------------------------------

chronology = Router(tags=["Chronology"])
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


@chronology.get(
    "/audits/{reference}/cases/{number}/chronology",
    response={200: s.ChronologyOut, **ERRORS},
    url_name="chronology",
)
def chronology_detail(
    request: HttpRequest, reference: str = Reference, number: int = Number
) -> dict[str, Any]:
    """The case's merged chronology in the chronology file format (contracts.md section 3),
    ready for `maca evaluate`."""
    _audit_obj, case = _case(request, reference, number, "chronology.download")
    return chronology_services.case_document(case)


def _check_event_values(events: list[dict[str, Any]]) -> None:
    """What the database cannot hold, refused before the services see it."""
    errors = []
    for i, event in enumerate(events):
        incident = event.get("incident")
        if incident is not None and len(str(incident)) > 20:
            errors.append(
                (f"events[{i}].incident", f"Event {i + 1}, incident: at most 20 characters.")
            )
        at = event.get("at")
        if isinstance(at, str) and len(at) >= 10:
            try:
                day = dt.date.fromisoformat(at[:10])
            except ValueError:
                continue  # the engine explains bad dates
            if not EARLIEST <= day <= LATEST:
                errors.append((f"events[{i}].at", f"Event {i + 1}, at: must be 1900 to 2100."))
    if errors:
        raise chronology_services.ChronologyInvalid(errors)


@chronology.post(
    "/audits/{reference}/cases/{number}/chronology/events",
    response={201: s.EventsAdded, **WRITE_ERRORS},
    url_name="chronology_events",
)
def chronology_events_add(
    request: HttpRequest,
    payload: s.EventsIn,
    reference: str = Reference,
    number: int = Number,
) -> Status:
    """Add events for one agency, all or nothing, checked by the same engine as
    `maca evaluate` (the business unit for any agency; an auditor for their own)."""
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    case = audit_selectors.case_get(actor, audit, number, log=False)
    agency = Agency.objects.filter(partnership_id=audit.partnership_id, slug=payload.agency).first()
    if agency is None or not chronology_services.can_record(actor, case, agency):
        raise Http404("Not found")
    audit_selectors.case_logged(actor, case, "chronology.edit")
    _check_event_values(payload.events)
    raw = json.dumps({"events": payload.events}).encode("utf-8")
    events = chronology_services.parse_upload(raw, "api.json")
    created = chronology_services.events_add(actor=actor, case=case, agency=agency, events=events)
    return Status(201, {"added": len(created), "events": [e.to_contract() for e in created]})


class EvaluationQuery(s.Schema):
    as_of: dt.date | None = s.Field(
        None, ge=EARLIEST, le=LATEST, description="Evaluate as on this day (default today)."
    )


@chronology.get(
    "/audits/{reference}/cases/{number}/evaluation",
    response={200: s.EvaluationOut, **ERRORS},
    url_name="evaluation",
)
def evaluation(
    request: HttpRequest,
    query: Query[EvaluationQuery],
    reference: str = Reference,
    number: int = Number,
) -> dict[str, Any]:
    """The case's chronology checked against its audit's protocol (contracts.md section 4)."""
    _audit_obj, case = _case(request, reference, number, "chronology.view")
    return chronology_services.case_evaluation(case, query.as_of).to_dict()


# --- Findings ------------------------------------------------------------------------------

findings = Router(tags=["Findings"])


class FindingFilter(s.Schema):
    kind: str | None = s.Field(
        None,
        pattern="^(summary|good_practice|area_for_development)$",
        description="Only this kind.",
    )


@findings.get(
    "/audits/{reference}/findings", response={200: s.FindingsOut, **ERRORS}, url_name="findings"
)
def finding_list(
    request: HttpRequest, filters: Query[FindingFilter], reference: str = Reference
) -> dict[str, Any]:
    """The panel's findings, practitioner steps and learning events (the panel only)."""
    audit = _audit(request, reference)
    if not perms.can_read_findings(get_actor(request), audit):
        raise Http404("Not found")
    rows = Finding.objects.filter(audit=audit).prefetch_related("cases")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return {
        "findings": [
            {
                "id": f.pk,
                "kind": f.kind,
                "text": f.text,
                "cases": [c.label for c in f.cases.order_by("number")],
            }
            for f in rows
        ],
        "practitioner_steps": [
            {"text": p.text, "link_url": p.link_url} for p in audit.practitioner_steps.all()
        ],
        "learning_events": [
            {"title": e.title, "date": e.date, "audience": e.audience, "booking_url": e.booking_url}
            for e in audit.learning_events.all()
        ],
    }


# --- Briefings -----------------------------------------------------------------------------

briefings = Router(tags=["Briefings"])


class BriefingFilter(s.Schema):
    published: bool | None = s.Field(None, description="Only (un)published briefings.")


@briefings.get(
    "/briefings",
    response={200: s.BriefingPage, 401: s.ErrorOut, 422: s.ErrorOut},
    url_name="briefings",
)
def briefing_list(
    request: HttpRequest, filters: Query[BriefingFilter], page: Query[PageQuery]
) -> dict[str, Any]:
    """Published briefings (everyone in the partnership) and the drafts you may edit."""
    rows = briefing_selectors.briefings_for(get_actor(request))
    if filters.published is not None:
        rows = [b for b in rows if (b.published_version_id is not None) == filters.published]
    count, items = _page(rows, page)
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [_briefing_out(request, b) for b in items],
    }


@briefings.get(
    "/briefings/{reference}", response={200: s.BriefingOut, **ERRORS}, url_name="briefing"
)
def briefing_detail(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    return _briefing_out(request, briefing_selectors.briefing_get(get_actor(request), reference))


FILE_CONTENT = {
    media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for media, _ext in FORMATS.values()
}


@briefings.get(
    "/briefings/{reference}/download/{fmt}",
    response={401: s.ErrorOut, 404: s.ErrorOut, 422: s.ErrorOut},
    url_name="briefing_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The published file, exactly as checked.",
                "content": FILE_CONTENT,
            }
        }
    },
)
def briefing_download(
    request: HttpRequest,
    reference: str = Reference,
    fmt: str = Path(..., pattern="^(html|pdf|docx|txt)$"),
) -> HttpResponse:
    """The published briefing file (html, pdf, docx or txt), exactly as the disclosure check
    passed it. Drafts are not served by the API."""
    briefing = briefing_selectors.briefing_get(get_actor(request), reference)
    stored = briefing_services.published_file(briefing, fmt)
    if stored is None:
        raise Http404("Not found")
    media, extension = FORMATS[fmt]
    response = HttpResponse(bytes(stored.data), content_type=media)
    response["Content-Disposition"] = (
        f'attachment; filename="7-minute-briefing-{briefing.reference}.{extension}"'
    )
    return response


# --- Case pool -----------------------------------------------------------------------------

pool = Router(tags=["Case pool"])


class PoolForm(s.Schema):
    format: str | None = s.Field(
        None,
        pattern="^(annex-a|cin-census|csv)$",
        description="annex-a, cin-census or csv; detected when left out.",
    )


def _plans(request: HttpRequest) -> Any:
    actor = get_actor(request)
    if not perms.can_plan_audits(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    return actor


@pool.post(
    "/pool/imports",
    response={201: s.PoolImportOut, 202: s.JobOut, **ERRORS},
    url_name="pool_imports",
)
def pool_import(request: HttpRequest, form: Form[PoolForm], file: File[UploadedFile]) -> Status:
    """Import a council's list (Annex A, CIN census or CSV) into the case pool: the business
    unit only. Small files are imported at once (201, with the summary); big ones are queued
    (202, with a job to poll at /pool/jobs/{id}). A refused file saves nothing (422, every
    problem listed)."""
    actor = _plans(request)
    name = (file.name or "upload")[:255]
    if file.size and file.size > settings.MACA_IMPORT_INLINE_MAX_BYTES:
        job = job_services.enqueue(
            kind="pool_import",
            partnership_id=actor.partnership_id,
            created_by_id=actor.user_id,
            params={"filename": name, "format": form.format or ""},
            upload=file.file,
        )
        return Status(202, _job_out(job))
    try:
        summary = sampling_services.pool_import(
            actor=actor,
            partnership=Partnership.objects.get(pk=actor.partnership_id),
            source=cast(IO[bytes], file.file),
            filename=name,
            format=form.format or None,
        )
    except UnreadableFile as exc:
        raise ServiceError(f"{name} could not be read: {exc}", field="file") from None
    return Status(
        201,
        {
            "filename": name,
            "format": summary.format,
            "rows_read": summary.rows_read,
            "children": summary.children,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "warnings": [str(w) for w in summary.warnings[:500]],
            "notes": [str(n) for n in summary.notes[:100]],
        },
    )


def _job_out(job: Job) -> dict[str, Any]:
    progress = job_services.read_progress(job)
    return {
        "id": job.id,
        "status": job.status,
        "finished": job.finished,
        "done": progress.get("done"),
        "total": progress.get("total"),
        "result": job.result or {},
        "error": job.error,
    }


@pool.get("/pool/jobs/{job_id}", response={200: s.JobOut, **ERRORS}, url_name="pool_job")
def pool_job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    """A queued import: its progress, then what it did or every problem."""
    actor = _plans(request)
    job = Job.objects.filter(
        pk=job_id, partnership_id=actor.partnership_id, kind="pool_import"
    ).first()
    if job is None:
        raise Http404("Not found")
    return _job_out(job)


# --- Action plans and learning (docs/follow-up.md) -----------------------------------------

actions = Router(tags=["Actions and learning"])
ActionNumber = Path(..., ge=1, le=MAX_CASE_NUMBER)


class ActionFilter(s.Schema):
    status: s.ActionStatusValue | None = s.Field(None, description="Only actions in this state.")
    owner_agency: str | None = s.Field(
        None, pattern=s.SLUG_PATTERN, max_length=50, description="Only this agency's actions."
    )
    overdue: bool | None = s.Field(
        None, description="Only actions that are (not) open and past their due date."
    )


class OverviewFilter(ActionFilter):
    audit: str | None = s.Field(
        None, pattern=s.SLUG_PATTERN, max_length=80, description="Only this audit's actions."
    )


def _filtered(rows: QuerySet[Action], filters: ActionFilter) -> QuerySet[Action]:
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.owner_agency:
        rows = rows.filter(owner_agency__slug=filters.owner_agency)
    if filters.overdue is not None:
        late = Q(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
        rows = rows.filter(late) if filters.overdue else rows.exclude(late)
    return rows


def _action_out(request: HttpRequest, action: Action, today: dt.date) -> dict[str, Any]:
    """What the action page shows, with what the token's owner may do to it."""
    actor = get_actor(request)
    closed = action.status == ActionStatus.CLOSED
    return {
        "number": action.number,
        "audit": action.audit.reference if action.audit is not None else None,
        "review": action.review,
        "description": action.description,
        "kind": action.kind,
        "owner_agency": action.owner_agency.slug,
        "lead": action.lead,
        "due_date": action.due_date,
        "status": action.status,
        "overdue": action.is_overdue(today),
        "blocked_reason": action.blocked_reason,
        "evidence": action.evidence,
        "finding": action.finding_id,
        "closed_at": action.closed_at,
        "version": action.version,
        "updated_at": action.updated_at,
        "editable": perms.can_edit_action(actor, action) and not closed,
        "statuses": [] if closed else action_services.allowed_statuses(actor, action),
        "url": (
            reverse("api-v1:action", args=[action.audit.reference, action.number])
            if action.audit is not None
            else reverse("api-v1:review_action", args=[action.number])
        ),
    }


def _action_detail_out(request: HttpRequest, action: Action) -> dict[str, Any]:
    updates = action.updates.select_related("author").order_by("created_at", "pk")
    return {
        **_action_out(request, action, timezone.localdate()),
        "updates": [
            {
                "status": u.status,
                "note": u.note,
                "author": str(u.author),
                "created_at": u.created_at,
            }
            for u in updates
        ],
    }


def _action_page(request: HttpRequest, rows: QuerySet[Action], page: PageQuery) -> dict[str, Any]:
    count, items = _page(rows, page)
    today = timezone.localdate()
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [_action_out(request, a, today) for a in items],
    }


def _owner(partnership_id: int, slug: str) -> int:
    agency = Agency.objects.filter(partnership_id=partnership_id, slug=slug).first()
    if agency is None:
        raise ServiceError("Choose the agency that owns the action", field="owner_agency")
    return agency.pk


@actions.get("/actions", response={200: s.ActionPage, **ERRORS}, url_name="actions")
def action_overview(
    request: HttpRequest, filters: Query[OverviewFilter], page: Query[PageQuery]
) -> dict[str, Any]:
    """Every action you may see across audits and local reviews, soonest due first (the
    actions overview page: everything for the business unit, chairs and the board; an
    agency's auditors their own agency's)."""
    actor = get_actor(request)
    if not actor.has_any_role:
        raise Http404("Not found")
    rows = _filtered(action_selectors.actions_visible(actor), filters)
    if filters.audit:
        rows = rows.filter(audit__reference=filters.audit)
    return _action_page(request, rows, page)


@actions.get("/audits/{reference}/actions", response={200: s.ActionPage, **ERRORS}, url_name="plan")
def action_plan(
    request: HttpRequest,
    filters: Query[ActionFilter],
    page: Query[PageQuery],
    reference: str = Reference,
) -> dict[str, Any]:
    """The audit's action plan (the panel always; the board and the agencies taking part once
    it is published), in number order."""
    audit = action_selectors.audit_for_follow_up(get_actor(request), reference)
    rows = audit.actions.select_related("owner_agency", "audit").order_by("number")
    return _action_page(request, _filtered(rows, filters), page)


@actions.post(
    "/audits/{reference}/actions",
    response={201: s.ActionDetailOut, **ERRORS},
    url_name="plan",
)
def action_create(request: HttpRequest, payload: s.ActionIn, reference: str = Reference) -> Status:
    """Add an action to the plan (the business unit and the audit's chair, from reporting
    to follow-up). It starts as not_started."""
    actor = get_actor(request)
    audit = action_selectors.audit_for_follow_up(actor, reference)
    if not perms.can_plan_actions(actor, audit):
        raise Http404("Not found")
    action = action_services.action_add(
        actor=actor,
        audit=audit,
        data=_new_action(payload, audit.partnership_id, finding_id=payload.finding),
    )
    return Status(
        201, _action_detail_out(request, action_selectors.action_get(audit, action.number))
    )


@actions.get(
    "/audits/{reference}/actions/{number}",
    response={200: s.ActionDetailOut, **ERRORS},
    url_name="action",
)
def action_detail(
    request: HttpRequest, reference: str = Reference, number: int = ActionNumber
) -> dict[str, Any]:
    """One action, with its progress updates."""
    audit = action_selectors.audit_for_follow_up(get_actor(request), reference)
    return _action_detail_out(request, action_selectors.action_get(audit, number))


@actions.patch(
    "/audits/{reference}/actions/{number}",
    response={200: s.ActionDetailOut, **WRITE_ERRORS},
    url_name="action",
)
def action_change(
    request: HttpRequest,
    payload: s.ActionChangeIn,
    reference: str = Reference,
    number: int = ActionNumber,
) -> dict[str, Any]:
    """Change an action's wording, type, owner, lead or due date (whoever may add it, until
    the board closes it: then 409). Send the `version` you read: if it changed since, the
    answer is 409 and nothing is saved."""
    actor = get_actor(request)
    audit = action_selectors.audit_for_follow_up(actor, reference)
    _edit(actor, action_selectors.action_get(audit, number), payload)
    return _action_detail_out(request, action_selectors.action_get(audit, number))


def _edit(actor: perms.Actor, action: Action, payload: s.ActionChangeIn) -> None:
    """A PATCH of an audit's or a local review's action: 404 for whoever may not change it."""
    if not perms.can_edit_action(actor, action):
        raise Http404("Not found")
    action_services.action_edit(
        actor=actor,
        action=action,
        expected_version=payload.version,
        data=_changed(action, payload),
    )


def _or(value: Any, current: Any) -> Any:
    return current if value is None else value


def _new_action(
    payload: s.ActionIn | s.ReviewActionIn, partnership_id: int, finding_id: int | None = None
) -> action_services.ActionInput:
    """A new action's fields from a POST (an audit's plan or a local review's)."""
    return action_services.ActionInput(
        description=payload.description,
        kind=payload.kind,
        owner_agency_id=_owner(partnership_id, payload.owner_agency),
        lead=payload.lead,
        due_date=payload.due_date,
        finding_id=finding_id,
    )


def _progress(actor: perms.Actor, action: Action, payload: s.ProgressIn) -> None:
    """A progress update posted on an audit's or a local review's action."""
    action_services.action_progress(
        actor=actor,
        action=action,
        expected_version=payload.version,
        data=action_services.ProgressInput(
            status=payload.status,
            note=payload.note,
            blocked_reason=payload.blocked_reason,
            evidence=payload.evidence,
        ),
    )


def _changed(action: Action, payload: s.ActionChangeIn) -> action_services.ActionInput:
    """The action as a PATCH leaves it: the fields sent, the others as they are."""
    return action_services.ActionInput(
        description=_or(payload.description, action.description),
        kind=_or(payload.kind, action.kind),
        owner_agency_id=(
            _owner(action.partnership_id, payload.owner_agency)
            if payload.owner_agency is not None
            else action.owner_agency_id
        ),
        lead=_or(payload.lead, action.lead),
        due_date=_or(payload.due_date, action.due_date),
    )


@actions.post(
    "/audits/{reference}/actions/{number}/updates",
    response={201: s.ActionDetailOut, **WRITE_ERRORS},
    url_name="action_updates",
)
def action_update_add(
    request: HttpRequest,
    payload: s.ProgressIn,
    reference: str = Reference,
    number: int = ActionNumber,
) -> Status:
    """Record progress: a note and the status it leaves the action in (the panel, or the
    owning agency's auditor; `closed` is for the board and the business unit, once done).
    A stale `version` gets 409 and nothing is saved."""
    actor = get_actor(request)
    audit = action_selectors.audit_for_follow_up(actor, reference)
    _progress(actor, action_selectors.action_get(audit, number), payload)
    return Status(201, _action_detail_out(request, action_selectors.action_get(audit, number)))


# Actions from local reviews: no audit behind them, numbered within the partnership. The same
# selectors, permissions and services as their pages (actions/new/, actions/<number>/).


@actions.get("/reviews/actions", response={200: s.ActionPage, **ERRORS}, url_name="review_actions")
def review_action_list(
    request: HttpRequest, filters: Query[ActionFilter], page: Query[PageQuery]
) -> dict[str, Any]:
    """The local reviews' actions you may see (as on the actions overview: everything for the
    business unit, chairs and the board; an agency's auditors their own agency's), in number
    order."""
    actor = get_actor(request)
    if not actor.has_any_role:
        raise Http404("Not found")
    rows = action_selectors.actions_visible(actor).filter(audit__isnull=True).order_by("number")
    return _action_page(request, _filtered(rows, filters), page)


@actions.post(
    "/reviews/actions", response={201: s.ActionDetailOut, **ERRORS}, url_name="review_actions"
)
def review_action_create(request: HttpRequest, payload: s.ReviewActionIn) -> Status:
    """Add an action from a local review (a rapid review, a learning review): the business
    unit. It starts as not_started and is numbered after the partnership's other review
    actions."""
    actor = get_actor(request)
    if not perms.can_add_review_actions(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    action = action_services.review_action_add(
        actor=actor,
        partnership_id=actor.partnership_id,
        review=payload.review,
        data=_new_action(payload, actor.partnership_id),
    )
    return Status(
        201, _action_detail_out(request, action_selectors.review_action_get(actor, action.number))
    )


@actions.get(
    "/reviews/actions/{number}",
    response={200: s.ActionDetailOut, **ERRORS},
    url_name="review_action",
)
def review_action_detail(request: HttpRequest, number: int = ActionNumber) -> dict[str, Any]:
    """One local review's action, with its progress updates (the business unit, chairs and
    the board; an agency's auditors their own agency's)."""
    return _action_detail_out(
        request, action_selectors.review_action_get(get_actor(request), number)
    )


@actions.patch(
    "/reviews/actions/{number}",
    response={200: s.ActionDetailOut, **WRITE_ERRORS},
    url_name="review_action",
)
def review_action_change(
    request: HttpRequest, payload: s.ActionChangeIn, number: int = ActionNumber
) -> dict[str, Any]:
    """Change a local review's action: its wording, type, owner, lead or due date (the
    business unit, until the board closes it: then 409). Send the `version` you read: if it
    changed since, the answer is 409 and nothing is saved."""
    actor = get_actor(request)
    _edit(actor, action_selectors.review_action_get(actor, number), payload)
    return _action_detail_out(request, action_selectors.review_action_get(actor, number))


@actions.post(
    "/reviews/actions/{number}/updates",
    response={201: s.ActionDetailOut, **WRITE_ERRORS},
    url_name="review_action_updates",
)
def review_action_update_add(
    request: HttpRequest, payload: s.ProgressIn, number: int = ActionNumber
) -> Status:
    """Record progress on a local review's action (the business unit, or the owning agency's
    auditor; `closed` is for the board and the business unit, once done). A stale `version`
    gets 409 and nothing is saved; so does any update to a closed action, for whoever could
    have updated it."""
    actor = get_actor(request)
    _progress(actor, action_selectors.review_action_get(actor, number), payload)
    return Status(
        201, _action_detail_out(request, action_selectors.review_action_get(actor, number))
    )


@actions.get(
    "/audits/{reference}/learning", response={200: s.LearningOut, **ERRORS}, url_name="learning"
)
def learning(request: HttpRequest, reference: str = Reference) -> dict[str, Any]:
    """The audit's learning events with places and attendance, and the teams that discussed
    the briefing (read-only; whoever may read the action plan)."""
    audit = action_selectors.audit_for_follow_up(get_actor(request), reference)
    return {
        "learning_events": [
            {
                "id": e.pk,
                "title": e.title,
                "date": e.date,
                "audience": e.audience,
                "booking_url": e.booking_url,
                "places": e.places,
                "attended": e.attended,
            }
            for e in audit.learning_events.order_by("date", "pk")
        ],
        "briefing_uses": [
            {
                "agency": u.agency.slug,
                "team": u.team,
                "discussed_on": u.discussed_on,
                "attendees": u.attendees,
                "will_do": u.will_do,
            }
            for u in action_selectors.briefing_uses(audit)
        ],
    }


for router in (me_router, audits, returns, chronology, findings, actions, briefings, pool):
    api.add_router("", router)
