"""Text extraction: every place a rendered document can carry words, each with its location.

Deny by default (ICO, "Disclosing documents to the public securely", 2025): hidden text, white
text, text under a black box, comments, tracked deletions, metadata and alt text are all
extracted, because all of them are published with the file. A part that cannot be read makes
the whole document unreadable rather than silently unchecked.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

from maca.briefings.disclosure.core import Piece, UnreadableDocument

FORMATS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
}
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # uncompressed DOCX parts; more is treated as a zip bomb
MAX_DEPTH = 2  # documents attached to or embedded in documents, checked this deep
MAX_PDF_OBJECTS = 200_000


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UnreadableDocument(
            f"{path}: cannot check a {suffix or 'file without an extension'} file; "
            f"expected one of {known}"
        ) from None


def extract_file(path: str | Path, fmt: str | None = None) -> list[Piece]:
    """Every piece of text in the file at `path`; its format from the extension unless given."""
    fmt = fmt or format_for(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"{path}: cannot read: {exc.strerror or exc}") from None
    return extract_bytes(data, fmt, str(path))


def extract_bytes(data: bytes, fmt: str, name: str = "document", depth: int = 0) -> list[Piece]:
    readers: dict[str, Callable[[bytes, str, int], list[Piece]]] = {
        "html": extract_html,
        "pdf": extract_pdf,
        "docx": extract_docx,
        "txt": extract_txt,
    }
    if fmt not in readers:
        raise UnreadableDocument(f"{name}: unknown format {fmt!r}")
    return readers[fmt](data, name, depth)


# --- plain text -----------------------------------------------------------------------------

_SIGNATURES = [
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP package (such as DOCX)"),
    (b"\xd0\xcf\x11\xe0", "an old Office (.doc) file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
]


def decode_text(data: bytes, name: str, what: str) -> str:
    """Decode a text file (UTF-8, UTF-16 with BOM, or Windows-1252); binary is unreadable."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableDocument(f"{name}: not {what}: broken UTF-16 text") from None
    head = data[:1024].lstrip()
    for signature, looks_like in _SIGNATURES:
        if head.startswith(signature):
            raise UnreadableDocument(f"{name}: not {what}: it looks like {looks_like}")
    if b"\x00" in data[:65536]:
        raise UnreadableDocument(f"{name}: not {what}: it holds binary data")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def line_marks(text: str, base: int = 0, first_line: int = 1) -> list[tuple[int, str]]:
    marks = [(base, f"line {first_line}")]
    line = first_line
    for m in re.finditer("\n", text):
        line += 1
        marks.append((base + m.end(), f"line {line}"))
    return marks


def extract_txt(data: bytes, name: str, depth: int = 0) -> list[Piece]:
    text = decode_text(data, name, "a text file")
    return [Piece("", text, tuple(line_marks(text)))]


# --- HTML -----------------------------------------------------------------------------------

_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub",
    "sup", "time", "u", "var", "wbr",
})  # fmt: skip
_RAW = {"script": "script", "style": "style sheet", "title": "page title"}
# Attributes that carry only structure or styling.
_QUIET_ATTRS = frozenset({
    "class", "id", "style", "lang", "dir", "width", "height", "rel", "type", "charset", "role",
    "tabindex", "colspan", "rowspan", "scope", "target", "method", "loading", "decoding",
    "crossorigin", "integrity", "media", "sizes", "span", "start", "align", "valign", "border",
    "cellpadding", "cellspacing", "nonce", "async", "defer", "hidden", "xmlns",
})  # fmt: skip
_ATTR_LABELS = {
    "alt": "alt text",
    "title": "title attribute",
    "aria-label": "aria-label",
    "aria-description": "aria-description",
    "placeholder": "placeholder",
    "value": "form value",
    "href": "link",
    "src": "source link",
    "srcset": "source link",
    "action": "form action",
    "cite": "citation link",
    "content": "content attribute",
}


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.marks: list[tuple[int, str]] = []
        self.pieces: list[Piece] = []
        self.raw: str | None = None

    def _line(self) -> int:
        return self.getpos()[0]

    def _add(self, text: str, line: int) -> None:
        self.marks.extend(line_marks(text, self.length, line))
        self.parts.append(text)
        self.length += len(text)

    def _break(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
            self.length += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self._line()
        if tag not in _INLINE:
            self._break()
        values = {k: v for k, v in attrs if v}
        if tag == "meta":
            key = next(
                (values[k] for k in ("name", "property", "itemprop", "http-equiv") if k in values),
                "",
            )
            if "content" in values:
                label = f"meta {key}".strip()
                self.pieces.append(Piece(f"{label} (line {line})", values.pop("content")))
        for attr, value in values.items():
            if attr in _QUIET_ATTRS or (tag == "meta" and attr != "content"):
                continue
            if value.lstrip().lower().startswith("data:"):
                continue  # an embedded image or font, not text
            label = _ATTR_LABELS.get(attr, f"{attr} attribute")
            self.pieces.append(Piece(f"{label} of <{tag}> (line {line})", value))
        if tag in _RAW:
            self.raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw:
            self.raw = None
        if tag not in _INLINE:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.raw:
            self.pieces.append(Piece(f"{_RAW[self.raw]} (line {self._line()})", data))
        else:
            self._add(data, self._line())

    def handle_comment(self, data: str) -> None:
        self.pieces.append(Piece(f"comment (line {self._line()})", data))

    def unknown_decl(self, data: str) -> None:
        if data.upper().startswith("CDATA["):
            self._add(data[6:], self._line())

    def handle_pi(self, data: str) -> None:
        self.pieces.append(Piece(f"processing instruction (line {self._line()})", data))


def extract_html(data: bytes, name: str, depth: int = 0) -> list[Piece]:
    text = decode_text(data, name, "an HTML document")
    parser = _HTMLText()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # HTMLParser is lenient; anything it raises means unreadable
        raise UnreadableDocument(f"{name}: cannot parse the HTML ({type(exc).__name__})") from None
    body = Piece("text", "".join(parser.parts), tuple(parser.marks))
    return [body, *parser.pieces]


# --- XML (DOCX parts, XMP) ------------------------------------------------------------------


def parse_xml(data: bytes, name: str) -> Any:
    """Parse XML without resolving entities, loading DTDs or touching the network."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(f"{name}: broken XML ({exc.msg})") from None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


def _xml_strings(root: Any, attributes: frozenset[str] | None = None) -> Iterator[tuple[str, str]]:
    """(element or attribute local name, text) for every text node and chosen attributes."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        named = el
        while named.getparent() is not None and named.tag.startswith(_RDF):
            named = named.getparent()  # XMP: name rdf:li by its property, e.g. dc:creator
        name = _local(named.tag)
        if el.text and el.text.strip():
            yield name, el.text
        for key, value in el.attrib.items():
            if value.strip() and (attributes is None or _local(key) in attributes):
                yield f"{name}@{_local(key)}", value


# --- PDF ------------------------------------------------------------------------------------


def extract_pdf(data: bytes, name: str, depth: int = 0) -> list[Piece]:
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:
        for signature, looks_like in _SIGNATURES[1:]:
            if data.startswith(signature):
                raise UnreadableDocument(f"{name}: not a PDF file: it looks like {looks_like}")
        raise UnreadableDocument(f"{name}: not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(f"{name}: the PDF is password protected")
        pieces = _pdf_pieces(reader, name, depth)
    except UnreadableDocument:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on damaged files
        raise UnreadableDocument(f"{name}: cannot read the PDF ({type(exc).__name__})") from None
    return pieces


def _pdf_pieces(reader: Any, name: str, depth: int) -> list[Piece]:
    from pypdf.generic import DictionaryObject

    pieces: list[Piece] = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        pieces.append(Piece(f"page {number}", text))
        if not text.strip() and _has_images(page):
            pieces.append(Piece(f"page {number}", "", unchecked="image-only page (no text layer)"))
        for annot in _resolve(page.get("/Annots")) or []:
            annot = _resolve(annot)
            if not isinstance(annot, DictionaryObject):
                continue
            subtype = str(annot.get("/Subtype", "/Annot")).lstrip("/")
            where = f"page {number} annotation ({subtype})"
            for key, label in (
                ("/Contents", ""),
                ("/T", "author"),
                ("/Subj", "subject"),
                ("/RC", "rich text"),
                ("/TU", "tooltip"),
                ("/V", "value"),
            ):
                value = _pdf_text(annot.get(key))
                if value:
                    pieces.append(Piece(f"{where} {label}".strip(), value))
            action = _resolve(annot.get("/A"))
            if isinstance(action, DictionaryObject):
                uri = _pdf_text(action.get("/URI"))
                if uri:
                    pieces.append(Piece(f"{where} link", uri))
    for key, value in (reader.metadata or {}).items():
        text = _pdf_text(value)
        if text:
            pieces.append(Piece(f"metadata: {str(key).lstrip('/')}", text))
    root = reader.trailer["/Root"]
    metadata = _resolve(root.get("/Metadata"))
    if metadata is not None and hasattr(metadata, "get_data"):
        raw = metadata.get_data()
        try:
            for element, text in _xml_strings(parse_xml(raw, f"{name} XMP")):
                pieces.append(Piece(f"XMP metadata: {element}", text))
        except UnreadableDocument:  # broken XMP is still published: check it as text
            pieces.append(Piece("XMP metadata", raw.decode("utf-8", errors="replace")))
    pieces.extend(Piece("bookmark", title) for title in _outline_titles(reader.outline))
    for field_name, field in (reader.get_fields() or {}).items():
        value = _pdf_text(field.get("/V"))
        pieces.append(Piece("form field name", str(field_name)))
        if value:
            pieces.append(Piece("form field value", value))
    pieces.extend(_struct_pieces(_resolve(root.get("/StructTreeRoot"))))
    for attachment, contents in reader.attachments.items():
        pieces.append(Piece("attachment name", attachment))
        pieces.extend(_embedded(attachment, contents, f"attachment {attachment}", name, depth))
    pieces.extend(_pdf_strings(reader))
    return pieces


def _resolve(obj: Any) -> Any:
    from pypdf.generic import IndirectObject

    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _pdf_text(obj: Any) -> str:
    from pypdf.generic import ByteStringObject, StreamObject, TextStringObject

    obj = _resolve(obj)
    if isinstance(obj, TextStringObject):
        return str(obj)
    if isinstance(obj, ByteStringObject):
        return bytes(obj).decode("latin-1")
    if isinstance(obj, StreamObject):  # e.g. rich text held in a stream
        return obj.get_data().decode("utf-8", errors="replace")
    return ""


def _has_images(page: Any) -> bool:
    resources = _resolve(page.get("/Resources")) or {}
    xobjects = _resolve(resources.get("/XObject")) or {}
    return any(
        isinstance(_resolve(x), dict) and _resolve(x).get("/Subtype") == "/Image"
        for x in xobjects.values()
    )


def _outline_titles(outline: Any) -> Iterator[str]:
    for item in outline or []:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            title = getattr(item, "title", None)
            if title:
                yield str(title)


def _struct_pieces(root: Any) -> Iterator[Piece]:
    """Alt text, actual text, titles and expansions in a tagged PDF's structure tree."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    labels = {"/Alt": "alt text", "/ActualText": "actual text", "/T": "title", "/E": "expansion"}
    stack, seen = [root], 0
    while stack and seen < MAX_PDF_OBJECTS:
        node = stack.pop()
        seen += 1
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key, label in labels.items():
                text = _pdf_text(node.get(key))
                if text:
                    yield Piece(f"{label} (tagged PDF)", text)
            kids = node.get("/K")
            if kids is not None:
                stack.append(kids)
        elif isinstance(node, ArrayObject):
            stack.extend(reversed(node))


def _pdf_strings(reader: Any) -> Iterator[Piece]:
    """A sweep of every text string reachable from the trailer (deny by default)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, TextStringObject

    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, str]] = [(reader.trailer, "")]
    count = 0
    while stack and count < MAX_PDF_OBJECTS:
        obj, path = stack.pop()
        count += 1
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, TextStringObject):
            if str(obj).strip():
                yield Piece(f"PDF data {path or '/'}", str(obj), fallback=True)
        elif isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key not in ("/ID", "/Parent", "/P"):
                    stack.append((value, f"{path}{key}"[-60:]))
        elif isinstance(obj, ArrayObject):
            stack.extend((value, path) for value in obj)


def _embedded(
    filename: str, contents: Any, location: str, name: str, depth: int
) -> Iterator[Piece]:
    """The pieces of a document attached to or embedded in another, when its type is known."""
    fmt = FORMATS.get(PurePosixPath(filename).suffix.lower())
    if fmt is None or depth >= MAX_DEPTH:
        return
    for blob in contents if isinstance(contents, list) else [contents]:
        for piece in extract_bytes(bytes(blob), fmt, f"{name}: {location}", depth + 1):
            where = f"{location}: {piece.location}" if piece.location else location
            yield replace(piece, location=where)


# --- DOCX -----------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FLOW_TYPES = {
    "document.main+xml": "body",
    "template.main+xml": "body",
    "document.macroEnabled.main+xml": "body",
    "template.macroEnabledTemplate.main+xml": "body",
    "wordprocessingml.header+xml": "header",
    "wordprocessingml.footer+xml": "footer",
    "wordprocessingml.footnotes+xml": "footnote",
    "wordprocessingml.endnotes+xml": "endnote",
    "wordprocessingml.comments+xml": "comment",
    "document.glossary+xml": "glossary",
}
_CONTAINERS = {"comment": "comment", "footnote": "footnote", "endnote": "endnote"}
_CORE_FIELDS = (
    "author",
    "title",
    "subject",
    "keywords",
    "comments",
    "category",
    "content_status",
    "identifier",
    "language",
    "last_modified_by",
    "version",
)
_XML_AUTHOR_ATTRS = frozenset({"author", "initials", "userId", "providerId"})


def extract_docx(data: bytes, name: str, depth: int = 0) -> list[Piece]:
    import docx

    if not data.startswith(b"PK"):
        head = data[:1024].lstrip()
        for signature, looks_like in _SIGNATURES:
            if head.startswith(signature):
                raise UnreadableDocument(f"{name}: not a DOCX file: it looks like {looks_like}")
        raise UnreadableDocument(f"{name}: not a DOCX file (not a ZIP package)")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableDocument(f"{name}: not a DOCX file (a damaged ZIP package)") from None
    if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
        raise UnreadableDocument(f"{name}: the DOCX package is too large to check")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds on a non-Word package
        raise UnreadableDocument(
            f"{name}: not a DOCX file (not a Word package: {type(exc).__name__})"
        ) from None
    pieces: list[Piece] = []
    core = document.core_properties
    for field in _CORE_FIELDS:
        value = getattr(core, field, None)
        if value:
            pieces.append(Piece(f"core properties: {field.replace('_', ' ')}", str(value)))
    types = _content_types(package, name)
    try:
        for info in infos:
            if info.is_dir():
                continue
            pieces.extend(_docx_part(package, info.filename, types, name, depth))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UnreadableDocument(f"{name}: cannot read the DOCX package ({exc})") from None
    return pieces


def _content_types(package: zipfile.ZipFile, name: str) -> dict[str, str]:
    try:
        root = parse_xml(package.read("[Content_Types].xml"), f"{name} [Content_Types].xml")
    except KeyError:
        raise UnreadableDocument(f"{name}: not a DOCX file (no [Content_Types].xml)") from None
    types: dict[str, str] = {}
    for el in root:
        if _local(el.tag) == "Default":
            types["." + el.get("Extension", "").lower()] = el.get("ContentType", "")
        elif _local(el.tag) == "Override":
            types[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
    return types


def _part_label(kind: str, filename: str) -> str:
    number = re.search(r"([0-9]+)\.xml$", filename)
    if kind in ("header", "footer"):
        return f"{kind} {number.group(1)}" if number else kind
    return kind


def _docx_part(
    package: zipfile.ZipFile, filename: str, types: dict[str, str], name: str, depth: int
) -> Iterator[Piece]:
    path = PurePosixPath(filename)
    content_type = types.get(filename) or types.get(path.suffix.lower(), "")
    if filename.endswith(".rels"):
        root = parse_xml(package.read(filename), f"{name} {filename}")
        for rel in root:
            if rel.get("TargetMode") == "External" and rel.get("Target"):
                yield Piece(f"link target ({path.name})", rel.get("Target"))
        return
    if path.suffix.lower() == ".docx" and "embeddings" in path.parts:
        yield from _embedded(
            path.name, package.read(filename), f"embedded {path.name}", name, depth
        )
        return
    if not (content_type.endswith("xml") or path.suffix.lower() == ".xml"):
        return  # images, fonts, binaries: see the README's limitations
    root = parse_xml(package.read(filename), f"{name} {filename}")
    flow = next((kind for suffix, kind in _FLOW_TYPES.items() if content_type.endswith(suffix)), "")
    if flow:
        yield from _flow_pieces(root, _part_label(flow, filename), flow)
        yield from _drawing_pieces(root, _part_label(flow, filename))
    elif content_type.endswith("extended-properties+xml"):
        for element, text in _xml_strings(root, frozenset()):
            yield Piece(f"app properties: {element}", text)
    elif content_type.endswith("custom-properties+xml"):
        for prop in root:
            value = "".join(prop.itertext())
            prop_name = prop.get("name", "")
            yield Piece("custom property name", prop_name)
            if value.strip():
                yield Piece(f"custom property: {prop_name}", value)
    elif content_type.endswith("core-properties+xml"):
        for element, text in _xml_strings(root, frozenset()):
            yield Piece(f"core properties: {element}", text, fallback=True)
    else:
        if content_type.endswith("wordprocessingml.settings+xml"):
            for var in root.iter(f"{W}docVar"):
                yield Piece(f"document variable: {var.get(f'{W}name', '')}", var.get(f"{W}val", ""))
        for element, text in _xml_strings(root, _XML_AUTHOR_ATTRS):
            yield Piece(f"{path.name}: {element}", text, fallback=True)


def _paragraph_runs(p: Any) -> tuple[str, str, str]:
    """A paragraph's own text, its tracked deletions and its field codes (nested paragraphs,
    as in text boxes, are left to themselves)."""
    text: list[str] = []
    deleted: list[str] = []
    fields: list[str] = []
    stack = list(reversed(p))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag == f"{W}p":
            continue
        if tag == f"{W}t":
            text.append(el.text or "")
        elif tag == f"{W}delText":
            deleted.append((el.text or "") + " ")
        elif tag == f"{W}instrText":
            fields.append(el.text or "")
        elif tag == f"{W}fldSimple":
            fields.append(el.get(f"{W}instr", "") + " ")
        elif tag == f"{W}tab":
            text.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            text.append("\n")
        elif tag == f"{W}noBreakHyphen":
            text.append("-")
        elif tag == f"{W}softHyphen":
            text.append("\u00ad")
        stack.extend(reversed(el))
    return "".join(text), "".join(deleted), "".join(fields)


def _in_text_box(p: Any, stop: Any) -> bool:
    el = p.getparent()
    while el is not None and el is not stop:
        if el.tag == f"{W}txbxContent":
            return True
        el = el.getparent()
    return False


def _flow_pieces(root: Any, label: str, kind: str) -> Iterator[Piece]:
    """Paragraph text of a body, header, footer or each comment, footnote or endnote."""
    container_tag = _CONTAINERS.get(kind)
    if container_tag:
        containers = [
            c
            for c in root.iter(f"{W}{container_tag}")
            if c.get(f"{W}type") not in ("separator", "continuationSeparator", "continuationNotice")
        ]
    else:
        containers = [root]
    for number, container in enumerate(containers, start=1):
        where = f"{label} {number}" if container_tag else label
        if container_tag:
            for attr in ("author", "initials"):
                value = container.get(f"{W}{attr}")
                if value:
                    yield Piece(f"{where} {attr}", value)
        streams: dict[str, tuple[list[str], list[tuple[int, str]], int]] = {}
        count = 0
        for p in container.iter(f"{W}p"):
            count += 1
            text, deleted, fields = _paragraph_runs(p)
            box = _in_text_box(p, container)
            for stream, value in (
                (f"text box in {where}" if box else where, text),
                (f"tracked deletion in {where}", deleted),
                (f"field code in {where}", fields),
            ):
                if not value:
                    continue
                parts, marks, length = streams.setdefault(stream, ([], [], 0))
                marks.append((length, f"paragraph {count}"))
                parts.append(value + "\n")
                streams[stream] = (parts, marks, length + len(value) + 1)
        for stream, (parts, marks, _) in streams.items():
            yield Piece(stream, "".join(parts), tuple(marks) if not container_tag else ())
        for el in container.iter():
            if el.tag in (f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo", f"{W}rPrChange"):
                author = el.get(f"{W}author")
                if author:
                    yield Piece(f"tracked change author in {where}", author)


def _drawing_pieces(root: Any, label: str) -> Iterator[Piece]:
    """Alt text, titles and names of pictures, shapes and tables."""
    attrs = {"descr": "alt text", "title": "alt text title", "name": "picture name"}
    for el in root.iter():
        tag = _local(el.tag)
        if tag in ("docPr", "cNvPr"):
            for attr, what in attrs.items():
                value = el.get(attr)
                if value:
                    yield Piece(f"{what} in {label}", value)
        elif tag in ("shape", "imagedata", "rect", "roundrect", "oval"):
            for key, value in el.attrib.items():
                if _local(key) in ("alt", "title") and value:
                    yield Piece(f"alt text in {label}", value)
        elif el.tag in (f"{W}tblCaption", f"{W}tblDescription"):
            value = el.get(f"{W}val")
            if value:
                yield Piece(f"table alt text in {label}", value)
