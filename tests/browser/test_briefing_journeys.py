"""The panel's findings and the briefing in Chromium: live preview, check, publish; axe on each."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from maca.briefings import services
from maca.findings import services as finding_services
from tests.browser.support import axe_check

SignedIn = Callable[..., Page]


@pytest.mark.django_db(transaction=True)
def test_chair_records_a_finding_and_drafts_the_briefing_with_a_live_preview(
    world, signed_in: SignedIn
) -> None:
    audit = world.audit("brief-js", status="reporting", cases=[("csc", "police"), ("csc", "gp")])
    page = signed_in("chair")
    page.goto(f"/audits/{audit.reference}/findings/")
    axe_check(page)
    page.get_by_role("link", name="Add good practice").click()
    axe_check(page)
    page.get_by_role("textbox", name="Finding").fill("Referrals were made the same day.")
    page.get_by_role("checkbox", name="Child A", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")
    expect(page.get_by_role("cell", name="in one of two cases")).to_be_visible()

    page.goto(f"/audits/{audit.reference}/")
    page.get_by_role("button", name="Start the 7 minute briefing").click()
    expect(page.get_by_role("heading", level=1, name="Edit the wording")).to_be_visible()
    preview = page.locator("#briefing-preview")
    expect(preview).to_contain_text("Referrals were made the same day. (in one of two cases)")
    axe_check(page)
    # Typing updates the preview without saving (the live preview posts the unsaved text).
    page.get_by_role("textbox", name="Summary").fill("The babies were kept safe throughout.")
    expect(preview).to_contain_text("The babies were kept safe throughout.")
    expect(page.locator("#briefing-preview-status")).to_have_text("Preview updated.")
    assert audit.briefing.versions.count() == 1
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.locator("article.briefing")).to_contain_text("The babies were kept safe")
    axe_check(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_business_unit_is_stopped_by_the_check_then_publishes(
    world, signed_in: SignedIn, js: bool
) -> None:
    audit = world.audit(f"brief-pub-{js}", status="reporting", cases=[("csc",)])
    chair = world.actor("chair")
    finding_services.step_save(
        actor=chair, audit=audit, data=finding_services.StepInput("Call Testchild's mother.")
    )
    services.briefing_start(actor=chair, audit=audit)
    page = signed_in("admin", js=js)
    page.goto(f"/briefings/{audit.reference}/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("Check and publish")).click()
    expect(page.get_by_role("heading", level=1, name="Check and publish")).to_be_visible()
    expect(page.get_by_text("possible identifier")).to_be_visible()
    expect(page.get_by_role("cell", name="Testchild", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Edit the wording").click()
    field = page.get_by_role("textbox", name="What can you do now?")
    field.fill(field.input_value().replace("Call Testchild's mother.", "Talk to the family."))
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_role("link", name=re.compile("Check and publish version 2")).click()
    expect(page.get_by_text("Nothing identifying was found")).to_be_visible()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 is published.")).to_be_visible()
    audit.refresh_from_db()
    assert audit.status == "published"

    viewer = signed_in("viewer", js=js)
    viewer.get_by_role("link", name=audit.title).click()
    expect(viewer.locator("article.briefing")).to_contain_text("Talk to the family.")
    axe_check(viewer)
