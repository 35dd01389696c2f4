"""Sign-in receivers: note when the session began (for the 12-hour limit) and that the
person has just proved who they are (for re-authentication)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from maca.core.reauth import record_authentication

SIGNED_IN_AT = "maca.signed_in_at"  # session key: when this sign-in began


@receiver(user_logged_in, dispatch_uid="maca.accounts.signed_in")
def note_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[SIGNED_IN_AT] = timezone.now().timestamp()
    record_authentication(request)
