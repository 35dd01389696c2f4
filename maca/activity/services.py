"""The one write path into the activity and access logs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import transaction

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
) -> None:
    """Record one view of case-level data (after the permission check allowed it).

    Inside a web request (`access_batch`, opened by AccessLogMiddleware) the entry is held and
    written when the request ends, in the same commit as the session's renewal
    (maca.accounts.sessions): one write per page instead of two, which on SQLite is one wait
    for the write lock fewer under load. Anywhere else it is written at once.
    """
    assert actor.partnership_id is not None
    row = {
        "partnership_id": actor.partnership_id,
        "user_id": actor.user_id,
        "roles": ",".join(sorted(actor.roles)),
        "agencies": ",".join(str(a) for a in sorted(actor.agency_ids)),
        "action": action,
        "audit_id": audit_id,
        "case_id": case_id,
        "object_type": target._meta.label_lower,
        "object_id": target.pk,
        "target_label": label,
    }
    pending = _pending.get()
    if pending is None:
        AccessEntry.objects.create(**row)
    else:
        pending.append(row)


# The access-log entries of the web request being served, not yet written (None outside one).
_pending: ContextVar[list[dict[str, Any]] | None] = ContextVar("maca_access_pending", default=None)


@contextmanager
def access_batch() -> Iterator[None]:
    """Hold the access-log entries recorded inside, and write whatever is left at the end,
    however it ends (an error page still logs what was read before it)."""
    token = _pending.set([])
    try:
        yield
    finally:
        try:
            access_flush()
        finally:
            _pending.reset(token)


def access_take() -> list[dict[str, Any]]:
    """Remove and return the held entries (for a caller that writes them in its own commit)."""
    pending = _pending.get()
    if not pending:
        return []
    rows = pending[:]
    pending.clear()
    return rows


def access_put_back(rows: list[dict[str, Any]]) -> None:
    """Return entries whose commit failed, so the end of the request writes them."""
    pending = _pending.get()
    if pending is None:
        access_write(rows)
    else:
        pending[:0] = rows


def access_write(rows: list[dict[str, Any]]) -> None:
    """Insert held entries (in the caller's transaction, if any)."""
    if rows:
        AccessEntry.objects.bulk_create([AccessEntry(**row) for row in rows])


def access_flush() -> None:
    """Write the held entries now, in one transaction."""
    rows = access_take()
    if not rows:
        return
    try:
        with transaction.atomic():
            access_write(rows)
    except BaseException:
        access_put_back(rows)
        raise
