"""Helpers for API tests: a token per user, and a client that sends it."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from maca.api import services
from maca.core.permissions import actor_for


def token_for(user: Any, *, days: int | None = 30, name: str = "Test") -> str:
    """A token for `user`, who (as in the app) has set up an authenticator app first."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    _token, raw = services.token_create(
        actor=actor_for(user), user=user, name=name, expires_in_days=days
    )
    return raw


def api_client(raw: str | None) -> Client:
    """A fresh client that sends `raw` as the bearer token (none: anonymous)."""
    if raw is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
