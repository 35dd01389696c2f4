"""Bearer-token authentication for the API: the token's user, with today's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from maca.api import services
from maca.core.permissions import actor_for


class TokenAuth(HttpBearer):
    """`Authorization: Bearer maca_...`. The actor is rebuilt on every call, so a revoked
    membership or a deactivated account bites on the next request."""

    openapi_description = (
        "A personal access token made on the API tokens page (/tokens/). "
        "It acts as its owner, with exactly the owner's current permissions."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = services.token_user(token)
        if user is None:
            return None
        request.user = user
        request.actor = actor_for(user)  # type: ignore[attr-defined]
        return user
