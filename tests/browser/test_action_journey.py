"""The action journey in Chromium: the chair adds an action, the owning agency blocks it and
then finishes it with evidence, the board closes it; axe on each page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import axe_check

SignedIn = Callable[..., Page]


@pytest.mark.django_db(transaction=True)
def test_action_from_plan_to_closed_by_the_board(world, signed_in: SignedIn) -> None:
    audit = world.audit("act-journey", status="published", cases=[("csc", "police")])
    chair = signed_in("chair")
    chair.goto(f"/audits/{audit.reference}/")
    chair.get_by_role("link", name="Action plan").click()
    axe_check(chair)
    chair.get_by_role("link", name="Add an action").click()
    chair.get_by_role("button", name="Add the action").click()
    expect(chair.locator(".govuk-error-summary")).to_contain_text("Enter what needs to happen.")
    axe_check(chair)
    chair.get_by_role("textbox", name="What needs to happen").fill(
        "Brief every front-door team on bruising in babies."
    )
    chair.get_by_role("radio", name="Training").check()
    chair.get_by_role("combobox", name="Agency that owns it").select_option(label="POLICE")
    chair.get_by_role("textbox", name="Lead").fill("Detective Inspector")
    chair.get_by_role("textbox", name="Due date").fill("30/06/2099")
    chair.get_by_role("button", name="Add the action").click()
    expect(chair.locator(".govuk-notification-banner--success")).to_contain_text("Action 1")

    police = signed_in("police")
    police.goto(f"/audits/{audit.reference}/actions/1/")
    axe_check(police)
    police.get_by_role("radio", name="Blocked").check()
    police.get_by_role("button", name="Save the update").click()
    expect(police).to_have_title(re.compile("^Error: "))
    expect(police.locator(".govuk-error-summary")).to_contain_text("reason it is blocked")
    axe_check(police)
    police.get_by_role("radio", name="Blocked").check()
    police.get_by_role("textbox", name="If blocked, what is blocking it").fill("No trainer yet.")
    police.get_by_role("button", name="Save the update").click()
    expect(police.locator(".govuk-tag", has_text="Blocked").first).to_be_visible()
    police.get_by_role("radio", name="Done").check()
    police.get_by_role("textbox", name="If done, the evidence that it is done").fill(
        "All six teams briefed (register)."
    )
    police.get_by_role("button", name="Save the update").click()
    expect(police.get_by_text("All six teams briefed (register).").first).to_be_visible()

    board = signed_in("viewer")
    board.goto("/actions/")
    axe_check(board)
    board.get_by_role("link", name=re.compile("Action 1")).click()
    board.get_by_role("radio", name="Closed by the board").check()
    board.get_by_role("button", name="Save the update").click()
    expect(board.locator(".govuk-tag", has_text="Closed by the board").first).to_be_visible()
    expect(board.get_by_role("heading", name="Record progress")).to_have_count(0)
    axe_check(board)


@pytest.mark.django_db(transaction=True)
def test_insight_programme_and_account_pages_are_accessible(world, signed_in: SignedIn) -> None:
    world.audit("insight-page", status="published", cases=[("csc", "police")])
    admin = signed_in("admin")
    admin.goto("/insight/")
    expect(admin.get_by_role("heading", level=1, name="Insight across audits")).to_be_visible()
    # Each chart fits its column: nothing drawn over the table below it.
    chart = admin.locator("svg.maca-chart").first
    table = admin.locator("table.govuk-table").first
    chart_box, table_box = chart.bounding_box(), table.bounding_box()
    assert chart_box and table_box and chart_box["y"] + chart_box["height"] <= table_box["y"]
    axe_check(admin)
    admin.goto("/programme/")
    axe_check(admin)
    admin.get_by_role("link", name="Your account").click()
    expect(admin.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    axe_check(admin)
