"""Security headers, and error pages that give nothing away.

Every URL, as every role, is checked for the headers by the permission matrix
(tests/core/test_permission_matrix.py::test_permission_matrix, via tests/core/headers.py);
these tests cover what the matrix cannot: HTTPS-only headers, error pages and the templates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.conftest import verified_login
from tests.core.error_urls import CANARY
from tests.core.headers import CSP, csp_directives, security_header_problems

TEMPLATES = Path(__file__).resolve().parents[2] / "maca" / "templates"
LEAKS = ("Traceback", 'File "', "URLconf", "config.urls", "DEBUG", "SECRET_KEY", "django.")


def test_the_sign_in_page_carries_the_headers(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert not security_header_problems(response, signed_in=False)
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives == CSP
    assert directives["script-src"] == {"'self'"}, "no inline script, no eval"
    assert directives["frame-ancestors"] == {"'none'"}


@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
)
def test_https_answers_carry_hsts_as_production_sets_it(db):
    # Production's values are checked in tests/accounts/test_sessions.py (production settings).
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_a_missing_page_says_nothing_about_the_code(world):
    client = Client()
    verified_login(client, world.users["admin"])
    for path in ("/audits/no-such-audit/", "/no-such-page/", "/audits/x/cases/9/record/"):
        response = client.get(path)
        assert response.status_code == 404, path
        body = response.content.decode()
        assert "Page not found" in body
        assert not [leak for leak in LEAKS if leak in body], (path, body[:300])
        assert not security_header_problems(response, signed_in=True), path


@pytest.mark.urls("tests.core.error_urls")
def test_a_server_error_says_sorry_and_nothing_else(world):
    client = Client(raise_request_exception=False)
    verified_login(client, world.users["admin"])
    response = client.get("/test-only/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert CANARY not in body and "Testchild" not in body and "RuntimeError" not in body
    assert not [leak for leak in LEAKS if leak in body], body[:300]
    assert not security_header_problems(response, signed_in=True)


# Documents maca writes as files, never shown as app pages: the briefing's HTML download (sent
# as an attachment) and the source WeasyPrint lays the PDF out from. A file someone opens from
# their downloads folder must carry its own styles, so these hold <style> elements (no script).
SELF_CONTAINED = {"briefings/document.html"}


def test_templates_hold_no_inline_script_style_or_event_handlers():
    """What the Content-Security-Policy would block: keep it out of the templates altogether."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).as_posix() in SELF_CONTAINED:
            continue
        text = path.read_text("utf-8")
        for pattern, what in (
            (r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
            (r"<style\b", "<style> element"),
            (r"\sstyle=\"", "style attribute"),
            (r"\son[a-z]+=\"", "event handler attribute"),
            (r"javascript:", "javascript: URL"),
        ):
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not problems, "\n".join(problems)
