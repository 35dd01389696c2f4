"""Second factor: who needs one, setting up an authenticator app, checking a code.

Every account that can see case-level data (business unit, panel chair, agency auditor)
needs a second factor: a code from an authenticator app (TOTP, django-otp) or, when the phone
is lost, one of ten single-use recovery codes (django-otp's static device). Viewers may be
exempt (`MACA_MFA_EXEMPT_VIEWERS`). Only the demo partnership, in a database that holds
nothing else, lets its case-level accounts sign in with a password alone.
"""

from __future__ import annotations

import logging
from base64 import b32encode
from dataclasses import dataclass
from typing import Any, Literal

import segno
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maca.activity.services import activity_record
from maca.core.permissions import VIEWER, actor_for

log = logging.getLogger(__name__)

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

Step = Literal["ok", "verify", "setup"]


def second_factor_required(user: Any) -> bool:
    """Whether this account must use a second factor to sign in.

    Decided afresh on every request, so a viewer made an auditor must set one up on their
    very next page. Superusers and staff always need one; so does any active membership that
    is not exempt. A person with no membership sees no more than a viewer, so is treated as one.
    """
    from maca.partnerships.models import Membership, Partnership

    if user.is_superuser or user.is_staff:
        return True
    exempt_viewers = settings.MFA_EXEMPT_VIEWERS
    rows = list(
        Membership.objects.filter(user_id=user.pk, is_active=True).values_list(
            "role", "partnership__is_demo"
        )
    )
    if not rows:
        return not exempt_viewers
    demo_database: bool | None = None
    for role, is_demo in rows:
        if is_demo:
            if demo_database is None:
                # The demo's exemption holds only in a database that holds nothing else.
                demo_database = not Partnership.objects.filter(is_demo=False).exists()
            if demo_database:
                continue
        if role == VIEWER and exempt_viewers:
            continue
        return True
    return False


def has_second_factor(user: Any) -> bool:
    """A confirmed authenticator app or recovery codes: such a user is always asked for one."""
    return bool(user_has_device(user, confirmed=True))


def next_step(user: Any) -> Step:
    """What a signed-in user must do before any other page: nothing, verify or set up."""
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return "ok"
    if has_second_factor(user):
        return "verify"
    if second_factor_required(user):
        return "setup"
    return "ok"


# --- Setting up an authenticator app -------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret as text and as a QR code."""

    device: TOTPDevice
    secret: str  # base32, in groups of four for typing
    qr_svg: SafeString


def setup_begin(user: Any) -> Enrolment:
    """The user's unconfirmed authenticator app, made on first visit and kept until confirmed,
    so reloading the page shows the same secret."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Enrolment(device=device, secret=grouped, qr_svg=_qr_svg(device.config_url))


def _qr_svg(text: str) -> SafeString:
    """An inline SVG QR code (no image request, nothing sent anywhere)."""
    svg = segno.make(text, error="m").svg_inline(
        scale=4, border=4, dark="#0b0c0c", light="#ffffff", omitsize=False
    )
    # segno writes only path data: `text` is encoded in the modules, never as markup.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703  # nosemgrep: maca-mark-safe


@dataclass(frozen=True)
class Enrolled:
    device: TOTPDevice
    recovery_codes: list[str]


def setup_confirm(*, user: Any, code: str) -> Enrolled | None:
    """Confirm the app with a code it shows; returns it with ten new recovery codes, or None.

    Raises TooManyAttempts for a while after a wrong code (django-otp's throttling).

    One transaction: the app is confirmed, unconfirmed leftovers and old recovery codes are
    removed, and the new codes are saved, so a failure leaves the user as they were.
    """
    code = normalise_code(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            return None
        if not device.verify_is_allowed()[0]:
            raise TooManyAttempts
        if not _looks_like_app_code(code) or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        _record(user, "account.second_factor_set_up")
    return Enrolled(device, codes)


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.MFA_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=recovery_code_stored(t)) for t in codes]
    )
    return codes


def recovery_code_stored(code: str, secret: str | None = None) -> str:
    """What is kept of a recovery code: a keyed hash, never the code.

    HMAC-SHA256 under the secret key (a recovery code has about 40 bits of randomness, so an
    unkeyed hash of a copied database could be reversed by trying them all), cut to the 16
    characters django-otp's token column holds: 64 bits, which nobody can guess without the key.
    """
    digest = salted_hmac("maca.recovery-code", code, secret=secret, algorithm="sha256")
    return digest.hexdigest()[:16]


def _as_checked(device: Device, code: str) -> str:
    """What the device is asked to match: an app code as typed; for recovery codes, kept
    hashed, the hash of what was typed. Under a fallback key if one matches (codes made before
    the secret key was rotated keep working while the old key is a fallback), so a right code
    is one check and a wrong one counts once towards the device's throttling."""
    if not isinstance(device, StaticDevice):
        return code
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    stored = [recovery_code_stored(code, key) for key in keys]
    found = device.token_set.filter(token__in=stored).values_list("token", flat=True).first()
    return found or stored[0]


# --- Checking a code -----------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """People type codes with spaces or hyphens, and recovery codes in capitals."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def _looks_like_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


class TooManyAttempts(Exception):
    """The device refuses checks for a while after wrong codes (django-otp's throttling)."""


@dataclass(frozen=True)
class Verified:
    device: Device
    recovery_code_used: bool
    recovery_codes_left: int


def code_verify(*, user: Any, code: str) -> Verified | None:
    """Check a code from the app (six digits) or a recovery code (which then stops working).

    Raises TooManyAttempts while the device is throttled. An app code is accepted once: the
    same code cannot sign anyone in again (django-otp keeps the last time step used).
    """
    code = normalise_code(code)
    if not code:
        return None
    model: type[Device] = TOTPDevice if _looks_like_app_code(code) else StaticDevice
    devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, model)]
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise TooManyAttempts
    for device in devices:
        verified = verify_token(user, device.persistent_id, _as_checked(device, code))
        if verified is not None:
            used_recovery = isinstance(verified, StaticDevice)
            left = recovery_codes_left(user)
            if used_recovery:
                _record(user, "account.recovery_code_used", {"left": left})
            return Verified(verified, used_recovery, left)
    log.info("account.second_factor_refused user=%s", user.pk)
    return None


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_app(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class NoAuthenticatorApp(Exception):
    """Recovery codes back up an authenticator app; without one there is nothing to recover."""


def recovery_codes_renew(*, user: Any) -> list[str]:
    """Ten new recovery codes; every old one stops working (codes seen or used up).

    Only for someone with an authenticator app, and the view asks them to confirm it is them
    first, so a borrowed session cannot quietly mint codes for later.
    """
    with transaction.atomic():
        if not has_app(user):
            raise NoAuthenticatorApp
        codes = _new_recovery_codes(user)
        _record(user, "account.recovery_codes_renewed")
    return codes


def second_factor_reset(*, user: Any) -> int:
    """Remove a user's authenticator app and recovery codes (phone and codes both lost).

    They set up a new app at their next sign-in. Their API tokens are revoked too: whoever has
    the lost phone may have the tokens' machine. Returns how many devices were removed.
    """
    from maca.api.services import tokens_revoke_all

    with transaction.atomic():
        removed = sum(
            model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
            for model in (TOTPDevice, StaticDevice)
        )
        tokens = tokens_revoke_all(user=user)
        _record(user, "account.second_factor_reset", {"devices": removed, "api_tokens": tokens})
    return removed


def password_changed(*, user: Any) -> None:
    """Log a password change (the change itself is Django's form)."""
    _record(user, "account.password_changed")


def _record(user: Any, action: str, data: dict[str, Any] | None = None) -> None:
    """Activity entry for the user's own partnership (none for a user without one)."""
    actor = actor_for(user)
    if actor.partnership_id is not None:
        activity_record(actor=actor, partnership_id=actor.partnership_id, action=action, data=data)
