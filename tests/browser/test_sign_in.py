"""Signing in for the first time in real Chromium: set up an authenticator app, save the
recovery codes, then sign in again with one of them. Axe on every page; the browser
fixture fails the test on any Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.helpers import code_from_secret
from tests.browser.support import PASSWORD, axe_check


def heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def password(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_first_sign_in_sets_up_an_app_and_a_recovery_code_signs_in_later(
    world, open_browser: Callable[..., Page], js: bool
):
    page = open_browser(js=js)
    password(page, "csc")
    heading(page, "Set up an authenticator app")
    expect(page.locator(".maca-qr svg")).to_be_visible()
    axe_check(page)
    # Nothing but the sign-in pages until the app is set up.
    page.goto("/audits/")
    heading(page, "Set up an authenticator app")

    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is not right")
    axe_check(page)

    secret = page.locator("#totp-secret").inner_text()
    page.wait_for_timeout(1100)  # django-otp's pause after a wrong code
    page.locator("#id_code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Continue").click()
    heading(page, "Authenticator app set up")
    codes = page.locator(".maca-recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    axe_check(page)
    page.get_by_role("link", name="I have saved my codes").click()
    heading(page, "Audits")  # back where they were going

    page.get_by_role("button", name="Sign out").click()
    heading(page, "Sign in")
    password(page, "csc")
    heading(page, "Enter your code")
    axe_check(page)
    page.locator("#id_code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    heading(page, "Dashboard")
    expect(page.get_by_text("You have 9 left")).to_be_visible()
    axe_check(page)


@pytest.mark.django_db(transaction=True)
def test_change_password_and_lockout_pages_are_accessible(
    world, signed_in: Callable[..., Page], open_browser: Callable[..., Page]
):
    page = signed_in("police")
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Change password").click()
    heading(page, "Change your password")
    axe_check(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)

    stranger = open_browser()
    for _ in range(10):
        stranger.goto("/accounts/login/")
        stranger.locator("#id_username").fill("nobody")
        stranger.locator("#id_password").fill("guess")
        stranger.get_by_role("button", name="Sign in").click()
    heading(stranger, "Too many attempts to sign in")
    axe_check(stranger)
