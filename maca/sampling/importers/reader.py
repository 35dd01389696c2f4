"""Format detection and the two ways to read a file: lazily, or whole and merged."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from typing import Literal
from xml.parsers import expat

from .annex_a import AnnexAWorkbookReader
from .base import CaseReader, Progress, Source, open_binary, source_name
from .cells import Pseudonymise
from .cin_census import CinCensusReader, local_name
from .csv_reader import CsvReader, sniff_delimiter
from .model import ChildRecord, ImportResult, Problem, RowRecord, UnreadableFile
from .tables import identify_list

Format = Literal["annex-a", "cin-census", "csv"]
FORMATS: tuple[Format, ...] = ("annex-a", "cin-census", "csv")
HEAD_BYTES = 1 << 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _head(source: Source) -> bytes:
    stream, owned = open_binary(source)
    try:
        stream.seek(0)
        head = stream.read(HEAD_BYTES)
        stream.seek(0)
        return head
    finally:
        if owned:
            stream.close()


def _is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def _check_workbook(source: Source) -> None:
    stream, owned = open_binary(source)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise UnreadableFile(f"a damaged zip archive, not a readable workbook: {exc}") from exc
    finally:
        if owned:
            stream.close()
        else:
            stream.seek(0)
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("a zip archive, but not an Excel workbook (.xlsx)")


def _xml_root(head: bytes) -> str | None:
    """The root element's name, from the first bytes of an XML document."""
    found: list[str] = []
    parser = expat.ParserCreate()

    def start(name: str, _attrs: dict[str, str]) -> None:
        found.append(local_name(name))
        raise StopIteration

    parser.StartElementHandler = start
    try:
        parser.Parse(head, False)
    except StopIteration:
        pass
    except expat.ExpatError as exc:
        raise UnreadableFile(f"not well-formed XML: {exc}") from exc
    return found[0] if found else None


def detect_format(source: Source) -> Format:
    """ "annex-a" (an xlsx workbook, or a CSV with an Annex A list's headers), "cin-census"
    (XML whose root is ``<Message>``) or "csv" (the plain case-pool CSV).

    Raises UnreadableFile for empty, damaged or unrecognised files.
    """
    head = _head(source)
    if not head.strip():
        raise UnreadableFile("the file is empty")
    if _is_zip(head):
        _check_workbook(source)
        return "annex-a"
    if head.startswith(OLE_MAGIC):
        raise UnreadableFile(
            "an old-style .xls workbook (or a password-protected one): save it as .xlsx"
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile("UTF-16 text is not supported: save the file as CSV UTF-8")
    if b"\x00" in head:
        raise UnreadableFile("the file holds binary data this importer does not recognise")
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"<"):
        root = _xml_root(head)
        if root == "Message":
            return "cin-census"
        raise UnreadableFile(f"XML, but not a CIN census return (its root is <{root}>)")
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:10]
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sniff_delimiter(text)))
    if identify_list(source_name(source), rows).spec is not None:
        return "annex-a"
    return "csv"


def open_reader(
    source: Source,
    format: Format | None = None,
    *,
    pseudonymise: Pseudonymise | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> CaseReader:
    """A lazy reader: iterate it for ``RowRecord``s, then read its ``summary``.

    ``format`` is detected when not given. ``pseudonymise`` turns a council child ID into
    the ID to keep (the raw ID is then never stored in a record). ``progress`` is called as
    ``progress(rows_done, rows_total_or_None)`` every 1,000 rows and at the end. ``today``
    (default: today) is the latest date an event can have.
    """
    fmt = format or detect_format(source)
    options = {"pseudonymise": pseudonymise, "progress": progress, "today": today}
    if fmt == "annex-a":
        if _is_zip(_head(source)):
            return AnnexAWorkbookReader(source, **options)  # type: ignore[arg-type]
        return CsvReader(source, annex_a_only=True, **options)  # type: ignore[arg-type]
    if fmt == "cin-census":
        return CinCensusReader(source, **options)  # type: ignore[arg-type]
    if fmt == "csv":
        return CsvReader(source, **options)  # type: ignore[arg-type]
    raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")


def _origin(row: RowRecord) -> str:
    if row.kind == "sheet":
        return f'Sheet "{row.sheet}", row {row.row}'
    return f"{row.sheet} {'line' if row.kind == 'xml' else 'row'} {row.row}"


def _show(value: object, kind: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat() if kind == "xml" else value.strftime("%d/%m/%Y")
    return str(value)


_FIELD_LABELS = {"date_of_birth": "date of birth", "sex": "sex", "ethnicity": "ethnicity"}


class Merger:
    """Merges row records into one ``ChildRecord`` per child.

    The first non-empty date of birth, sex and ethnicity win; a different value later gives
    a warning at that later cell. Events are united (one per kind and date).
    """

    def __init__(self) -> None:
        self.records: dict[str, ChildRecord] = {}
        self._origins: dict[tuple[str, str], str] = {}

    def add(self, row: RowRecord) -> list[Problem]:
        record = row.record
        child_id = record.child_id
        existing = self.records.get(child_id)
        problems: list[Problem] = []
        for name, label in _FIELD_LABELS.items():
            new = getattr(record, name)
            old = getattr(existing, name) if existing is not None else None
            if new is None:
                continue
            if old is None:
                self._origins[(child_id, name)] = _origin(row)
            elif old != new:
                problems.append(
                    Problem(
                        "warning",
                        row.kind,
                        row.sheet,
                        row.row,
                        row.columns.get(name, label),
                        _show(new, row.kind),
                        f"differs from {_show(old, row.kind)} given in "
                        f"{self._origins.get((child_id, name), 'an earlier row')}; "
                        "the first is kept",
                        f"the same {label} everywhere the child appears",
                    )
                )
        self.records[child_id] = record if existing is None else existing.merged(record)
        return problems


def read_file(
    source: Source,
    format: Format | None = None,
    *,
    pseudonymise: Pseudonymise | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a whole file and merge it: one record per child, counts and every problem.

    Nothing is refused here: the caller refuses the file when ``result.errors`` is not empty.
    Raises UnreadableFile for a file that is not what it claims to be.
    """
    reader = open_reader(source, format, pseudonymise=pseudonymise, progress=progress, today=today)
    merger = Merger()
    summary = reader.summary
    for row in reader:
        for problem in merger.add(row):
            summary.add(problem)
    return ImportResult(
        format=reader.format,
        counts=summary.counts,
        warnings=summary.warnings,
        errors=summary.errors,
        notes=summary.notes,
        records=merger.records,
    )
