"""Briefing reads with access checks: missing and forbidden both answer 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from maca.briefings.models import Briefing, BriefingVersion
from maca.core import permissions as perms
from maca.core.permissions import Actor


def briefing_get(actor: Actor, reference: str) -> Briefing:
    if actor.partnership_id is None:
        raise Http404("No such briefing")
    briefing = (
        Briefing.objects.select_related(
            "audit", "audit__tool__scale", "partnership", "published_version"
        )
        .filter(partnership_id=actor.partnership_id, reference=reference)
        .first()
    )
    if briefing is None or not perms.can_read_briefing(actor, briefing):
        raise Http404("No such briefing")
    return briefing


def briefings_for(actor: Actor) -> list[Briefing]:
    """Published briefings for everyone in the partnership, plus the drafts they may edit."""
    if actor.partnership_id is None or not actor.has_any_role:
        return []
    rows = (
        Briefing.objects.filter(partnership_id=actor.partnership_id)
        .select_related("audit", "published_version", "partnership")
        .order_by("-created_at")
    )
    return [b for b in rows if perms.can_read_briefing(actor, b)]


def published_briefings(actor: Actor, limit: int = 5) -> QuerySet[Briefing]:
    if actor.partnership_id is None or not actor.has_any_role:
        return Briefing.objects.none()
    return (
        Briefing.objects.filter(
            Q(partnership_id=actor.partnership_id) & Q(published_version__isnull=False)
        )
        .select_related("published_version")
        .order_by("-published_version__published_at")[:limit]
    )


def version_get(briefing: Briefing, number: int) -> BriefingVersion:
    version = (
        briefing.versions.filter(number=number).select_related("created_by", "published_by").first()
    )
    if version is None:
        raise Http404("No such version")
    return version
