"""The business unit reads the activity and access logs (read-only: no edit, no delete)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from maca.activity.models import AccessEntry, ActivityEntry
from maca.core import permissions as perms
from maca.core.middleware import get_actor


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not perms.can_view_activity(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    entries = ActivityEntry.objects.filter(partnership_id=actor.partnership_id).select_related(
        "actor"
    )
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = urlencode({"action": action}) if action else ""
    return render(request, "activity/list.html", {"page": page, "action": action, "query": query})


@login_required
@require_GET
def access_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not perms.can_view_activity(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    entries = AccessEntry.objects.filter(partnership_id=actor.partnership_id).select_related("user")
    username = request.GET.get("user", "").strip()
    if username:
        entries = entries.filter(user__username=username)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = urlencode({"user": username}) if username else ""
    return render(
        request, "activity/access.html", {"page": page, "username": username, "query": query}
    )
