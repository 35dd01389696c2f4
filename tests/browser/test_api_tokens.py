"""Making, using and revoking an API token in Chromium (axe on each page)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from tests.browser.support import axe_check

SignedIn = Callable[..., Page]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_token_is_made_shown_once_used_and_revoked(world, signed_in: SignedIn, js: bool):
    page = signed_in("csc", js=js)
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Manage API tokens").click()
    expect(page.get_by_role("heading", level=1, name="API tokens")).to_be_visible()
    expect(page.get_by_text("You have no tokens.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("heading", level=1, name="Create an API token")).to_be_visible()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    axe_check(page)
    page.get_by_label("Name").fill("Power BI")
    page.get_by_label("1 year").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", level=1, name="Token created")).to_be_visible()
    axe_check(page)
    raw = page.locator("#api-token").inner_text().strip()
    assert raw.startswith("maca_")

    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me").json()["username"] == "csc"

    page.get_by_role("link", name="Back to your tokens").click()
    expect(page.get_by_role("cell", name="Power BI", exact=True)).to_be_visible()
    assert raw not in page.content()
    page.get_by_role("button", name="Revoke Power BI").click()
    expect(page.get_by_text("Token “Power BI” revoked")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    axe_check(page)
    assert api.get("/api/v1/me").status_code == 401

    # The readable API docs (linked from the tokens page) pass axe too.
    page.get_by_role("link", name="maca API").click()
    expect(page.get_by_role("heading", level=1, name="maca API")).to_be_visible()
    axe_check(page)
