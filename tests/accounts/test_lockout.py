"""Lockout (django-axes): at most 10 failed sign-ins within 5 minutes per username and per
address, then 5 minutes' wait; the same answer whether or not the account exists."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.test import Client, RequestFactory, override_settings

from maca.accounts.client import client_ip
from tests.accounts.helpers import password_sign_in

pytestmark = pytest.mark.django_db

LIMIT = 10  # docs/security.md: "10 failed attempts"
COOL_OFF = dt.timedelta(minutes=5)  # docs/security.md: "5 minutes"
LOCKED = "Too many attempts to sign in"


def fail(client: Client, username: str, times: int, *, ip: str = "127.0.0.1") -> None:
    """`times` wrong passwords: refused as usual, except that the 10th also locks."""
    for attempt in range(1, times + 1):
        response = password_sign_in(client, username, "wrong-password", ip=ip)
        if attempt < LIMIT:
            assert response.status_code == 200, f"attempt {attempt} was not an ordinary refusal"
            assert "Please enter a correct username and password" in response.content.decode()
        else:
            assert response.status_code == 429, f"attempt {attempt} did not lock"


def page_text(response) -> str:
    """The page without its per-render CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_ten_failures_lock_the_account_even_against_the_right_password(world):
    client = Client()
    fail(client, "csc", LIMIT)
    locked = password_sign_in(client, "csc")  # the right password, after 10 wrong ones
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert "Wait 5 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_nine_failures_do_not_lock(world):
    client = Client()
    fail(client, "csc", LIMIT - 1)
    assert password_sign_in(client, "csc").status_code == 302


def test_an_unknown_username_is_treated_exactly_like_a_real_one(world):
    real, unknown = Client(), Client()
    fail(real, "csc", LIMIT, ip="10.0.0.1")
    fail(unknown, "nobody-at-all", LIMIT, ip="10.0.0.2")
    real_locked = password_sign_in(real, "csc", "wrong-password", ip="10.0.0.1")
    unknown_locked = password_sign_in(unknown, "nobody-at-all", "wrong-password", ip="10.0.0.2")
    assert real_locked.status_code == unknown_locked.status_code == 429
    assert page_text(real_locked) == page_text(unknown_locked)


def test_the_lock_is_per_username_and_per_address(world):
    # The username is locked from any address...
    fail(Client(), "csc", LIMIT, ip="10.0.0.1")
    assert password_sign_in(Client(), "csc", ip="10.0.0.9").status_code == 429
    # ...and an address that failed 10 times is locked for any username.
    spray = Client()
    for n in range(LIMIT):
        password_sign_in(spray, f"guess-{n}", "wrong-password", ip="10.0.0.5")
    assert password_sign_in(spray, "police", ip="10.0.0.5").status_code == 429
    # Others are not affected.
    assert password_sign_in(Client(), "police", ip="10.0.0.6").status_code == 302


def test_signing_in_works_again_after_five_minutes(world):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        fail(client, "csc", LIMIT)
    with time_machine.travel(start + COOL_OFF - dt.timedelta(seconds=5), tick=False):
        assert password_sign_in(client, "csc").status_code == 429
    # A try while locked starts the wait again; 5 minutes after it, the right password works.
    with time_machine.travel(start + 2 * COOL_OFF, tick=False):
        assert password_sign_in(client, "csc").status_code == 302


def test_failures_more_than_five_minutes_apart_do_not_add_up(world):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        fail(client, "csc", LIMIT - 1)
    with time_machine.travel(start + COOL_OFF + dt.timedelta(seconds=1), tick=False):
        fail(client, "csc", LIMIT - 1)
        assert password_sign_in(client, "csc").status_code == 302


def test_failed_sign_ins_leave_no_username_or_address_in_the_application_log(world, caplog):
    caplog.set_level(logging.DEBUG)
    fail(Client(), "nobody-at-all", LIMIT, ip="203.0.113.77")
    password_sign_in(Client(), "nobody-at-all", ip="203.0.113.77")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "nobody-at-all" not in text
    assert "203.0.113.77" not in text


@override_settings(PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    # The left-hand entry is whatever the client claimed; only the proxy's own entry counts.
    assert client_ip(request) == "198.51.100.4"


def test_without_a_proxy_forwarded_headers_are_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.1.1.1"
