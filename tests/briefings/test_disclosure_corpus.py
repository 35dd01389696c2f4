"""G15: a seeded corpus of planted identifiers across html, pdf, docx and txt, 100% detected,
and clean briefings (with national review names, ordinary dates and near-miss numbers) pass."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from maca.briefings.disclosure import (
    Finding,
    UnreadableDocument,
    check_bytes,
    check_file,
    extract_file,
)
from tests.briefings.disclosure_support import (
    CLEAN_TEXT,
    KNOWN,
    Line,
    Plant,
    clean_docx,
    clean_html,
    clean_pdf,
    corpus_docx,
    corpus_html,
    corpus_pdf,
    corpus_txt,
    minimal_pdf,
)

CORPUS: dict[str, Callable[[], tuple[bytes, list[Plant]]]] = {
    "txt": corpus_txt,
    "html": corpus_html,
    "pdf": corpus_pdf,
    "docx": corpus_docx,
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[bytes, list[Plant]]]:
    return {fmt: build() for fmt, build in CORPUS.items()}


def _write(tmp_path: Path, fmt: str, data: bytes) -> Path:
    path = tmp_path / f"briefing.{fmt}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fmt", list(CORPUS))
def test_every_planted_identifier_is_found_and_nothing_else(
    corpus: dict[str, tuple[bytes, list[Plant]]], fmt: str, tmp_path: Path
) -> None:
    data, plants = corpus[fmt]
    findings = check_file(_write(tmp_path, fmt, data), known=KNOWN)
    missed = [p for p in plants if not any(p.found_by(f) for f in findings)]
    assert missed == [], [str(f) for f in findings]
    unexpected = [str(f) for f in findings if not any(p.found_by(f) for p in plants)]
    assert unexpected == []


def test_corpus_size_and_detection_rate(corpus: dict[str, tuple[bytes, list[Plant]]]) -> None:
    """At least 50 planted identifiers across the four formats; every one detected."""
    planted = found = 0
    for fmt, (data, plants) in corpus.items():
        findings = check_bytes(data, fmt, known=KNOWN)
        planted += len(plants)
        found += sum(any(p.found_by(f) for f in findings) for p in plants)
    assert planted >= 50
    assert found == planted


def test_corpus_covers_every_part_asked_for(corpus: dict[str, tuple[bytes, list[Plant]]]) -> None:
    docx_places = {p.where.split(" (")[0] for p in corpus["docx"][1]}
    for place in ("header 1", "footer 1", "comment 1", "alt text in body", "body"):
        assert place in docx_places
    assert {"core properties: author", "core properties: title"} <= docx_places
    pdf_places = " ".join(p.where for p in corpus["pdf"][1])
    for place in ("page 1", "page 2", "metadata: Author", "annotation", "bookmark", "XMP"):
        assert place in pdf_places
    html_places = " ".join(p.where for p in corpus["html"][1])
    for place in ("alt text", "title attribute", "aria-label", "meta author", "comment"):
        assert place in html_places


CLEAN: dict[str, Callable[[], bytes]] = {
    "txt": CLEAN_TEXT.encode,
    "html": clean_html,
    "pdf": clean_pdf,
    "docx": clean_docx,
}


@pytest.mark.parametrize("fmt", list(CLEAN))
def test_clean_briefings_have_no_findings(fmt: str, tmp_path: Path) -> None:
    """National review names, ordinary dates, a number failing the NHS check, an HMRC example
    NI number and words that contain known names: nothing to report."""
    path = _write(tmp_path, fmt, CLEAN[fmt]())
    assert check_file(path, known=KNOWN) == []
    assert check_file(path) == []


def test_without_known_identifiers_only_patterns_are_found(
    corpus: dict[str, tuple[bytes, list[Plant]]],
) -> None:
    data, plants = corpus["txt"]
    kinds = {f.kind for f in check_bytes(data, "txt")}
    assert kinds == {"nhs-number", "ni-number", "phone", "email", "postcode", "birth-date"}
    assert "name" in {p.kind for p in plants}


def test_logs_never_hold_an_identifier(
    corpus: dict[str, tuple[bytes, list[Plant]]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for fmt, (data, _) in corpus.items():
        check_bytes(data, fmt, known=KNOWN)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Disclosure finding: name I*y" in logged
    for _, plants in corpus.values():
        for plant in plants:
            assert plant.text not in logged
    assert "Ivy" not in repr(KNOWN) and "Calloway" not in repr(KNOWN)


def test_finding_shows_the_full_text_to_the_user_and_masks_it_for_logs() -> None:
    finding = Finding("name", "Calloway", "page 2", "...Calloway's records...")
    assert finding.masked == "C******y"
    assert str(finding) == 'page 2: known name "Calloway" in "...Calloway\'s records..."'
    broken = Finding("name", "Cal-\nloway", "page 1", "the Cal- loway household")
    assert '"Cal-\\nloway"' in str(broken)


# --- what cannot be read is never clean --------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, body in files.items():
            package.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("b.pdf", b"<html><body>Ivy</body></html>", "not a PDF file"),
        ("b.pdf", b"%PDF-1.4\n1 0 obj <<", "cannot read the PDF"),
        ("b.docx", minimal_pdf([[Line("x")]]), "looks like a PDF file"),
        ("b.docx", b"plain words", "not a DOCX file"),
        ("b.docx", _zip({"a.txt": b"x"}), "not a DOCX file"),
        ("b.docx", b"PK\x03\x04broken", "damaged ZIP"),
        ("b.html", minimal_pdf([[Line("x")]]), "looks like a PDF file"),
        ("b.html", _zip({"a.txt": b"x"}), "looks like a ZIP package"),
        ("b.txt", b"\x00\x01\x02binary", "binary data"),
        ("b.odt", b"whatever", "cannot check a .odt file"),
        ("b", b"whatever", "file without an extension"),
    ],
)
def test_a_file_that_is_not_what_its_extension_says_is_unreadable(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableDocument, match=message):
        check_file(path)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocument, match="cannot read"):
        check_file(tmp_path / "missing.pdf")


def test_an_image_only_pdf_page_cannot_be_passed_as_clean() -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    writer = PdfWriter(clone_from=io.BytesIO(minimal_pdf([[]])))
    image = StreamObject()
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(1),
            NameObject("/Height"): NumberObject(1),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    image.set_data(b"\xff")
    resources = writer.pages[0]["/Resources"]
    resources[NameObject("/XObject")] = DictionaryObject(
        {NameObject("/Im1"): writer._add_object(image)}
    )
    out = io.BytesIO()
    writer.write(out)
    findings = check_bytes(out.getvalue(), "pdf")
    assert [(f.kind, f.location) for f in findings] == [("unchecked", "page 1")]


def test_html_text_keeps_line_numbers_and_joins_inline_tags(tmp_path: Path) -> None:
    path = tmp_path / "b.html"
    path.write_text("<p>one</p>\n<p>Cal<i>lo</i>way &amp; co</p>\n", encoding="utf-8")
    [body] = [p for p in extract_file(path) if p.location == "text"]
    assert "Calloway & co" in body.text
    assert body.locate(body.text.index("Calloway")) == "text (line 2)"


def test_text_files_in_utf16_and_windows_1252_are_read(tmp_path: Path) -> None:
    for encoding in ("utf-16", "cp1252"):
        path = tmp_path / f"b-{encoding}.txt"
        path.write_bytes("Calloway\u2019s file\n".encode(encoding))
        [finding] = check_file(path, known=KNOWN)
        assert (finding.kind, finding.text) == ("name", "Calloway")


def test_more_hidden_places_in_a_docx() -> None:
    """Document variables, custom properties, hyperlink targets, table alt text, tracked-change
    authors and an embedded Word document are all checked."""
    import docx
    from docx.oxml import parse_xml

    from tests.briefings.disclosure_support import W_NS, add_package_part, replace_in_part

    inner = io.BytesIO()
    inner_doc = docx.Document()
    inner_doc.add_paragraph("Embedded note: NHS 943 476 5919")
    inner_doc.save(inner)

    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    table._tbl.tblPr.append(parse_xml(f'<w:tblCaption xmlns:w="{W_NS}" w:val="Calloway visits"/>'))
    paragraph = document.add_paragraph("Inserted: ")
    paragraph._p.append(
        parse_xml(
            f'<w:ins xmlns:w="{W_NS}" w:id="3" w:author="Marcus Okafor" w:date="2022-01-01T00:00:00Z">'
            "<w:r><w:t>words</w:t></w:r></w:ins>"
        )
    )
    out = io.BytesIO()
    document.save(out)
    data = replace_in_part(
        out.getvalue(),
        "word/settings.xml",
        b"</w:settings>",
        b'<w:docVars><w:docVar w:name="child" w:val="CSC-884213"/></w:docVars></w:settings>',
    )
    data = replace_in_part(
        data,
        "word/_rels/document.xml.rels",
        b"</Relationships>",
        b'<Relationship Id="rIdLink" TargetMode="External" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        b'Target="mailto:ivy.calloway@example.com"/></Relationships>',
    )
    data = add_package_part(
        data,
        "docProps/custom.xml",
        '<?xml version="1.0" encoding="UTF-8"?><Properties '
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Child">'
        "<vt:lpwstr>Ivy Calloway</vt:lpwstr></property></Properties>",
        "application/vnd.openxmlformats-officedocument.custom-properties+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties",
        rels="_rels/.rels",
    )
    data = add_package_part(
        data,
        "word/embeddings/note.docx",
        inner.getvalue(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package",
    )
    found = {(f.kind, f.text, f.location) for f in check_bytes(data, "docx", known=KNOWN)}
    assert found >= {
        ("council-id", "CSC-884213", "document variable: child"),
        ("email", "ivy.calloway@example.com", "link target (document.xml.rels)"),
        ("name", "Ivy Calloway", "custom property: Child"),
        ("name", "Calloway", "table alt text in body"),
        ("name", "Marcus Okafor", "tracked change author in body"),
        ("nhs-number", "943 476 5919", "embedded note.docx: body (paragraph 1)"),
    }, found
