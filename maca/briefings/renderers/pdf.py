"""The briefing as a one-page, tagged A4 PDF, laid out by WeasyPrint from the HTML page.

When the wording is long the type is set a little smaller (down to 80%) so the seven panels
stay on one page; `PdfResult.pages` tells the app when even that is not enough, so it can warn
before anything is published.
"""

from __future__ import annotations

from dataclasses import dataclass

from maca.briefings.content import BriefingContent
from maca.briefings.renderers.html import render_html

SCALES = (1.0, 0.92, 0.86, 0.8)
OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    scale: float

    @property
    def fits(self) -> bool:
        return self.pages == 1


def layout(content: BriefingContent, scale: float):
    from weasyprint import HTML

    html = render_html(content, scale=scale if scale != 1.0 else None, for_pdf=True)
    return HTML(string=html).render(**OPTIONS)


def render_pdf(content: BriefingContent) -> PdfResult:
    """Lay out at full size; only when that overflows, try smaller type."""
    document = None
    scale = SCALES[0]
    for scale in SCALES:
        document = layout(content, scale)
        if len(document.pages) == 1:
            break
    assert document is not None
    return PdfResult(data=document.write_pdf(**OPTIONS), pages=len(document.pages), scale=scale)
