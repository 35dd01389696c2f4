"""Builders for the disclosure-check tests: tiny PDFs, DOCX packages and PNGs made in the test,
the seeded corpus of planted identifiers, and a runner for the real `maca` process."""

from __future__ import annotations

import datetime as dt
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from maca.briefings.disclosure import Finding, KnownIdentifiers
from maca.briefings.disclosure.detect import fold

# --- the identities the corpus plants ---------------------------------------------------------

POOL_ID = "a3f9c2e1b7d40c5e" + "9b1f" * 12
KNOWN = KnownIdentifiers(
    names=("Ivy Calloway", "Ivy", "Calloway", "Marcus Okafor", "Marcus", "Okafor"),
    dates_of_birth=(dt.date(2021, 6, 14),),
    addresses=("12 Acacia Avenue, Leeds, LS1 4AP",),
    council_ids=("CSC-884213",),
    pool_ids=(POOL_ID, POOL_ID[:12]),
)


@dataclass(frozen=True)
class Plant:
    """An identifier planted in a document: its kind, text as written, and where it is."""

    kind: str
    text: str
    where: str  # a part of the finding's location

    def found_by(self, finding: Finding) -> bool:
        return (
            finding.kind == self.kind
            and _norm(finding.text) == _norm(self.text)
            and self.where in finding.location
        )


def _norm(text: str) -> str:
    return " ".join(fold(text).lower().split())


# --- PNG --------------------------------------------------------------------------------------


def tiny_png() -> bytes:
    """A valid 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- PDF --------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@dataclass(frozen=True)
class Line:
    """A line of text on a PDF page; `white` draws it white, `boxed` covers it with black."""

    text: str
    white: bool = False
    boxed: bool = False


def minimal_pdf(pages: list[list[Line]]) -> bytes:
    """A hand-written PDF: Helvetica (WinAnsi), one text line per Line, top down."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # pages, filled in below
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for lines in pages:
        ops = []
        y = 760
        for line in lines:
            colour = b"1 1 1 rg" if line.white else b"0 0 0 rg"
            ops.append(colour + b" BT /F1 11 Tf 72 %d Td " % y + _pdf_string(line.text) + b" Tj ET")
            if line.boxed:
                ops.append(b"0 0 0 rg 70 %d 300 14 re f" % (y - 3))
            y -= 16
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id)
        )
        page_ids.append(len(objects))
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def xmp(description: str, creator: str) -> bytes:
    return f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt></dc:description>
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()


def enriched_pdf(
    pages: list[list[Line]],
    *,
    metadata: dict[str, str] | None = None,
    annotations: Sequence[tuple[str, str]] = (),
    link: str | None = None,
    bookmarks: Sequence[str] = (),
    xmp_data: bytes | None = None,
    attachment: tuple[str, bytes] | None = None,
    alt_text: str | None = None,
    hidden_string: str | None = None,
) -> bytes:
    """The minimal PDF, then pypdf's writer adds metadata, notes, a link, bookmarks, XMP and an
    attached file."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link, Text
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(minimal_pdf(pages)))
    if metadata:
        writer.add_metadata(metadata)
    for contents, author in annotations:
        note = Text(text=contents, rect=(50, 550, 70, 570))
        note[NameObject("/T")] = TextStringObject(author)
        writer.add_annotation(page_number=0, annotation=note)
    if link:
        writer.add_annotation(page_number=0, annotation=Link(rect=(72, 700, 200, 712), url=link))
    for title in bookmarks:
        writer.add_outline_item(title=title, page_number=0)
    if xmp_data:
        writer.xmp_metadata = xmp_data
    if attachment:
        writer.add_attachment(*attachment)
    if alt_text:  # a tagged PDF: one figure with alt text in the structure tree
        figure = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Figure"),
                NameObject("/Alt"): TextStringObject(alt_text),
            }
        )
        tree = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructTreeRoot"),
                NameObject("/K"): ArrayObject([writer._add_object(figure)]),
            }
        )
        writer.root_object[NameObject("/StructTreeRoot")] = writer._add_object(tree)
    if hidden_string:  # a string in a place no reader looks at: found by the sweep
        writer.root_object[NameObject("/PieceInfo")] = DictionaryObject(
            {NameObject("/Note"): TextStringObject(hidden_string)}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- DOCX -------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W_NS}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{{text}}</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def add_package_part(
    data: bytes,
    partname: str,
    xml: str | bytes,
    content_type: str,
    rel_type: str,
    rels: str = "word/_rels/document.xml.rels",
) -> bytes:
    """Add a part to a DOCX package with its content type and a relationship to it (from the
    body by default; from the package for document properties)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    base = rels.replace("_rels/", "").removesuffix(".rels").rsplit("/", 1)[0] + "/"
    target_name = partname.removeprefix(base) if base != "/" else partname
    rel_id = "rId" + "".join(c for c in partname if c.isalnum())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    f'<Override PartName="/{partname}" ContentType="{content_type}"/></Types>'.encode(),
                )
            elif item.filename == rels:
                body = body.replace(
                    b"</Relationships>",
                    f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target_name}"/>'
                    "</Relationships>".encode(),
                )
            target.writestr(item, body)
        target.writestr(partname, xml)
    return out.getvalue()


def replace_in_part(data: bytes, partname: str, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == partname:
                assert old in body, (partname, old)
                body = body.replace(old, new)
            target.writestr(item, body)
    return out.getvalue()


# --- the real command -------------------------------------------------------------------------


def run_maca(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `maca ...` as a user would: a fresh process whose environment holds PATH only."""
    minimal = {"PATH": os.environ["PATH"]}
    minimal.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "maca.cli", *args],
        capture_output=True,
        text=True,
        env=minimal,
        cwd=cwd or Path.cwd(),
        timeout=60,
        check=False,
    )


# --- the seeded corpus ------------------------------------------------------------------------

CLEAN_TEXT = """Seven minute briefing: injuries in non-mobile babies
Why it matters: bruising in a baby who is not yet mobile is rare and must be referred the same day.
The audit ran from 10 January 2022 to 31 March 2022; the panel met on 11/04/2022 and again on 2022-05-09.
Five cases (Child A to Child E) were chosen at random from 312 children known to children's social care.
Four were graded good and one requires improvement; 3 of 5 strategy discussions were held within 1 working day.
See Working Together to Safeguard Children 2023, section 47, and the national review into the murders of
Arthur Labinjo-Hughes and Star Hobson (May 2022). Star Hobson's case is cited with permission of the title.
Reference number 943 476 5918 is a form number, not an NHS number; QQ 12 34 56 C is the HMRC example.
Ivybridge, ivory and Marcusson are not names on record. Call the front door on the number in the leaflet.
Read more at www.example.gov.uk/briefings/2022 (page 7 of 12); version 1.2.3, table 4.10.
"""


def corpus_txt() -> tuple[bytes, list[Plant]]:
    text = (
        "Seven minute briefing\n"
        "Ivy's health visitor saw a bruise.\n"
        "Calloway\u2019s GP was not told.\n"
        "The family lived at 12 Acacia Avenue.\n"
        "NHS number 9434765919 was on the referral.\n"
        "NI number JG103759A was on file.\n"
        "Contact 07700 900123 or ivy.calloway@example.com.\n"
        "Born 14/06/2021.\n"
        "Her brother (d.o.b. 02/11/2019) was not seen.\n"
        "Postcode B33 8TH.\n"
        "Council record CSC-884213, pool ref a3f9c2e1b7d4.\n"
        "Marcus Okafor attended the strategy discussion, recorded by Mar-\n"
        "cus as agreed. The medical was on 2021-06-14.\n"
        "Case summary for CALLOWAY, IVY.\n"
    )
    plants = [
        Plant("name", "Ivy", "line 2"),
        Plant("name", "Calloway", "line 3"),
        Plant("address", "12 Acacia Avenue", "line 4"),
        Plant("nhs-number", "9434765919", "line 5"),
        Plant("ni-number", "JG103759A", "line 6"),
        Plant("phone", "07700 900123", "line 7"),
        Plant("email", "ivy.calloway@example.com", "line 7"),
        Plant("date-of-birth", "14/06/2021", "line 8"),
        Plant("birth-date", "02/11/2019", "line 9"),
        Plant("postcode", "B33 8TH", "line 10"),
        Plant("council-id", "CSC-884213", "line 11"),
        Plant("pool-id", "a3f9c2e1b7d4", "line 11"),
        Plant("name", "Marcus Okafor", "line 12"),
        Plant("name", "Mar-\ncus", "line 12"),
        Plant("date-of-birth", "2021-06-14", "line 13"),
        Plant("name", "CALLOWAY", "line 14"),
        Plant("name", "IVY", "line 14"),
    ]
    return text.encode("utf-8"), plants


def corpus_html() -> tuple[bytes, list[Plant]]:
    html = f"""<!doctype html>
<html lang="en"><head>
<title>Briefing about Ivy</title>
<meta name="author" content="Marcus Okafor">
<meta name="description" content="Case CSC-884213">
<!-- draft: check with the Calloway family -->
<script>var child = "{POOL_ID}";</script>
</head><body>
<h1>Seven minute briefing</h1>
<p>The baby, Iv<b>y</b>, was seen.</p>
<p>NHS number 401 023 2137.</p>
<p>The Cal-<br>loway family moved.</p>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="Ivy Calloway at home">
<p><a href="mailto:m.okafor@example.org.uk">Contact the father</a></p>
<p><span title="born 3 March 2020">Sibling</span></p>
<button aria-label="Call 0113 496 0000">Call</button>
<div style="display:none">ZX 98 76 54 D</div>
<p style="color:#fff">DN55 1PT</p>
<p>Her birthday, 14th June 2021, was missed.</p>
<form><input name="pc" value="SW1A 1AA"></form>
</body></html>
"""
    plants = [
        Plant("name", "Ivy", "page title"),
        Plant("name", "Marcus Okafor", "meta author"),
        Plant("council-id", "CSC-884213", "meta description"),
        Plant("name", "Calloway", "comment (line 6)"),
        Plant("pool-id", POOL_ID, "script"),
        Plant("name", "Ivy", "text (line 10)"),
        Plant("nhs-number", "401 023 2137", "text (line 11)"),
        Plant("name", "Cal-\nloway", "text (line 12)"),
        Plant("name", "Ivy Calloway", "alt text"),
        Plant("email", "m.okafor@example.org.uk", "link"),
        Plant("birth-date", "3 March 2020", "title attribute"),
        Plant("phone", "0113 496 0000", "aria-label"),
        Plant("ni-number", "ZX 98 76 54 D", "text (line 17)"),
        Plant("postcode", "DN55 1PT", "text (line 18)"),
        Plant("date-of-birth", "14th June 2021", "text (line 19)"),
        Plant("postcode", "SW1A 1AA", "form value"),
    ]
    return html.encode("utf-8"), plants


def corpus_pdf() -> tuple[bytes, list[Plant]]:
    pages = [
        [
            Line("Seven minute briefing: injuries in non-mobile babies"),
            Line("The child, Ivy Calloway, was seen by the health visitor."),
            Line("Her NHS number 943 476 5919 was on the referral."),
            Line("The referral came from the Cal-"),
            Line("loway household in M1 1AE."),
            Line("Call 0161 496 0123 for the family.", white=True),
            Line("NI number AB 12 34 56 C.", boxed=True),
        ],
        [
            Line("Learning from the audit"),
            Line("Ivy was born on 14 June 2021 and was not yet mobile."),
            Line("Her sister, born 3 March 2020, was seen too."),
            Line("E-mail the father at m.okafor@example.org.uk."),
            Line("Calloway\u2019s records were held by CSC-884213."),
        ],
    ]
    data = enriched_pdf(
        pages,
        metadata={
            "/Author": "Marcus Okafor",
            "/Title": "Review of Calloway\u2019s case",
            "/Subject": "Pool child a3f9c2e1b7d4",
        },
        annotations=[("Check with Ivy\u2019s GP", "Okafor")],
        link="mailto:ivy.calloway@example.com",
        bookmarks=["Chronology for Ivy"],
        xmp_data=xmp("NHS 401 023 2137", "Marcus Okafor"),
        attachment=("notes.txt", b"Family home: 12 Acacia Avenue, Leeds\nPhone 020 7946 0000\n"),
        alt_text="Photograph of Ivy at home",
        hidden_string="Call 0113 496 0999",
    )
    plants = [
        Plant("name", "Ivy Calloway", "page 1"),
        Plant("nhs-number", "943 476 5919", "page 1"),
        Plant("name", "Cal-\nloway", "page 1"),
        Plant("postcode", "M1 1AE", "page 1"),
        Plant("phone", "0161 496 0123", "page 1"),  # white text
        Plant("ni-number", "AB 12 34 56 C", "page 1"),  # under a black box
        Plant("name", "Ivy", "page 2"),
        Plant("date-of-birth", "14 June 2021", "page 2"),
        Plant("birth-date", "3 March 2020", "page 2"),
        Plant("email", "m.okafor@example.org.uk", "page 2"),
        Plant("name", "Calloway", "page 2"),
        Plant("council-id", "CSC-884213", "page 2"),
        Plant("name", "Marcus Okafor", "metadata: Author"),
        Plant("name", "Calloway", "metadata: Title"),
        Plant("pool-id", "a3f9c2e1b7d4", "metadata: Subject"),
        Plant("name", "Ivy", "annotation"),
        Plant("name", "Okafor", "annotation (Text) author"),
        Plant("email", "ivy.calloway@example.com", "link"),
        Plant("name", "Ivy", "bookmark"),
        Plant("nhs-number", "401 023 2137", "XMP metadata: description"),
        Plant("name", "Marcus Okafor", "XMP metadata: creator"),
        Plant("address", "12 Acacia Avenue", "attachment notes.txt (line 1)"),
        Plant("phone", "020 7946 0000", "attachment notes.txt"),
        Plant("name", "Ivy", "alt text (tagged PDF)"),
        Plant("phone", "0113 496 0999", "PDF data /Root/PieceInfo/Note"),
    ]
    return data, plants


def corpus_docx() -> tuple[bytes, list[Plant]]:
    import docx
    from docx.oxml import parse_xml
    from docx.shared import Inches

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Briefing about the Calloway family - CSC-884213"
    section.footer.paragraphs[0].text = "Queries: 07700 900456, 12 Acacia Avenue"
    document.add_heading("Seven minute briefing", level=1)
    document.add_paragraph("Ivy\u2019s health visitor made the referral.")
    document.add_paragraph("The family moved to SW1A 1AA last year.")
    document.add_paragraph("Police called +44 20 7946 0001 the same day.")
    document.add_paragraph("Mother's NI number JG 10 37 59 A was recorded.")
    document.add_paragraph("The older child (d.o.b. 02/11/2019) was spoken to.")
    document.add_paragraph("The medical took place on 14.06.21 in error.")
    anchor = document.add_paragraph("The strategy discussion was held.")
    document.add_comment(
        anchor.runs[0], text="Spoke to Marcus Okafor about this", author="Okafor", initials="MO"
    )
    picture = document.add_paragraph().add_run()
    picture.add_picture(io.BytesIO(tiny_png()), width=Inches(0.1))
    doc_pr = picture._r.xpath(".//wp:docPr")[0]
    doc_pr.set("descr", "Photo of Ivy Calloway at home")
    doc_pr.set("title", "Calloway family")
    box = document.add_paragraph("Text box follows.")
    box._p.append(
        parse_xml(
            f'<w:r xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape>'
            "<v:textbox><w:txbxContent><w:p><w:r><w:t>NHS 401 023 2137</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    deleted = document.add_paragraph("A name was removed: ")
    deleted._p.append(
        parse_xml(
            f'<w:del xmlns:w="{W_NS}" w:id="9" w:author="Reviewer" w:date="2022-04-01T00:00:00Z">'
            "<w:r><w:delText>Ivy Calloway</w:delText></w:r></w:del>"
        )
    )
    document.add_paragraph("Footnote here.")
    core = document.core_properties
    core.author = "Marcus Okafor"
    core.title = "Ivy Calloway briefing"
    core.keywords = "Calloway"
    core.last_modified_by = "okafor"
    out = io.BytesIO()
    document.save(out)
    data = add_package_part(
        out.getvalue(),
        "word/footnotes.xml",
        FOOTNOTES_XML.replace("{text}", "Seen at Ivy's GP practice"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes",
    )
    data = replace_in_part(
        data,
        "docProps/app.xml",
        b"<Template>Normal.dotm</Template>",
        b"<Template>Normal.dotm</Template><Manager>pool a3f9c2e1b7d4</Manager>",
    )
    plants = [
        Plant("name", "Calloway", "header 1"),
        Plant("council-id", "CSC-884213", "header 1"),
        Plant("phone", "07700 900456", "footer 1"),
        Plant("address", "12 Acacia Avenue", "footer 1"),
        Plant("name", "Ivy", "body (paragraph 2)"),
        Plant("postcode", "SW1A 1AA", "body (paragraph 3)"),
        Plant("phone", "+44 20 7946 0001", "body (paragraph 4)"),
        Plant("ni-number", "JG 10 37 59 A", "body (paragraph 5)"),
        Plant("birth-date", "02/11/2019", "body (paragraph 6)"),
        Plant("date-of-birth", "14.06.21", "body (paragraph 7)"),
        Plant("name", "Marcus Okafor", "comment 1"),
        Plant("name", "Okafor", "comment 1 author"),
        Plant("name", "Ivy Calloway", "alt text in body"),
        Plant("name", "Calloway", "alt text title in body"),
        Plant("nhs-number", "401 023 2137", "text box in body"),
        Plant("name", "Ivy Calloway", "tracked deletion in body"),
        Plant("name", "Ivy", "footnote 1"),
        Plant("name", "Marcus Okafor", "core properties: author"),
        Plant("name", "Ivy Calloway", "core properties: title"),
        Plant("name", "Calloway", "core properties: keywords"),
        Plant("name", "okafor", "core properties: last modified by"),
        Plant("pool-id", "a3f9c2e1b7d4", "app properties: Manager"),
    ]
    return data, plants


def clean_pdf() -> bytes:
    lines = [Line(line) for line in CLEAN_TEXT.splitlines()]
    return enriched_pdf(
        [lines[:5], lines[5:]],
        metadata={"/Title": "7 minute briefing", "/Author": "Safeguarding Partnership"},
        bookmarks=["Why it matters", "Learning"],
        annotations=[("Checked against the national review", "Business unit")],
    )


def clean_html() -> bytes:
    body = "".join(f"<p>{line}</p>\n" for line in CLEAN_TEXT.splitlines())
    return (
        "<!doctype html><html><head><title>7 minute briefing</title>"
        '<meta name="author" content="Safeguarding Partnership"></head><body>'
        f'<img src="chart.png" alt="Bar chart: 4 good, 1 requires improvement">{body}'
        "<!-- generated by maca --></body></html>"
    ).encode()


def clean_docx() -> bytes:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "7 minute briefing"
    document.sections[0].footer.paragraphs[0].text = "Safeguarding Partnership, page 1"
    for line in CLEAN_TEXT.splitlines():
        document.add_paragraph(line)
    anchor = document.add_paragraph("Panel view.")
    document.add_comment(anchor.runs[0], text="Agreed at panel", author="Business unit")
    document.core_properties.author = "Safeguarding Partnership"
    document.core_properties.title = "7 minute briefing"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
