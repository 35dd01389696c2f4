"""The briefing as an HTML page: the app's preview (fragment) and the standalone download."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from maca.briefings.chart import grade_chart_svg
from maca.briefings.content import BriefingContent

CSS_PATH = Path(__file__).resolve().parents[2] / "static" / "maca" / "briefing.css"


@cache
def stylesheet() -> SafeString:
    """The briefing stylesheet (our own file, read once per process: it never changes at run time)."""
    return mark_safe(CSS_PATH.read_text(encoding="utf-8"))  # noqa: S308 - our static file


def _context(content: BriefingContent) -> dict[str, object]:
    chart = grade_chart_svg(content.grades) if content.grades else ""
    # The SVG is built with every text node escaped (chart.py).
    return {"content": content, "chart_svg": mark_safe(chart)}  # noqa: S308


def render_fragment(content: BriefingContent) -> str:
    """The `<article>` alone, for the page in the app (its stylesheet is linked there)."""
    return render_to_string("briefings/_briefing.html", _context(content))


def render_html(content: BriefingContent, *, scale: float | None = None) -> str:
    """A complete, self-contained page (stylesheet inlined): the download and the PDF source."""
    return render_to_string(
        "briefings/document.html",
        {**_context(content), "css": stylesheet(), "scale": f"{scale:.3f}" if scale else ""},
    )
