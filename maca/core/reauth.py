"""Re-authentication before sensitive actions (ASVS 7.5.3): publishing, exporting.

Decorate a view with `require_recent_auth()` and it runs only if the person proved who they
are (password, and a second-factor code when they have one) within the last
`max_age_minutes`; otherwise they are sent to the "Confirm it is you" page
(`accounts:confirm`) and come back to the same address afterwards.

    @login_required
    @require_recent_auth(max_age_minutes=15)
    def briefing_publish(request, reference): ...

Signing in counts as proving it. A POST that is sent to confirm comes back as a GET of the
same address, so the view should answer GET with the form that makes that POST (the usual
"check, then confirm" page); nothing is lost but a click.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

AUTHENTICATED_AT = "maca.authenticated_at"  # session key: when the person last proved it

View = TypeVar("View", bound=Callable[..., HttpResponse])


def record_authentication(request: HttpRequest) -> None:
    """Note that the person has just proved who they are (sign-in or the confirm page)."""
    request.session[AUTHENTICATED_AT] = timezone.now().timestamp()


def recently_authenticated(request: HttpRequest, max_age_minutes: int | None = None) -> bool:
    """Whether the person proved who they are within `max_age_minutes` (default: setting)."""
    minutes = settings.REAUTH_MAX_AGE_MINUTES if max_age_minutes is None else max_age_minutes
    at = request.session.get(AUTHENTICATED_AT)
    if not isinstance(at, int | float):
        return False
    age = timezone.now().timestamp() - at
    return 0 <= age <= minutes * 60


def confirm_redirect(
    request: HttpRequest, max_age_minutes: int | None = None
) -> HttpResponse | None:
    """The redirect to "Confirm it is you", or None if the person proved it recently.

    For views that must check permission first, so that a refusal still answers "not found"
    rather than asking a person who may not use the page to confirm who they are.
    """
    if recently_authenticated(request, max_age_minutes):
        return None
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('accounts:confirm')}?{query}")


def require_recent_auth(max_age_minutes: int | None = None) -> Callable[[View], View]:
    """View decorator: send the person to confirm it is them unless they did so recently."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            confirm = confirm_redirect(request, max_age_minutes)
            if confirm is not None:
                return confirm
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
