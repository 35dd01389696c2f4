"""Session lifetime and the second factor, enforced on every request."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from maca.accounts.services import next_step
from maca.accounts.signals import SIGNED_IN_AT

# Pages a signed-in person may reach before giving a second factor.
SECOND_FACTOR_EXEMPT = frozenset(
    {
        "login",
        "logout",
        "healthz",
        "accounts:verify",
        "accounts:setup",
        "accounts:recovery_codes",
    }
)


class SessionLifetimeMiddleware:
    """End a session 12 hours (`MACA_SESSION_ABSOLUTE_HOURS`) after signing in, however busy.

    The 30-minute idle limit is Django's own (the session expires unless a request renews
    it); this adds the absolute one, from the time noted at sign-in. A session without that
    note (made before this existed) is ended too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            limit = settings.SESSION_ABSOLUTE_HOURS * 3600
            now = timezone.now().timestamp()
            if not isinstance(started, int | float) or not 0 <= now - started < limit:
                logout(request)
                messages.info(
                    request,
                    f"You have been signed out because you signed in more than "
                    f"{settings.SESSION_ABSOLUTE_HOURS} hours ago. Sign in again to carry on.",
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class SecondFactorMiddleware:
    """A signed-in person who still owes a second factor reaches only the pages that take it.

    Everything else (including addresses that do not exist) redirects to the code page, or
    to setting up an authenticator app, and comes back to the same address afterwards.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not _exempt(request):
            step = next_step(request.user)
            if step != "ok":
                target = reverse("accounts:verify" if step == "verify" else "accounts:setup")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)


def _exempt(request: HttpRequest) -> bool:
    if settings.STATIC_URL and request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in SECOND_FACTOR_EXEMPT
