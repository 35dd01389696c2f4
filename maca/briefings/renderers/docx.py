"""The briefing as an editable Word document: real headings, lists, links and a grade table.

Partnerships often adapt the briefing for their own newsletters, so this is a document to edit,
not a picture of the page. It carries no author, comments, thumbnail or hidden text: the core
properties are set to the title and language only.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from maca.briefings.chart import grade_sentence
from maca.briefings.content import BriefingContent, Span

FONT = "Arial"  # Liberation Sans has the same metrics where Arial is missing
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _style_fonts(document, primary: RGBColor) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    for name in ("Title", "Heading 1", "List Bullet"):
        style = styles[name]
        style.font.name = FONT
        # East Asian and complex-script fonts too, or Word falls back to the theme's fonts.
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
    styles["Title"].font.size = Pt(22)
    styles["Title"].font.color.rgb = primary
    styles["Heading 1"].font.size = Pt(13)
    styles["Heading 1"].font.color.rgb = primary


def _add_hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    rel_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    props.append(style)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1D70B8")
    props.append(colour)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _add_spans(paragraph: Paragraph, spans: tuple[Span, ...]) -> None:
    for span in spans:
        if span.url:
            _add_hyperlink(paragraph, span.text, span.url)
        else:
            paragraph.add_run(span.text)


def _grade_table(document, content: BriefingContent) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = "Light Grid Accent 1"
    header = table.rows[0]
    header.cells[0].text = "Grade"
    header.cells[1].text = "Cases"
    # Repeat the header row and mark it as a header for screen readers.
    tr_pr = header._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)
    for grade in content.grades:
        row = table.add_row()
        row.cells[0].text = grade.label
        row.cells[1].text = str(grade.count)
    caption = document.add_paragraph(grade_sentence(content.grades))
    caption.paragraph_format.space_before = Pt(3)


def _scrub_properties(document, content: BriefingContent) -> None:
    props = document.core_properties
    props.title = content.document_title
    props.language = content.language
    props.subject = "7 minute briefing"
    for name in ("author", "last_modified_by", "comments", "keywords", "category"):
        setattr(props, name, "")
    props.content_status = "Draft" if content.draft else "Published"
    props.revision = 1
    props.created = _EPOCH
    props.modified = _EPOCH
    props.last_printed = _EPOCH
    # The default template ships a thumbnail picture of its own first page: drop it.
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]


def render_docx(content: BriefingContent) -> bytes:
    document = Document()
    primary = _rgb(content.primary_colour)
    _style_fonts(document, primary)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))

    document.add_paragraph(content.document_title, style="Title")
    document.add_paragraph(f"{content.subtitle} · {content.partnership}")
    for part in content.sections:
        document.add_heading(f"{part.number}. {part.heading}", level=1)
        for block in part.blocks:
            for item in block.items:
                paragraph = document.add_paragraph(
                    style="List Bullet" if block.kind == "ul" else None
                )
                _add_spans(paragraph, item)
        if part.key == "case_selection" and content.grades:
            _grade_table(document, content)
        if not part.blocks and not (part.key == "case_selection" and content.grades):
            document.add_paragraph("Nothing written yet.")
    footer = content.partnership
    if content.published_on:
        footer += f" · published {content.published_on}"
    if content.contact:
        footer += f" · {content.contact}"
    section.footer.paragraphs[0].text = footer
    _scrub_properties(document, content)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
