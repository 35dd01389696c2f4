"""Health check and the dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from maca.actions.selectors import needing_attention
from maca.audits.selectors import latest_audits, open_concerns, returns_to_do
from maca.briefings.selectors import published_briefings
from maca.core.middleware import get_actor


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the application and its database answer; says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    audits = latest_audits(actor) if actor.has_any_role else []
    context = {
        "audits": audits,
        "returns_to_do": list(returns_to_do(actor)[:50]),
        "concerns": list(open_concerns(actor)[:50]),
        "published": list(published_briefings(actor)),
        "attention": needing_attention(actor, timezone.localdate()),
        "today": timezone.localdate(),
    }
    return render(request, "core/dashboard.html", context)
