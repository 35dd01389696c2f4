"""The one write path into the activity and access logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maca.activity.models import AccessEntry, ActivityEntry

if TYPE_CHECKING:
    from django.db.models import Model

    from maca.core.permissions import Actor


def activity_record(
    *,
    actor: Actor | None,
    partnership_id: int,
    action: str,
    target: Model | None = None,
    audit_id: int | None = None,
    label: str = "",
    data: dict[str, Any] | None = None,
) -> ActivityEntry:
    """Record a state change. Call inside the same transaction as the change itself."""
    return ActivityEntry.objects.create(
        partnership_id=partnership_id,
        actor_id=actor.user_id if actor else None,
        action=action,
        audit_id=audit_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=label or (str(target) if target is not None else ""),
        data=data or {},
    )


def access_record(
    *,
    actor: Actor,
    action: str,
    target: Model,
    audit_id: int | None,
    case_id: int | None,
    label: str,
) -> AccessEntry:
    """Record one view of case-level data (after the permission check allowed it)."""
    assert actor.partnership_id is not None
    return AccessEntry.objects.create(
        partnership_id=actor.partnership_id,
        user_id=actor.user_id,
        roles=",".join(sorted(actor.roles)),
        agencies=",".join(str(a) for a in sorted(actor.agency_ids)),
        action=action,
        audit_id=audit_id,
        case_id=case_id,
        object_type=target._meta.label_lower,
        object_id=target.pk,
        target_label=label,
    )
