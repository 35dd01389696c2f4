"""Helpers for the browser tests: axe checks that work with JavaScript on or off, and sign-in.

Kept out of conftest.py so test modules import them (`from tests.browser.support import ...`)
from the same module object the fixtures use.
"""

from __future__ import annotations

import contextlib
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

PASSWORD = "correct-horse-battery"  # tests.conftest.PASSWORD (importlib mode: copied by value)
AXE_TAGS = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
_AXE = Axe()

# Contexts opened with JavaScript off: axe cannot run inside them (its promise never settles),
# so their pages are checked on a copy of the same HTML in a context that blocks all scripts.
_NO_JS_CONTEXTS: set[int] = set()
_COPY_PAGES: dict[int, Page] = {}


def register_no_js(context: BrowserContext) -> None:
    _NO_JS_CONTEXTS.add(id(context))
    context.on("close", lambda c: _NO_JS_CONTEXTS.discard(id(c)))


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} [{v.get('helpUrl')}]")
        for node in v.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    target: {target}")
            lines.append(f"      html: {node.get('html', '').strip()[:200]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      why:  {summary[:300]}")
    return "\n".join(lines)


def _copy_page(browser: Browser) -> Page:
    """One page per browser, JavaScript on (for axe) but every script request blocked."""
    page = _COPY_PAGES.get(id(browser))
    if page is None or page.is_closed():
        page = browser.new_context().new_page()
        page.route("**/*.js", lambda route: route.abort())  # keep the no-JavaScript DOM
        _COPY_PAGES[id(browser)] = page
    return page


def close_copy_pages() -> None:
    """Close the copy contexts, so no keep-alive connection outlives the live server."""
    while _COPY_PAGES:
        _, page = _COPY_PAGES.popitem()
        with contextlib.suppress(PlaywrightError):  # the browser may have closed first
            page.context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on `page` as its user sees it (JavaScript on or off)."""
    if id(page.context) not in _NO_JS_CONTEXTS:
        return list(_AXE.run(page, options=AXE_OPTIONS).response["violations"])
    browser = page.context.browser
    assert browser is not None
    html, url = page.content(), page.url
    copy = _copy_page(browser)

    def serve(route: Route) -> None:
        route.fulfill(body=html, content_type="text/html")

    copy.route(url, serve)
    try:
        copy.goto(url)
    finally:
        copy.unroute(url, serve)
    return list(_AXE.run(copy, options=AXE_OPTIONS).response["violations"])


def axe_check(page: Page) -> None:
    """Assert axe finds no WCAG 2.x A/AA or best-practice violations on the current page."""
    violations = axe_violations(page)
    assert not violations, _format_violations(page.url, violations)


def fresh_recovery_code(username: str) -> str | None:
    """Give a user who needs a second factor an app and a new recovery code; return the code.

    Browser tests sign in with recovery codes because the same user often signs in twice
    within one 30-second app code, which maca (rightly) accepts only once. None for a user
    who signs in with a password alone (e.g. a viewer).
    """
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maca.accounts.services import recovery_code_stored, second_factor_required
    from maca.partnerships.models import User

    user = User.objects.get(username=username)
    if not second_factor_required(user):
        return None
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Test app"})
    device, _ = StaticDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Recovery codes"}
    )
    token = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=recovery_code_stored(token))
    return token


def sign_in(page: Page, username: str, *, check_accessibility: bool = False) -> None:
    """Sign in through the real login form (and the code page) and land on the dashboard."""
    code = fresh_recovery_code(username)
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    if check_accessibility:
        axe_check(page)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        expect(page.get_by_role("heading", name="Enter your code", level=1)).to_be_visible()
        if check_accessibility:
            axe_check(page)
        page.locator("#id_code").fill(code)
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
