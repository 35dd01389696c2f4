"""Signing in as a person does it: the login form, then the code page."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def password_sign_in(
    client: Client, username: str, password: str = PASSWORD, *, ip: str = "127.0.0.1"
) -> Any:
    """POST the login form from `ip`; returns the response (not followed)."""
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def app_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_from_secret(secret: str) -> str:
    """The code an app set up by typing in the key from the set-up page shows now."""
    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{totp(b32decode(key)):06d}"


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def session_exists(key: str | None) -> bool:
    return key is not None and Session.objects.filter(session_key=key).exists()
