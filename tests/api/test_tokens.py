"""API tokens: made on a page by a signed-in person, shown once, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re

import time_machine
from django.test import Client
from django.urls import reverse

from maca.activity.models import ActivityEntry
from maca.api.models import ApiToken
from maca.partnerships.models import Membership
from tests.api.support import api_client, token_for
from tests.conftest import verified_login

ME = "/api/v1/me"


def _create(client, name="Power BI", expiry="90"):
    return client.post(reverse("tokens:create"), {"name": name, "expiry": expiry})


def test_a_token_is_shown_once_and_only_its_digest_is_kept(world, client, login):
    login("csc")
    response = _create(client)
    assert response.status_code == 200
    raw = re.search(rb'id="api-token"[^>]*>(maca_[-\w]+)<', response.content).group(1).decode()
    token = ApiToken.objects.get(user=world.users["csc"])
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12] and raw not in token.prefix
    assert not any(raw in str(v) for v in ApiToken.objects.values_list().get())
    assert token.expires_at is not None
    assert dt.timedelta(days=89) < token.expires_at - token.created_at <= dt.timedelta(days=90)
    assert ActivityEntry.objects.filter(action="api_token.created").count() == 1
    # The list shows the prefix, never the token.
    listing = client.get(reverse("tokens:list"))
    assert token.prefix.encode() in listing.content
    assert raw.encode() not in listing.content
    # And the token works as its owner.
    me = api_client(raw).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "csc" and me.json()["agencies"] == ["csc"]


def test_the_form_names_what_is_wrong(world, client, login):
    login("csc")
    response = _create(client, name="", expiry="forever")
    assert response.status_code == 200
    assert b"Enter a name for the token" in response.content
    assert b"Select when the token should stop working" in response.content
    assert not ApiToken.objects.exists()


def test_revoked_tokens_stop_working_and_only_the_owner_can_revoke(world, client, login):
    raw = token_for(world.users["csc"])
    token = ApiToken.objects.get()
    login("police")
    assert client.post(reverse("tokens:revoke"), {"token": token.pk}).status_code == 404
    assert api_client(raw).get(ME).status_code == 200
    login("csc")
    response = client.post(reverse("tokens:revoke"), {"token": token.pk})
    assert response.status_code == 302
    assert api_client(raw).get(ME).status_code == 401
    assert b"Revoked" in client.get(reverse("tokens:list")).content


def test_expired_and_unknown_tokens_and_sessions_get_401(world, client, login):
    raw = token_for(world.users["csc"], days=30)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        response = api_client(raw).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert api_client(raw + "x").get(ME).status_code == 401
    assert api_client("not-a-token").get(ME).status_code == 401
    assert api_client(None).get("/api/v1/audits").status_code == 401
    # A signed-in browser session is not an API credential (and is not sent to the code page).
    login("admin")
    response = client.get("/api/v1/audits")
    assert response.status_code == 401
    assert "Location" not in response


def test_deactivated_users_and_revoked_memberships_bite_on_the_next_call(world):
    world.audit("live", status="auditing")
    raw = token_for(world.users["csc"])
    client = api_client(raw)
    assert client.get("/api/v1/audits/live/cases/1").status_code == 200
    Membership.objects.filter(user=world.users["csc"]).update(is_active=False)
    assert client.get("/api/v1/audits/live/cases/1").status_code == 404
    assert client.get("/api/v1/audits").json()["count"] == 0
    world.users["csc"].is_active = False
    world.users["csc"].save()
    assert client.get(ME).status_code == 401


def test_tokens_stop_working_without_the_second_factor_and_a_reset_revokes_them(world):
    """A token is made after the second factor. If the app is removed (say in the admin), the
    token stops working; a reset (phone lost) revokes every token for good."""
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = world.users["csc"]
    raw = token_for(user)
    client = api_client(raw)
    assert client.get(ME).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    device.delete()
    assert client.get(ME).status_code == 401
    TOTPDevice.objects.create(user=user, name="New app", confirmed=True)
    assert client.get(ME).status_code == 200
    call_command("reset-second-factor", user.username, stdout=io.StringIO())
    TOTPDevice.objects.create(user=user, name="Newer app", confirmed=True)
    assert client.get(ME).status_code == 401  # revoked, not merely paused
    assert ApiToken.objects.get(user=user).revoked_at is not None
    entry = ActivityEntry.objects.get(action="account.second_factor_reset")
    assert entry.data["api_tokens"] == 1


def test_making_a_token_needs_a_second_factor(world, client):
    client.force_login(world.users["csc"])  # password only
    response = client.get(reverse("tokens:create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:setup"))
    assert _create(client).status_code == 302
    assert not ApiToken.objects.exists()


def test_making_a_token_needs_a_recent_sign_in(world, client, login):
    login("csc")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)):
        response = client.get(reverse("tokens:create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:confirm"))


def test_api_answers_are_never_cached_and_carry_the_security_headers(world):
    response = api_client(token_for(world.users["csc"])).get(ME)
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_session_cannot_drive_the_api_and_tokens_need_no_csrf_token(world):
    world.audit("live", status="auditing")
    body = json.dumps({"agency": "csc", "events": [{"at": "2022-01-10", "type": "referral"}]})
    path = "/api/v1/audits/live/cases/1/chronology/events"
    # A signed-in browser (cookie only), as a cross-site form post would be: refused.
    browser = Client(enforce_csrf_checks=True)
    verified_login(browser, world.users["csc"])
    assert browser.post(path, body, content_type="application/json").status_code == 401
    # A program with a token and no CSRF token: accepted.
    program = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token_for(world.users['csc'])}"
    )
    assert program.post(path, body, content_type="application/json").status_code == 201
