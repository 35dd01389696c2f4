"""Navigation shown in the service header, by role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from maca.core import permissions as perms
from maca.partnerships.models import Partnership


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    if actor is None or user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Dashboard", reverse("dashboard"))]
    if actor.is_admin or actor.is_chair or actor.is_auditor:
        items.append(("Audits", reverse("audits:list")))
    if actor.has_any_role:
        items.append(("Briefings", reverse("briefings:list")))
        items.append(("Actions", reverse("actions:overview")))
        items.append(("Programme", reverse("insight:programme")))
        items.append(("Insight", reverse("insight:dashboard")))
    if perms.can_plan_audits(actor):
        items.append(("Case pool", reverse("pool")))
        items.append(("Audit tools", reverse("tools:list")))
    if perms.can_view_activity(actor):
        items.append(("Activity", reverse("activity:list")))
    items.append(("Your account", reverse("accounts:account")))
    path = request.path
    partnership = (
        Partnership.objects.filter(pk=actor.partnership_id).values_list("name", flat=True).first()
        if actor.partnership_id
        else None
    )
    return {
        "partnership_name": partnership or "",
        "nav_items": [
            {
                "label": label,
                "url": url,
                "current": path == url or (url != "/" and path.startswith(url)),
            }
            for label, url in items
        ],
        "actor": actor,
    }
