"""One content source, thin renderers: `render(content, fmt)` gives the file's bytes.

HTML and PDF share one Django template and stylesheet (WeasyPrint lays out the same page);
DOCX is written with python-docx from the same `BriefingContent`; text is the plain version.
"""

from __future__ import annotations

from maca.briefings.content import BriefingContent

FORMATS: dict[str, tuple[str, str]] = {
    # fmt: (media type, file extension)
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "txt": ("text/plain; charset=utf-8", "txt"),
}


def render(content: BriefingContent, fmt: str) -> bytes:
    """The briefing as a file in `fmt` (html, pdf, docx or txt)."""
    if fmt == "html":
        from maca.briefings.renderers.html import render_html

        return render_html(content).encode("utf-8")
    if fmt == "pdf":
        from maca.briefings.renderers.pdf import render_pdf

        return render_pdf(content).data
    if fmt == "docx":
        from maca.briefings.renderers.docx import render_docx

        return render_docx(content)
    if fmt == "txt":
        from maca.briefings.renderers.text import render_text

        return render_text(content).encode("utf-8")
    raise ValueError(f"unknown briefing format {fmt!r}; use one of {', '.join(FORMATS)}")
