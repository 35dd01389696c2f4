"""Hold a request's access-log entries until it ends (see maca.accounts.sessions)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from maca.activity.services import access_batch


class AccessLogMiddleware:
    """Placed before SessionMiddleware, so the session's save (inside) can write the held
    entries in its own commit; whatever is still held when the response is ready (no session
    to save, an API call, an error page) is written here, before the response leaves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with access_batch():
            return self.get_response(request)
