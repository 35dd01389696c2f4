"""Each renderer's output, read back the way a reader (or a screen reader) would meet it."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest
from docx import Document
from pypdf import PdfReader

from maca.briefings.content import (
    SECTION_KEYS,
    TOTAL_MAX_CHARS,
    parse_body,
    wording_problems,
)
from maca.briefings.renderers import render
from maca.briefings.renderers.pdf import render_pdf
from tests.briefings.briefing_support import SENTENCE, content, longest_bodies

HEADINGS = [
    "Background",
    "Aim of the audit",
    "Case selection and grade",
    "Summary",
    "Good practice",
    "Areas for development",
    "What can you do now?",
]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_body_text_becomes_paragraphs_bullets_and_links() -> None:
    blocks = parse_body(
        "First paragraph\ncontinues here.\n\n- one\n- two [the guide](https://example.org/g)\n"
        "  wraps on\nAfter the list."
    )
    assert [b.kind for b in blocks] == ["p", "ul", "p"]
    assert blocks[0].items[0][0].text == "First paragraph continues here."
    second = blocks[1].items[1]
    assert [s.text for s in second] == ["two ", "the guide", " wraps on"]
    assert second[1].url == "https://example.org/g"
    # Not a link: a bracket without a web address stays as text.
    assert parse_body("[x](javascript:alert(1))")[0].items[0][0].url is None


def test_pdf_is_one_tagged_a4_page_with_title_language_and_no_author() -> None:
    result = render_pdf(content())
    assert result.pages == 1 and result.fits and result.scale == 1.0
    reader = PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged PDF
    assert "/StructTreeRoot" in root
    meta = reader.metadata
    assert meta.title == "7 minute briefing: Injuries in non-mobile babies"
    assert not meta.author and "/Author" not in meta
    text = pdf_text(result.data)
    for heading in HEADINGS:
        assert heading in text
    assert "Strategy discussions were timely" in text


def test_pdf_stays_on_one_page_with_the_longest_wording_the_editor_allows() -> None:
    bodies = longest_bodies()
    assert not wording_problems(bodies)
    assert sum(len(b) for b in bodies.values()) > TOTAL_MAX_CHARS * 0.9
    result = render_pdf(content(bodies))
    assert result.pages == 1, f"overflows to {result.pages} pages at scale {result.scale}"
    assert SENTENCE.strip()[:40] in pdf_text(result.data).replace("\n", " ")


def test_wording_too_long_for_one_page_is_refused_before_and_reported_after() -> None:
    bodies = {key: SENTENCE * 12 for key in SECTION_KEYS}
    problems = wording_problems(bodies)
    assert set(problems) == set(SECTION_KEYS)
    assert "to fit on one page" in problems["summary"]
    # If such wording were ever rendered, the app would know it runs over.
    result = render_pdf(content(bodies))
    assert result.pages > 1 and not result.fits


def test_draft_is_marked_in_every_format() -> None:
    draft = content(draft=True, version=3)
    assert "Draft version 3" in pdf_text(render(draft, "pdf"))
    assert "DRAFT" in Document(io.BytesIO(render(draft, "docx"))).core_properties.title
    assert "Draft version 3" in render(draft, "html").decode()
    assert render(draft, "txt").decode().startswith("DRAFT")


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_page_is_self_contained_and_structured() -> None:
    page = render(content(), "html").decode()
    outline = _Outline()
    outline.feed(page)
    tags = [t for t, _ in outline.tags]
    assert dict(outline.tags[0][1]).get("lang") == "en-GB"  # <html lang>
    assert tags.count("h1") == 1 and tags.count("h2") == 7
    assert "script" not in tags and "link" not in tags  # one file: styles inlined, no scripts
    svg = next(attrs for tag, attrs in outline.tags if tag == "svg")
    assert svg["role"] == "img"
    text = " ".join(outline.text)
    assert "Grades of 5 cases: 4 good, 1 requires improvement." in text
    anchors = [attrs["href"] for tag, attrs in outline.tags if tag == "a"]
    assert anchors == ["https://example.org/guidance"]


def test_docx_has_real_headings_lists_links_and_an_accessible_grade_table() -> None:
    data = render(content(), "docx")
    document = Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{n}. {h}" for n, h in enumerate(HEADINGS, start=1)]
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Police" in bullets and "Read the guidance" in bullets
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Grade", "Cases"] and ["Good", "4"] in rows
    assert table.rows[0]._tr.xml.count("w:tblHeader") == 1  # header row marked
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
        names = package.namelist()
    assert "https://example.org/guidance" in rels
    # No author, no thumbnail of someone else's page, no comments part.
    props = document.core_properties
    assert props.author == "" and props.last_modified_by == "" and props.comments == ""
    assert props.title == "7 minute briefing: Injuries in non-mobile babies"
    assert props.language == "en-GB"
    assert not [n for n in names if "thumbnail" in n or "comments" in n]


def test_text_version_writes_links_out() -> None:
    text = render(content(), "txt").decode()
    assert "1. Background\n-------------" in text
    assert "- Read the guidance (https://example.org/guidance)" in text
    assert "Grades of 5 cases: 4 good, 1 requires improvement." in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_page_renders_to_an_image(tmp_path) -> None:
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(render(content(), "pdf"))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = (tmp_path / "page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height  # landscape, one page


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown briefing format"):
        render(content(), "rtf")
