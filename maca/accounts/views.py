"""Second factor, recovery codes, re-authentication, password change and the lockout page.

Thin: the decisions are in `maca.accounts.services`; see README.md for who may see what.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from maca.accounts import services
from maca.accounts.forms import CodeForm, ConfirmForm, PasswordChangeForm, SetupForm
from maca.core.reauth import record_authentication, require_recent_auth

RECOVERY_CODES_KEY = "maca.recovery_codes"  # session key: new codes, shown once
RECOVERY_CODES_RENEWED_KEY = "maca.recovery_codes_renewed"  # ...and not from setting up
WRONG_APP_CODE = (
    "That code is not right. Check the app shows maca, then enter the code it shows now."
)
TOO_MANY = "You entered too many wrong codes. Wait a minute, then try again."
WRONG_CODE = (
    "That code is not right. Enter the code your app shows now, or a recovery code you have "
    "not used."
)


def _next(request: HttpRequest) -> str:
    """The safe place to go afterwards: `next` if it is on this site, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard")


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def _signed_in_fully(request: HttpRequest, device: Any) -> None:
    """The second factor is given: remember it in a fresh session key."""
    otp_login(request, device)
    request.session.cycle_key()
    record_authentication(request)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the authenticator app, or a recovery code."""
    step = services.next_step(request.user)
    if step == "ok":
        return HttpResponseRedirect(_next(request))
    if step == "setup":
        return HttpResponseRedirect(_with_next("accounts:setup", request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.code_verify(user=request.user, code=form.cleaned_data["code"])
        except services.TooManyAttempts:
            form.add_error("code", TOO_MANY)
        else:
            if verified is None:
                form.add_error(
                    "code",
                    WRONG_CODE,
                )
            else:
                _signed_in_fully(request, verified.device)
                if verified.recovery_code_used:
                    messages.warning(
                        request,
                        f"You signed in with a recovery code. It will not work again. "
                        f"You have {verified.recovery_codes_left} left.",
                    )
                return HttpResponseRedirect(_next(request))
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _next(request), "hide_navigation": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: its secret as text and a QR code, then a code from it."""
    if services.has_second_factor(request.user):
        # Already set up: changing it is for the business unit (`maca reset-second-factor`).
        return HttpResponseRedirect(_with_next("accounts:verify", request))
    form = SetupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolled = services.setup_confirm(user=request.user, code=form.cleaned_data["code"])
        except services.TooManyAttempts:
            form.add_error("code", TOO_MANY)
        else:
            if enrolled is None:
                form.add_error("code", WRONG_APP_CODE)
            else:
                _signed_in_fully(request, enrolled.device)
                request.session[RECOVERY_CODES_KEY] = enrolled.recovery_codes
                return HttpResponseRedirect(_with_next("accounts:recovery_codes", request))
    enrolment = services.setup_begin(request.user)
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "next": _next(request),
            "secret": enrolment.secret,
            "qr_svg": enrolment.qr_svg,
            "hide_navigation": True,
        },
    )


@login_required
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once (they leave the session as the page is made)."""
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    renewed = request.session.pop(RECOVERY_CODES_RENEWED_KEY, False)
    if not codes:
        return HttpResponseRedirect(_next(request))
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": _next(request), "hide_navigation": True, "renewed": renewed},
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """Confirm it is you before a sensitive action (see maca.core.reauth)."""
    user = request.user
    with_code = services.has_second_factor(user)
    form = ConfirmForm(request.POST if request.method == "POST" else None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        # Through authenticate(), so wrong passwords here count towards the lockout too.
        again = authenticate(
            request, username=user.get_username(), password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            # Someone guessing at an unattended session: end it as well.
            logout(request)
            return locked_out(request)
        if again is None or again.pk != user.pk:
            form.add_error("password", "Your password is not right.")
        elif with_code:
            try:
                verified = services.code_verify(user=user, code=form.cleaned_data["code"])
            except services.TooManyAttempts:
                verified = None
                form.add_error("code", TOO_MANY)
            else:
                if verified is None:
                    form.add_error(
                        "code",
                        WRONG_CODE,
                    )
        if not form.errors:
            record_authentication(request)
            return HttpResponseRedirect(_next(request))
    return render(
        request,
        "accounts/confirm.html",
        {"form": form, "next": _next(request), "with_code": with_code},
    )


class PasswordChange(PasswordChangeView):
    """Change your password; every other session of yours ends (Django's session hash)."""

    form_class = PasswordChangeForm
    template_name = "accounts/password.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(
            self.request,
            "Your password has been changed. You have been signed out everywhere else.",
        )
        return response


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' answer while a username or address is locked: the same for every username,
    so it says nothing about whether an account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Your account: password, authenticator app and how many recovery codes are left."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_app": services.has_app(user),
            "codes_left": services.recovery_codes_left(user),
            "required": services.second_factor_required(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@require_recent_auth()
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (used up, or seen by someone else); the old ones stop working."""
    if not services.has_app(request.user):
        return HttpResponseRedirect(reverse("accounts:account"))
    if request.method == "POST":
        try:
            codes = services.recovery_codes_renew(user=request.user)
        except services.NoAuthenticatorApp:
            return HttpResponseRedirect(reverse("accounts:account"))
        request.session[RECOVERY_CODES_KEY] = codes
        request.session[RECOVERY_CODES_RENEWED_KEY] = True
        url = reverse("accounts:recovery_codes")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': reverse('accounts:account')})}")
    return render(
        request,
        "accounts/recovery_codes_new.html",
        {"codes_left": services.recovery_codes_left(request.user)},
    )
