"""Making, revoking and checking API tokens (stored as SHA-256 digests, never in clear)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from maca.activity.services import activity_record
from maca.api.models import ApiToken
from maca.core.errors import NotAllowed, ServiceError
from maca.core.permissions import Actor

TOKEN_START = "maca_"  # noqa: S105 - the public marker every token starts with  # nosec B105
PREFIX_LENGTH = 12  # "maca_" and 7 random characters: shown in the list, never enough to use
EXPIRY_CHOICES = {"30": 30, "90": 90, "365": 365, "never": None}
NAME_MAX = 100
# Writing "last used" on every call would turn each read into a write; a minute is enough.
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(
    *, actor: Actor, user: Any, name: str, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A new token for `user` (the person signed in); the clear token is returned only here."""
    if actor.user_id != user.pk:
        raise NotAllowed("You can only make tokens for yourself.")
    name = name.strip()
    if not name:
        raise ServiceError("Enter a name for the token, for example “Power BI”.", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"The name must be {NAME_MAX} characters or fewer.", field="name")
    raw = TOKEN_START + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        digest=_digest(raw),
        expires_at=expires_at,
    )
    if actor.partnership_id is not None:
        activity_record(
            actor=actor,
            partnership_id=actor.partnership_id,
            action="api_token.created",
            target=token,
            label=f"API token {token.prefix}…",
            data={"expires_at": expires_at.isoformat() if expires_at else None},
        )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Stop a token working at once. Only its owner revokes it (others see 404)."""
    if token.user_id != actor.user_id:
        raise NotAllowed("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        if actor.partnership_id is not None:
            activity_record(
                actor=actor,
                partnership_id=actor.partnership_id,
                action="api_token.revoked",
                target=token,
                label=f"API token {token.prefix}…",
            )
    return token


def token_user(raw: str) -> Any | None:
    """The active user a presented token belongs to; None if unknown, revoked or expired."""
    if not raw.startswith(TOKEN_START) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    if not _second_factor_in_place(token.user):
        return None  # tokens are made after the second factor; without one they stop working
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _second_factor_in_place(user: Any) -> bool:
    from maca.accounts.services import has_second_factor, second_factor_required

    return has_second_factor(user) or not second_factor_required(user)


def tokens_revoke_all(*, user: Any) -> int:
    """Revoke every live token of a user (their second factor was reset: the lost phone may
    be in someone else's hands). Returns how many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def tokens_for(actor: Actor) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=actor.user_id))
