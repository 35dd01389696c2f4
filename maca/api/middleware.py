"""The API is token-only: a browser's session cookie means nothing under /api/."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class ApiIgnoresSessionMiddleware:
    """Make every API request anonymous until its token says otherwise.

    Placed straight after Django's AuthenticationMiddleware, so the session-lifetime and
    second-factor checks (which redirect people in a browser) never see an API call, and no
    API call is ever authorised by a cookie (so cross-site requests cannot ride on a
    session, and CSRF tokens are not needed). maca.api.auth sets the token's user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            request.user = AnonymousUser()
        return self.get_response(request)
