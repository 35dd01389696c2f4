"""The business unit reads the activity and access logs (read-only: no edit, no delete),
narrows them by person, agency, audit, case, kind and dates, exports what it narrowed to as
CSV (for a subject-access request or an investigation; the export is itself logged), and
sees who viewed one case's records."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from maca.activity import selectors
from maca.activity.forms import LogFilterForm
from maca.activity.services import activity_record
from maca.audits import selectors as audit_selectors
from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.middleware import get_actor
from maca.core.permissions import Actor
from maca.core.reauth import confirm_redirect
from maca.partnerships.models import Agency

PAGE_SIZE = 50
KINDS = {"activity": "Activity log", "access": "Access log"}


def _business_unit(request: HttpRequest) -> Actor:
    actor = get_actor(request)
    if not perms.can_view_activity(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    return actor


def _filter(actor: Actor, request: HttpRequest) -> tuple[LogFilterForm, selectors.LogFilter]:
    agencies = list(
        Agency.objects.filter(partnership_id=actor.partnership_id or 0)
        .order_by("name")
        .values_list("slug", "name")
    )
    form = LogFilterForm(request.GET or None, agencies=agencies)
    if not request.GET or not form.is_valid():
        return form, selectors.LogFilter()
    d = form.cleaned_data
    agency_id = None
    if d["agency"]:
        agency_id = (
            Agency.objects.filter(partnership_id=actor.partnership_id or 0, slug=d["agency"])
            .values_list("pk", flat=True)
            .first()
        )
    audit_id, audit_missing = None, False
    if d["audit"]:
        audit_id = (
            Audit.objects.filter(partnership_id=actor.partnership_id or 0, reference=d["audit"])
            .values_list("pk", flat=True)
            .first()
        )
        audit_missing = audit_id is None
    return form, selectors.LogFilter(
        user=d["user"].strip(),
        agency_id=agency_id,
        audit_id=audit_id,
        audit_missing=audit_missing,
        case=d["case"].strip(),
        kind=d["kind"].strip(),
        date_from=d["date_from"],
        date_to=d["date_to"],
    )


def _query(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _list(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _business_unit(request)
    form, f = _filter(actor, request)
    entries = (
        selectors.activity_entries(actor, f)
        if kind == "activity"
        else selectors.access_entries(actor, f)
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query(request)
    return render(
        request,
        f"activity/{'list' if kind == 'activity' else 'access'}.html",
        {"page": page, "form": form, "query": query, "kind": kind},
    )


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "activity")


@login_required
@require_GET
def access_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "access")


def _cell(value: Any) -> str:
    """A spreadsheet cannot run what a cell holds (CSV formula injection)."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


@login_required
@require_GET
def log_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The filtered log as CSV, after confirming it is you (and only then); the export is logged."""
    if kind not in KINDS:
        raise Http404("Not found")
    actor = _business_unit(request)
    confirm = confirm_redirect(request)
    if confirm is not None:
        return confirm
    form, f = _filter(actor, request)
    if request.GET and not form.is_valid():
        return _list(request, kind)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="maca-{kind}-log-{stamp}.csv"'
    writer = csv.writer(response)
    with transaction.atomic():
        if kind == "activity":
            writer.writerow(["when_utc", "who", "action", "audit_id", "what", "target", "id"])
            count = 0
            for count, e in enumerate(selectors.activity_entries(actor, f).iterator(), 1):  # noqa: B007
                writer.writerow(
                    [
                        _cell(e.at.astimezone(dt.UTC).isoformat()),
                        _cell(e.actor.username if e.actor else "maca"),
                        _cell(e.action),
                        _cell(e.audit_id),
                        _cell(e.target_label),
                        _cell(f"{e.target_type}:{e.target_id}" if e.target_type else ""),
                        _cell(e.pk),
                    ]
                )
        else:
            writer.writerow(
                ["when_utc", "who", "roles", "agencies", "action", "audit_id", "case_id", "what"]
            )
            count = 0
            for count, a in enumerate(selectors.access_entries(actor, f).iterator(), 1):  # noqa: B007
                writer.writerow(
                    [
                        _cell(a.at.astimezone(dt.UTC).isoformat()),
                        _cell(a.user.username),
                        _cell(a.roles),
                        _cell(a.agencies),
                        _cell(a.action),
                        _cell(a.audit_id),
                        _cell(a.case_id),
                        _cell(a.target_label),
                    ]
                )
        assert actor.partnership_id is not None
        activity_record(
            actor=actor,
            partnership_id=actor.partnership_id or 0,
            action=f"log.export.{kind}",
            label=f"{KINDS[kind]} export ({count} entries)",
            data={"filter": f.describe(), "entries": count},
        )
    return response


@login_required
@require_GET
def case_access(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """Who viewed this case's records, and when (the investigation report)."""
    actor = _business_unit(request)
    audit = audit_selectors.audit_get(actor, reference)
    # Reading who looked at a child's records is itself a view of that case: logged.
    case = audit_selectors.case_get(actor, audit, number, action="case.access_report")
    entries = selectors.case_access_entries(actor, case.pk)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    people = (
        entries.order_by().values("user__username", "roles").distinct().order_by("user__username")
    )
    query = urlencode({"audit": audit.reference, "case": case.label})
    return render(
        request,
        "activity/case_access.html",
        {"audit": audit, "case": case, "page": page, "people": people, "export_query": query},
    )
