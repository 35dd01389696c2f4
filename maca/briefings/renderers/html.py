"""The briefing as an HTML page: the app's preview (fragment) and the standalone download."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from maca.briefings.chart import grade_chart_svg
from maca.briefings.content import BriefingContent

STATIC = Path(__file__).resolve().parents[2] / "static" / "maca"


@cache
def stylesheet(*, screen: bool) -> SafeString:
    """The briefing stylesheet, plus the screen rules for the HTML page (not for the PDF).

    Our own static files, read once per process: they never change at run time.
    """
    names = ("briefing.css", "briefing-screen.css") if screen else ("briefing.css",)
    css = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)
    return mark_safe(css)  # noqa: S308 - our static files  # nosec B308 B703  # nosemgrep: maca-mark-safe


def _context(content: BriefingContent, *, embedded: bool = False) -> dict[str, object]:
    """Inside an app page the page has its own h1, so the briefing's title steps down a level."""
    chart = grade_chart_svg(content.grades) if content.grades else ""
    # The SVG is built with every text node escaped (chart.py).
    return {
        "content": content,
        "chart_svg": mark_safe(chart),  # noqa: S308  # nosec B308 B703  # nosemgrep: maca-mark-safe
        "title_tag": "h2" if embedded else "h1",
        "heading_tag": "h3" if embedded else "h2",
    }


def render_fragment(content: BriefingContent) -> str:
    """The `<article>` alone, for the page in the app (its stylesheet is linked there)."""
    return render_to_string("briefings/_briefing.html", _context(content, embedded=True))


def render_html(
    content: BriefingContent, *, scale: float | None = None, for_pdf: bool = False
) -> str:
    """A complete, self-contained page (stylesheets inlined): the download and the PDF source."""
    return render_to_string(
        "briefings/document.html",
        {
            **_context(content),
            "css": stylesheet(screen=not for_pdf),
            "scale": f"{scale:.3f}" if scale else "",
        },
    )
