"""Re-authentication before a sensitive action (maca.core.reauth.require_recent_auth)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import app_code
from tests.conftest import PASSWORD, verified_login

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.reauth_urls")]

EXPORT = "/test-only/export/?format=csv"
CONFIRM = "/accounts/confirm/"


def test_signing_in_counts_for_15_minutes_then_the_person_confirms_it_is_them(world):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, world.users["admin"])
        assert client.get(EXPORT).content == b"the export"
    later = start + dt.timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        assert client.get("/").status_code == 200  # still signed in, just not recently
        response = client.get(EXPORT)
        assert response.status_code == 302
        assert response["Location"] == f"{CONFIRM}?next=%2Ftest-only%2Fexport%2F%3Fformat%3Dcsv"
        page = client.get(response["Location"]).content.decode()
        assert 'name="password"' in page and 'name="code"' in page  # they have an app

        device = TOTPDevice.objects.get(user=world.users["admin"])
        next_url = "/test-only/export/?format=csv"
        no_code = client.post(CONFIRM, {"password": PASSWORD, "next": next_url})
        assert no_code.status_code == 200
        wrong = client.post(
            CONFIRM, {"password": "not-it", "code": app_code(device), "next": next_url}
        )
        assert wrong.status_code == 200 and "Your password is not right" in wrong.content.decode()
        assert client.get(EXPORT).status_code == 302

    with time_machine.travel(later + dt.timedelta(minutes=1), tick=False):
        done = client.post(
            CONFIRM, {"password": PASSWORD, "code": app_code(device), "next": next_url}
        )
        assert done.status_code == 302 and done["Location"] == next_url
        assert client.get(EXPORT).content == b"the export"
    with time_machine.travel(later + dt.timedelta(minutes=17), tick=False):
        assert client.get(EXPORT).status_code == 302, "a confirmation lasts 15 minutes too"


def test_someone_without_a_second_factor_confirms_with_the_password(world):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get(EXPORT).status_code == 302
        page = client.get(CONFIRM).content.decode()
        assert 'name="code"' not in page
        done = client.post(CONFIRM, {"password": PASSWORD, "next": "/test-only/export/"})
        assert done["Location"] == "/test-only/export/"
        assert client.get("/test-only/export/").status_code == 200


def test_the_confirm_page_never_sends_anyone_to_another_site(world):
    client = Client()
    client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    done = client.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == "/"


def test_wrong_passwords_on_the_confirm_page_lock_the_account_and_end_the_session(world):
    client = Client()
    client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    for _ in range(9):
        assert client.post(CONFIRM, {"password": "not-it"}).status_code == 200
    assert client.post(CONFIRM, {"password": "not-it"}).status_code == 429
    # Someone guessing at an unattended session is signed out, and cannot sign in again yet.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    locked = client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert locked.status_code == 429


def test_anonymous_people_are_sent_to_sign_in(db):
    response = Client().get(EXPORT)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_downloading_a_chronology_needs_a_recent_sign_in(world):
    audit = world.audit("reauth", status="auditing")
    path = f"/audits/{audit.reference}/cases/1/chronology.json"
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, world.users["csc"])
        assert client.get(path).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{CONFIRM}?next=")
