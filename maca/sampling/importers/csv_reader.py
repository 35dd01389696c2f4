"""CSV files: a single Annex A list, or the plain case-pool CSV (see README.md).

Read line by line with the csv module. The encoding is found by one streaming pass first:
UTF-8 (with or without a byte-order mark) if the whole file decodes as UTF-8, otherwise
Windows-1252.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Generator, Iterator
from itertools import islice
from typing import IO

from .base import CaseReader, Progress, Source
from .cells import Context, Pseudonymise
from .model import RowRecord, UnreadableFile
from .normalise import cell_text
from .tables import (
    HEADER_SEARCH_ROWS,
    ListRowParser,
    PlainRowParser,
    identify_list,
)

CHUNK = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
CSV_DATE_EXPECTED = "dd/mm/yyyy or yyyy-mm-dd"


def detect_encoding(stream: IO[bytes]) -> tuple[str, str]:
    """("utf-8-sig" or "cp1252", the first chunk of text). Reads the stream once, rewinds it.

    Raises UnreadableFile for an empty file, binary data, UTF-16 text, or text that is
    neither UTF-8 nor Windows-1252.
    """
    stream.seek(0)
    first = stream.read(CHUNK)
    if not first.strip():
        raise UnreadableFile("the file is empty")
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile("UTF-16 text is not supported: save the file as CSV UTF-8")
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp1252_ok = True
    chunk = first
    head = ""
    while chunk:
        if b"\x00" in chunk:
            raise UnreadableFile("the file holds binary data, not CSV text")
        if utf8_ok:
            try:
                text = utf8.decode(chunk)
                head = head or text
            except UnicodeDecodeError:
                utf8_ok = False
        if cp1252_ok:
            try:
                text = cp1252.decode(chunk)
                if not utf8_ok and not head:
                    head = text
            except UnicodeDecodeError:
                cp1252_ok = False
        if not utf8_ok and not cp1252_ok:
            break
        chunk = stream.read(CHUNK)
    stream.seek(0)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        return "utf-8-sig", head
    if cp1252_ok:
        return "cp1252", first.decode("cp1252")
    raise UnreadableFile("the file is neither UTF-8 nor Windows-1252 text")


def sniff_delimiter(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


class CsvReader(CaseReader):
    """A CSV holding one Annex A list (recognised by its headers or its file name, e.g.
    "List 3.csv"), or the plain case-pool CSV. With ``annex_a_only`` a plain CSV is refused."""

    format = "csv"

    def __init__(
        self,
        source: Source,
        *,
        pseudonymise: Pseudonymise | None = None,
        progress: Progress | None = None,
        today: dt.date | None = None,
        annex_a_only: bool = False,
    ) -> None:
        super().__init__(source, pseudonymise=pseudonymise, progress=progress, today=today)
        try:
            self.encoding, head_text = detect_encoding(self.stream)
            self.delimiter = sniff_delimiter(head_text)
            reader = self._reader()
            head = list(islice(reader, HEADER_SEARCH_ROWS))
            reader.close()
            self.parser, self.header_row = self._choose(head, annex_a_only)
        except UnreadableFile:
            self.close()
            raise
        except csv.Error as exc:
            self.close()
            raise UnreadableFile(f"not a readable CSV file: {exc}") from exc

    def _reader(self) -> Generator[list[str], None, None]:
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        try:
            yield from csv.reader(text, delimiter=self.delimiter)
        finally:
            text.detach()  # leave the binary stream open: we (or the caller) close it

    def _context(self) -> Context:
        return Context(
            "csv",
            "CSV",
            self.summary,
            self.today,
            self.pseudonymise,
            date_expected=CSV_DATE_EXPECTED,
        )

    def _choose(
        self, head: list[list[str]], annex_a_only: bool
    ) -> tuple[ListRowParser | PlainRowParser | None, int]:
        ctx = self._context()
        found = identify_list(self.name, head)
        spec = found.spec
        if spec is not None:
            self.format = self.summary.format = "annex-a"
            if not spec.used:
                ctx.report(
                    "note",
                    None,
                    None,
                    None,
                    f"{spec.name} ({spec.subject}) is not used by the case pool; skipped",
                )
                return None, 0
            if found.header_index is None:
                raise UnreadableFile(
                    f"no header row with a child ID column in the first {HEADER_SEARCH_ROWS} rows"
                )
            header_row = found.header_index + 1
            parser = ListRowParser(ctx, found.headers, spec)
            for column in parser.missing_required():
                ctx.report(
                    "error",
                    header_row,
                    None,
                    None,
                    f'{spec.name} has no "{column.label}" column',
                    f'a header such as "{column.label}"',
                )
            if parser.missing_required():
                return None, header_row
            return parser, header_row
        if annex_a_only:
            raise UnreadableFile("the CSV's headers are not those of an Annex A list")
        if not head:
            raise UnreadableFile("the file is empty")
        plain = PlainRowParser(ctx, head[0])
        if not plain.has("child_id"):
            raise UnreadableFile(
                'no child ID column: expected "child_id" (the plain case-pool CSV) or the '
                'headers of an Annex A list such as "Child Unique ID"'
            )
        if plain.has("event") != plain.has("event_date"):
            missing = "event_date" if plain.has("event") else "event"
            ctx.report(
                "error",
                1,
                None,
                None,
                f'there is no "{missing}" column',
                'both "event" and "event_date" columns, or neither',
            )
            return None, 1
        for header in plain.unused_headers():
            ctx.report("note", 1, header, None, "is not a column of the plain CSV; ignored")
        return plain, 1

    def _rows(self) -> Iterator[RowRecord]:
        parser = self.parser
        if parser is None:
            return
        name = parser.source
        self.summary.counts.setdefault(name, 0)
        try:
            rows = islice(self._reader(), self.header_row, None)
            for number, values in enumerate(rows, start=self.header_row + 1):
                if all(not cell_text(value) for value in values):
                    continue
                self._count(name)
                self._tick()
                record = parser.parse(values, number)
                if record is not None:
                    yield record
        except csv.Error as exc:
            raise UnreadableFile(f"not a readable CSV file: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"the file's text encoding changed part-way: {exc}") from exc
