"""Per-request actor (so revoked memberships bite at once) and no caching of private pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from maca.core.permissions import Actor, actor_for


class ActorMiddleware:
    """Attach `request.actor`, built from the user's memberships on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: actor_for(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in people must never sit in a shared or browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


def get_actor(request: HttpRequest) -> Actor:
    """The actor ActorMiddleware attached to this request."""
    return cast(Actor, request.actor)  # type: ignore[attr-defined]
