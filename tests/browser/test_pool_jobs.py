"""A large pool upload in Chromium: queued, progress on the page, the result without a reload."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import axe_check

SignedIn = Callable[..., Page]


@pytest.mark.django_db(transaction=True)
def test_a_large_pool_upload_shows_progress_then_its_result(
    world, signed_in: SignedIn, settings, tmp_path
) -> None:
    from maca.jobs import services as job_services

    settings.MACA_IMPORT_INLINE_MAX_BYTES = 100
    rows = "\n".join(f"B{i:04},01/01/2022,F,referral,01/03/2022," for i in range(500))
    upload = tmp_path / "children.csv"
    upload.write_text("child_id,date_of_birth,sex,event,event_date,category\n" + rows + "\n")
    page = signed_in("admin")
    page.goto("/pool/")
    page.get_by_label("List file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1, name="Importing children.csv")).to_be_visible()
    expect(page.get_by_text("Waiting to start")).to_be_visible()
    axe_check(page)
    assert job_services.run_pending() == 1  # the worker (a separate process in production)
    # The page polls and shows the result without the user reloading it.
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("500 new")).to_be_visible()
    axe_check(page)
