"""The security headers every maca response carries (used by the permission matrix, which
requests every URL as every role, and by tests/core/test_security_headers.py)."""

from __future__ import annotations

from typing import Any

# The Content-Security-Policy, directive by directive (config/settings.py).
CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def csp_directives(header: str) -> dict[str, set[str]]:
    directives: dict[str, set[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = set(words[1:])
    return directives


def security_header_problems(response: Any, *, signed_in: bool) -> list[str]:
    """What is missing or wrong; empty when the response is as it should be."""
    problems = []
    csp = response.get("Content-Security-Policy")
    if csp is None:
        problems.append("no Content-Security-Policy")
    else:
        directives = csp_directives(csp)
        if directives != CSP:
            problems.append(f"Content-Security-Policy is {csp!r}")
        if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
            problems.append("Content-Security-Policy allows inline script or eval")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if signed_in:
        expected["Cache-Control"] = "no-store"
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}, expected {value!r}")
    return problems
