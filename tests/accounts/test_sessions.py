"""Sessions: 30 minutes idle, 12 hours at most, ended on the server at sign-out, and a
password change signs you out everywhere else."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from maca.activity.models import ActivityEntry
from tests.accounts.helpers import session_exists, session_key
from tests.conftest import PASSWORD, verified_login

pytestmark = pytest.mark.django_db

IDLE = dt.timedelta(minutes=30)  # docs/security.md: "30 minutes"
ABSOLUTE = dt.timedelta(hours=12)  # docs/security.md: "12 hours"


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_a_session_ends_after_30_minutes_without_a_request(world):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, world.users["csc"])
        assert signed_in(client)
    # Each request renews the 30 minutes.
    with time_machine.travel(start + IDLE - dt.timedelta(minutes=1), tick=False):
        assert signed_in(client)
    with time_machine.travel(start + 2 * IDLE - dt.timedelta(minutes=2), tick=False):
        assert signed_in(client)
    with time_machine.travel(start + 3 * IDLE, tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_ends_12_hours_after_signing_in_however_busy(world):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, world.users["csc"])
    step = dt.timedelta(minutes=25)
    at = start
    while at + step < start + ABSOLUTE:
        at += step
        with time_machine.travel(at, tick=False):
            assert signed_in(client), f"signed out after {at - start}"
    with time_machine.travel(start + ABSOLUTE, tick=False):
        response = client.get("/audits/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/audits/")
        page = client.get(response["Location"]).content.decode()
        assert "signed in more than 12 hours ago" in page
        assert not signed_in(client)


def test_signing_out_ends_the_session_on_the_server(world):
    client = Client()
    verified_login(client, world.users["admin"])
    key = session_key(client)
    assert session_exists(key)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not session_exists(key), "the session row must be gone"
    # The old cookie is worth nothing, even if someone kept a copy.
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/")["Location"].startswith("/accounts/login/")


def test_changing_the_password_signs_out_every_other_session(world):
    user = world.users["chair"]
    here, elsewhere = Client(), Client()
    verified_login(here, user)
    verified_login(elsewhere, user)
    assert signed_in(here) and signed_in(elsewhere)

    page = here.get("/accounts/password/")
    assert page.status_code == 200
    wrong = here.post(
        "/accounts/password/",
        {"old_password": "not-it", "new_password1": "x", "new_password2": "x"},
    )
    assert wrong.status_code == 200
    assert 'value="not-it"' not in wrong.content.decode(), "a password is never written back"
    new = "a-much-longer-new-passphrase"
    done = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert done.status_code == 200
    assert "signed out everywhere else" in done.content.decode()
    assert signed_in(here), "the session that changed it carries on"
    assert not signed_in(elsewhere), "every other session ends"
    user.refresh_from_db()
    assert user.check_password(new)
    assert ActivityEntry.objects.filter(action="account.password_changed", actor=user).count() == 1


def test_the_session_key_changes_at_sign_in(world):
    client = Client()
    client.get("/accounts/login/")
    before = session_key(client)
    client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert session_key(client) not in (None, before)


def test_production_cookies_and_headers_are_locked_down(tmp_path):
    """The settings a real deployment gets (no MACA_DEBUG, no demo, not under pytest)."""
    code = (
        "import config.settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_AGE, s.SESSION_ABSOLUTE_HOURS, s.MFA_EXEMPT_VIEWERS, "
        "s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())"
    )
    env = {
        "PATH": os.environ["PATH"],
        "MACA_SECRET_KEY": "x" * 60,
        "MACA_DATA_DIR": str(tmp_path),
        # Behind a proxy that already redirects to HTTPS, cookies must still be Secure.
        "MACA_SECURE_SSL_REDIRECT": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "Lax",
        "31536000",
        "False",
        "1800",
        "12",
        "True",
        "10",
        "300.0",
    ]
