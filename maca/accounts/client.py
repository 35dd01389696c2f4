"""Who is knocking, as far as the lockout needs to know, without writing it to the log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or the one the outermost trusted proxy saw.

    With `MACA_PROXY_COUNT` = N proxies in front of maca, each appends the address it was
    reached from to X-Forwarded-For, so the client is the Nth entry from the right. Entries
    further left come from the client and could be forged, so they are never used.
    """
    count = settings.PROXY_COUNT
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def client_str(*args: Any, **kwargs: Any) -> str:
    """What django-axes writes to the application log about a client: nothing identifying.

    Failed and locked sign-ins are kept, with username and address, in axes' own tables
    (AccessAttempt, AccessFailureLog), which only the database's operators can read.
    """
    return "a client"
