"""Briefing pages: list, read, edit with live preview, check and publish, download, style."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maca.audits import selectors as audit_selectors
from maca.briefings import compose, selectors, services
from maca.briefings.forms import BriefingForm, PublishForm, ReviewBriefingForm, StyleForm
from maca.briefings.models import Briefing, BriefingStyle
from maca.briefings.renderers import FORMATS
from maca.briefings.renderers.html import render_fragment
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.core.reauth import recently_authenticated
from maca.partnerships.models import Partnership

PAGE_SIZE = 25  # rows per page of a long list

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _headings(briefing: Briefing) -> dict[str, str]:
    style = BriefingStyle.objects.filter(partnership_id=briefing.partnership_id).first()
    return style.headings if style else {}


@login_required
@require_GET
def briefing_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not actor.has_any_role:
        raise Http404("Not found")
    page = Paginator(selectors.briefings_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "briefings/list.html",
        {
            "briefings": page,
            "page": page,
            "can_create": perms.can_create_review_briefing(actor),
            "can_style": perms.can_style_briefings(actor),
        },
    )


@login_required
@require_GET
def briefing_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The published briefing (or, for those who draft it, the latest draft)."""
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    can_draft = perms.can_draft_briefing(actor, briefing)
    latest = services.latest_version(briefing)
    if briefing.published_version is not None and not (can_draft and latest.published_at is None):
        shown = briefing.published_version
    else:
        shown = latest
    return render(
        request,
        "briefings/detail.html",
        {
            "briefing": briefing,
            "version": shown,
            "latest": latest,
            "article": render_fragment(services.version_content(shown)),
            "can_draft": can_draft,
            "can_publish": perms.can_publish_briefing(actor, briefing),
            "formats": list(FORMATS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def briefing_edit(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    if not perms.can_draft_briefing(actor, briefing):
        raise Http404("Not found")
    latest = services.latest_version(briefing)
    headings = _headings(briefing)
    initial = {"number": latest.number, **compose.bodies_of(latest)}
    form = BriefingForm(
        request.POST if request.method == "POST" else None, initial=initial, headings=headings
    )
    action = request.POST.get("action", "save")
    bodies = compose.bodies_of(latest)
    if request.method == "POST":
        # The preview shows what was typed, even when it is too long to save.
        bodies = {key: request.POST.get(key, "")[:5000] for key in compose.SECTION_KEYS}
    if request.method == "POST" and form.is_valid():
        bodies = form.bodies()
        try:
            if action == "recompose":
                services.version_recompose(
                    actor=actor, briefing=briefing, expected_number=form.cleaned_data["number"]
                )
                messages.success(request, "A new version was composed from the audit’s data.")
                return redirect("briefings:edit", briefing.reference)
            if action == "save":
                version = services.version_save(
                    actor=actor,
                    briefing=briefing,
                    bodies=bodies,
                    expected_number=form.cleaned_data["number"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, f"Saved as version {version.number}.")
                return redirect("briefings:detail", briefing.reference)
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
    preview = services.preview_content(briefing, bodies, latest.number)
    return render(
        request,
        "briefings/edit.html",
        {
            "briefing": briefing,
            "form": form,
            "latest": latest,
            "article": render_fragment(preview),
            "can_recompose": briefing.audit is not None,
        },
    )


@login_required
@require_POST
def briefing_preview(request: HttpRequest, reference: str) -> HttpResponse:
    """The live preview: the editor posts the unsaved wording, gets the article back."""
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    if not perms.can_draft_briefing(actor, briefing):
        raise Http404("Not found")
    latest = services.latest_version(briefing)
    # Too-long sections still preview (cut at a generous limit); saving says what is wrong.
    bodies = {key: request.POST.get(key, "")[:5000] for key in compose.SECTION_KEYS}
    return HttpResponse(render_fragment(services.preview_content(briefing, bodies, latest.number)))


@login_required
@require_http_methods(["GET", "POST"])
def briefing_publish(request: HttpRequest, reference: str) -> HttpResponse:
    """Check the rendered files, then publish (or show what must be fixed)."""
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    if not perms.can_publish_briefing(actor, briefing):
        raise Http404("Not found")
    if request.method == "POST" and not recently_authenticated(request):
        # Publishing puts a document in front of every practitioner: confirm it is you first
        # (after the permission check, so a refusal still looks like "not found").
        query = urlencode({"next": request.path})
        return redirect(f"{reverse('accounts:confirm')}?{query}")
    latest = services.latest_version(briefing)
    form = PublishForm(
        request.POST if request.method == "POST" else None, initial={"number": latest.number}
    )
    if request.method == "POST" and form.is_valid():
        try:
            version, _ = services.briefing_publish(
                actor=actor,
                briefing=briefing,
                expected_number=form.cleaned_data["number"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except PreconditionFailed as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"Version {version.number} is published.")
            return redirect("briefings:detail", briefing.reference)
    already = latest.published_at is not None
    checked = (
        None
        if already
        else services.render_checked(briefing, services.version_content(latest, draft=False))
    )
    return render(
        request,
        "briefings/publish.html",
        {
            "briefing": briefing,
            "latest": latest,
            "form": form,
            "checked": checked,
            "already": already,
            "findings": checked.unique_findings() if checked else [],
        },
    )


@login_required
@require_GET
def briefing_download(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """The published file exactly as checked; a draft is rendered, checked and marked DRAFT."""
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    if fmt not in FORMATS:
        raise Http404("Not found")
    latest = services.latest_version(briefing)
    want_draft = request.GET.get("draft") == "1" and perms.can_draft_briefing(actor, briefing)
    stored = None if want_draft else services.published_file(briefing, fmt)
    if stored is not None:
        data = bytes(stored.data)
        suffix = ""
    elif perms.can_draft_briefing(actor, briefing) and latest.published_at is None:
        checked = services.render_checked(
            briefing, services.version_content(latest, draft=True), formats=(fmt,)
        )
        if not checked.clean:
            return render(
                request,
                "briefings/refused.html",
                {"briefing": briefing, "findings": checked.unique_findings(), "fmt": fmt},
                status=409,
            )
        data = checked.files[fmt]
        suffix = f"-draft-v{latest.number}"
    else:
        raise Http404("Not found")
    media, extension = FORMATS[fmt]
    response = HttpResponse(data, content_type=media)
    filename = f"7-minute-briefing-{briefing.reference}{suffix}.{extension}"
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_required
@require_GET
def version_list(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    if not perms.can_draft_briefing(actor, briefing):
        raise Http404("Not found")
    versions = briefing.versions.select_related("created_by", "published_by").order_by("-number")
    return render(request, "briefings/versions.html", {"briefing": briefing, "versions": versions})


@login_required
@require_GET
def version_detail(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    briefing = selectors.briefing_get(actor, reference)
    if not perms.can_draft_briefing(actor, briefing):
        raise Http404("Not found")
    version = selectors.version_get(briefing, number)
    return render(
        request,
        "briefings/version.html",
        {
            "briefing": briefing,
            "version": version,
            "article": render_fragment(services.version_content(version)),
        },
    )


@login_required
@require_POST
def briefing_start(request: HttpRequest, reference: str) -> HttpResponse:
    """From the audit page: make the audit's briefing (composed from its data) and edit it."""
    actor = get_actor(request)
    audit = audit_selectors.audit_get(actor, reference)
    try:
        briefing = services.briefing_start(actor=actor, audit=audit)
    except NotAllowed as exc:
        raise Http404("Not found") from exc
    return redirect("briefings:edit", briefing.reference)


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not perms.can_create_review_briefing(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    form = ReviewBriefingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            briefing = services.review_briefing_create(
                actor=actor,
                partnership=Partnership.objects.get(pk=actor.partnership_id),
                reference=d["reference"],
                title=d["title"],
                source_kind=d["source_kind"],
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            return redirect("briefings:edit", briefing.reference)
    return render(request, "briefings/review_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def style(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not perms.can_style_briefings(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    partnership = Partnership.objects.get(pk=actor.partnership_id)
    current = BriefingStyle.objects.filter(partnership=partnership).first() or BriefingStyle(
        partnership=partnership, version=0
    )
    initial = {
        "version": current.version,
        "accent_colour": current.accent_colour,
        "contact": current.contact,
        **{f"heading_{k}": v for k, v in current.headings.items()},
    }
    form = StyleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.style_save(
                actor=actor,
                partnership=partnership,
                headings=form.headings(),
                accent_colour=d["accent_colour"],
                contact=d["contact"],
                expected_version=d["version"],
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, "The briefing style was saved.")
            return redirect("briefings:list")
    return render(request, "briefings/style.html", {"form": form})


@login_required
@require_GET
def style_css(request: HttpRequest) -> HttpResponse:
    """The partnership's briefing colours as CSS custom properties (no inline styles: CSP)."""
    actor = get_actor(request)
    if not actor.has_any_role:
        raise Http404("Not found")
    partnership = Partnership.objects.filter(pk=actor.partnership_id or 0).first()
    style_row = BriefingStyle.objects.filter(partnership=partnership).first()
    primary = partnership.colour if partnership else "#1d70b8"
    accent = style_row.accent_colour if style_row else "#f3f2f1"
    if not (HEX.match(primary) and HEX.match(accent)):
        primary, accent = "#1d70b8", "#f3f2f1"
    css = f":root {{ --briefing-primary: {primary}; --briefing-accent: {accent}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")
