"""Browser-only fixtures: system Chromium for pytest-playwright, and signed-in pages.

Every test under tests/browser is marked `browser`. Helpers (axe_check, sign_in) live in
tests/browser/support.py. Tests need `@pytest.mark.django_db(transaction=True)` because the
live server answers from another thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from tests.browser.support import close_copy_pages, register_no_js, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Conftest hooks see every collected item, so mark only the ones in this folder.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (or CHROMIUM_PATH); skip without it locally, fail without it in CI."""
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = (
            f"No Chromium at {path}: install Debian's `chromium` package or set CHROMIUM_PATH "
            "(never `playwright install`)."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} A missing browser in CI is a failure.", pytrace=False)
        pytest.skip(f"Browser tests skipped. {message}")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def _axe_copy_pages(live_server: Any) -> Iterator[None]:
    """Close axe's copy pages before the live server stops, so no keep-alive outlives it."""
    yield
    close_copy_pages()


@pytest.fixture
def open_browser(
    new_context: Callable[..., BrowserContext], live_server: Any, _axe_copy_pages: None
) -> Iterator[Callable[..., Page]]:
    """`open_browser(js=False)`: a fresh context (its own cookies) on the live server.

    Every page it opens is watched for Content-Security-Policy violations that Chromium
    reports on its console; the test fails if there was any.
    """
    violations: list[str] = []

    def _watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def _open(*, js: bool = True) -> Page:
        context = new_context(java_script_enabled=js, base_url=live_server.url)
        context.set_default_timeout(10_000)
        if not js:
            register_no_js(context)
        page = context.new_page()
        page.on("console", _watch)
        return page

    yield _open
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def signed_in(open_browser: Callable[..., Page]) -> Callable[..., Page]:
    """`signed_in("csc", js=False)`: a new context signed in through the login form."""

    def _signed_in(username: str, *, js: bool = True, check_accessibility: bool = False) -> Page:
        page = open_browser(js=js)
        sign_in(page, username, check_accessibility=check_accessibility)
        return page

    return _signed_in
