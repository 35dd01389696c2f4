"""Ofsted Annex A workbooks (.xlsx, all lists).

Read with python-calamine (Rust) when it is installed and the file is not huge: about ten
times faster than openpyxl, with its cell values converted to what openpyxl gives (whole numbers
as int, empty cells as None; dates stay dates, read alike), so both give the same pool and the
same messages. calamine holds a whole sheet in memory and reads Excel errors ("#N/A") as
blanks, so a workbook over ``CALAMINE_MAX_BYTES``, one with error cells, and any file calamine
cannot open are streamed with openpyxl's read-only mode instead (which also words the errors
for damaged files). The scan for error cells runs while calamine loads the sheets; the quiet
rows of a calamine sheet are built by ``quick_rows.QuickRows``, every other row by the parser.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import threading
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .base import PROGRESS_EVERY, CaseReader, Progress, Source
from .cells import Context, Pseudonymise
from .model import RowRecord, UnreadableFile
from .normalise import EXCEL_1900, cell_text
from .quick_rows import QuickRows, shortcut
from .tables import HEADER_SEARCH_ROWS, ListRowParser, ListSpec, identify_list


def _guarded(rows: Iterator[Any], title: str) -> Iterator[Any]:
    """The sheet's rows; anything openpyxl, zipfile or the XML parser raises while reading a
    damaged file becomes UnreadableFile (our own row parsing is not wrapped)."""
    # Only the reading is inside the try: an exception in the consumer's own code is raised
    # there, never thrown into this generator.
    try:
        yield from rows
    except Exception as exc:  # damaged archives raise many kinds (zlib, zipfile, XML...)
        raise UnreadableFile(f'sheet "{title}" could not be read: {exc}') from exc


CALAMINE_MAX_BYTES = 64 * 1024 * 1024  # compressed size: roughly a million rows of List 3
EXCEL_1904 = dt.datetime(1904, 1, 1)
_DATE_1904 = re.compile(rb"""date1904\s*=\s*["'](1|true)["']""")


class _CalamineSheet:
    """The little of openpyxl's read-only worksheet the reader uses, over a calamine sheet."""

    def __init__(self, sheet: Any) -> None:
        self.title = sheet.name
        self._sheet = sheet
        # calamine pads the rows above the used range but not the columns left of it.
        self._skipped_columns = (None,) * (sheet.start[1] if sheet.start else 0)
        self.max_row = sheet.end[0] + 1 if sheet.end else 0

    def reset_dimensions(self) -> None:
        """calamine reads every row there is: nothing to reset."""

    def iter_rows(self, min_row: int = 1, values_only: bool = True) -> Iterator[tuple[object, ...]]:
        # Cell values as openpyxl gives them (whole numbers as int, empty text as None), except
        # that a date cell stays a date: every reader treats a date and a midnight datetime
        # alike (same value, same text in messages), and making a datetime of every date cell
        # was a noticeable part of reading a big sheet.
        pad = self._skipped_columns
        for values in self.raw_rows(min_row):
            row = converted(values)
            yield pad + row if pad else row

    def raw_rows(self, min_row: int = 1) -> Iterator[list[Any]]:
        """calamine's own rows from ``min_row`` on (no padding, cells as calamine gives them)."""
        return islice(self._sheet.iter_rows(), min_row - 1, None)

    def quick(self, parser: Any) -> QuickRows | None:
        """The quiet-row shortcut for this sheet's list rows, where it applies."""
        if self._skipped_columns or not isinstance(parser, ListRowParser):
            return None
        return shortcut(parser, self._sheet.width)


def converted(values: list[Any]) -> tuple[object, ...]:
    """One calamine row as openpyxl gives it (see ``cell_value``), inlined: once per row."""
    str_, float_ = str, float
    return tuple(
        [
            (value or None)
            if (kind := value.__class__) is str_
            else (int(value) if value.is_integer() else value)
            if kind is float_
            else value
            for value in values
        ]
    )


class _CalamineWorkbook:
    def __init__(self, stream: Any) -> None:
        from python_calamine import CalamineWorkbook

        self.epoch = EXCEL_1904 if _is_1904(stream) else EXCEL_1900
        stream.seek(0)
        data = stream.read()  # (at most CALAMINE_MAX_BYTES) shared by calamine and the scan
        self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # calamine loads the sheets without holding the GIL, so the scan for error cells runs
        # meanwhile in a thread, over its own view of the same bytes.
        scan = _ErrorScan(io.BytesIO(data))
        del data
        scan.start()
        try:
            self.worksheets = [
                _CalamineSheet(self._book.get_sheet_by_name(name))
                for name in self._book.sheet_names
            ]
        finally:
            scan.join()
        self.has_error_cells = scan.found
        self._by_title = {sheet.title: sheet for sheet in self.worksheets}

    def __getitem__(self, title: str) -> _CalamineSheet:
        return self._by_title[title]

    def close(self) -> None:
        self._book.close()


class _ErrorScan(threading.Thread):
    """``_has_error_cells`` in a thread; ``found`` is True also when the scan failed (the
    workbook then goes to openpyxl, which words the error if the file is damaged)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(name="maca-xlsx-error-scan", daemon=True)
        self.stream = stream
        self.found = True

    def run(self) -> None:
        with contextlib.suppress(Exception):  # found stays True: openpyxl reads the file
            self.found = _has_error_cells(self.stream)


def _is_1904(stream: Any) -> bool:
    """Whether the workbook counts dates from 1904 (old Mac Excel), read from workbook.xml."""
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        return bool(_DATE_1904.search(archive.read("xl/workbook.xml")))


_ERROR_CELL = re.compile(rb"""\bt\s*=\s*["']e["']""")


def _has_error_cells(stream: Any) -> bool:
    """Whether any sheet holds an Excel error ("#N/A"): calamine reads those as blanks, so the
    messages would differ ("is blank" instead of ""#N/A" is not a value")."""
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    # The regex only where an 'e' value could be: `in` is far faster, and a
                    # one-byte search for a single quote (rare in sheet XML) mostly saves the
                    # second. The seam (the last 16 bytes before this chunk and its first two)
                    # holds any quoted e that this chunk alone does not.
                    seam = tail + chunk[:2]
                    if (
                        b'"e"' in chunk
                        or (b"'" in chunk and b"'e'" in chunk)
                        or b'"e"' in seam
                        or b"'e'" in seam
                    ) and _ERROR_CELL.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _size(stream: Any) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        position = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(position)
        return int(size)


def _open_calamine(stream: Any) -> _CalamineWorkbook | None:
    """The workbook through calamine, or None to use openpyxl (big, damaged, unsupported or
    with error cells)."""
    try:
        if _size(stream) > CALAMINE_MAX_BYTES:
            return None
        workbook = _CalamineWorkbook(stream)
        if workbook.has_error_cells:
            workbook.close()
            return None
        return workbook
    except Exception:  # any failure: openpyxl reads it, or words the error
        return None
    finally:
        stream.seek(0)


def is_blank_row(values: tuple[object, ...]) -> bool:
    """Whether every cell reads as blank (None and whitespace-only text are the usual ones)."""
    for value in values:
        if value is None:
            continue
        if value.__class__ is str:
            if value.strip():
                return False
            continue
        if cell_text(value):
            return False
    return True


@dataclass
class _SheetPlan:
    title: str
    spec: ListSpec
    header_row: int  # spreadsheet row number of the header row
    parser: ListRowParser
    rows: int | None  # data rows, from the sheet's recorded dimensions (None when unknown)


class AnnexAWorkbookReader(CaseReader):
    """Every list sheet of an Annex A workbook; lists the pool does not use get a note."""

    format = "annex-a"

    def __init__(
        self,
        source: Source,
        *,
        pseudonymise: Pseudonymise | None = None,
        progress: Progress | None = None,
        today: dt.date | None = None,
        use_calamine: bool = True,
        quick_rows: bool = True,
    ) -> None:
        super().__init__(source, pseudonymise=pseudonymise, progress=progress, today=today)
        self.quick_rows = quick_rows  # False: every row through the row parser (for tests)
        self.workbook: Any = _open_calamine(self.stream) if use_calamine else None
        if self.workbook is None:
            import openpyxl  # only imported when needed: it is slow to import

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
                    self.workbook = openpyxl.load_workbook(
                        self.stream, read_only=True, data_only=True
                    )
            except Exception as exc:  # openpyxl raises many kinds for a damaged file
                self.close()
                raise UnreadableFile(f"not a readable Excel workbook: {exc}") from exc
        try:
            self.plans = self._plan()
        except UnreadableFile:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise UnreadableFile(f"the workbook could not be read: {exc}") from exc

    def _context(self, title: str) -> Context:
        epoch = getattr(self.workbook, "epoch", EXCEL_1900)
        return Context("sheet", title, self.summary, self.today, self.pseudonymise, epoch=epoch)

    def _plan(self) -> list[_SheetPlan]:
        plans: list[_SheetPlan] = []
        recognised = 0
        for sheet in self.workbook.worksheets:
            title = str(sheet.title)
            ctx = self._context(title)
            # Recorded dimensions can be wrong (some exporters write "A1" or a stale range)
            # and openpyxl stops at them: keep the count for progress, then read every row.
            recorded_rows = getattr(sheet, "max_row", None)
            sheet.reset_dimensions()
            head = [
                tuple(row) for row in islice(sheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS)
            ]
            found = identify_list(title, head)
            spec = found.spec
            if spec is None:
                if any(not is_blank_row(row) for row in head):
                    ctx.report("note", None, None, None, "is not an Annex A list; skipped")
                continue
            recognised += 1
            if not spec.used:
                ctx.report(
                    "note",
                    None,
                    None,
                    None,
                    f"{spec.name} ({spec.subject}) is not used by the case pool; skipped",
                )
                continue
            if found.header_index is None:
                if any(not is_blank_row(row) for row in head):
                    ctx.report(
                        "error",
                        None,
                        None,
                        None,
                        f"has no header row with a child ID column in its first "
                        f"{HEADER_SEARCH_ROWS} rows",
                        '"Child Unique ID" and the other Annex A headers',
                    )
                else:
                    ctx.report("note", None, None, None, f"{spec.name} is empty; skipped")
                continue
            header_row = found.header_index + 1
            parser = ListRowParser(ctx, found.headers, spec)
            missing = parser.missing_required()
            if missing:
                for column in missing:
                    ctx.report(
                        "error",
                        header_row,
                        None,
                        None,
                        f'{spec.name} has no "{column.label}" column',
                        f'a header such as "{column.label}"'
                        + (f' or "{column.aliases[0]}"' if column.aliases else ""),
                    )
                continue
            rows = max(recorded_rows - header_row, 0) if isinstance(recorded_rows, int) else None
            plans.append(_SheetPlan(title, spec, header_row, parser, rows))
        if not recognised:
            titles = ", ".join(f'"{sheet.title}"' for sheet in self.workbook.worksheets)
            raise UnreadableFile(f"no Annex A list found in the workbook (sheets: {titles})")
        return plans

    @property
    def rows_total(self) -> int | None:
        if any(plan.rows is None for plan in self.plans):
            return None
        return sum(plan.rows or 0 for plan in self.plans)

    def _rows(self) -> Iterator[RowRecord]:
        counts = self.summary.counts
        for plan in self.plans:
            name = plan.spec.name
            counts.setdefault(name, 0)
            sheet = self.workbook[plan.title]
            parse = plan.parser.parse
            first = plan.header_row + 1
            quick = (
                sheet.quick(plan.parser)
                if self.quick_rows and isinstance(sheet, _CalamineSheet)
                else None
            )
            if quick is None:
                rows: Iterator[Any] = sheet.iter_rows(min_row=first, values_only=True)
            else:
                rows = sheet.raw_rows(first)
            for number, values in enumerate(_guarded(rows, plan.title), start=first):
                # A quiet row's record straight from calamine's cells; any other row (and
                # every row of an openpyxl sheet) through the row parser, as before.
                record = quick(values, number) if quick is not None else None
                if record is None:
                    if quick is not None:
                        values = converted(values)
                    if is_blank_row(values):
                        continue
                counts[name] += 1
                self._rows_done += 1  # _tick(), inline: this loop runs once per row
                if self._rows_done % PROGRESS_EVERY == 0:
                    self._report_progress()
                if record is None:
                    record = parse(values, number)
                    if record is None:
                        continue
                yield record

    def close(self) -> None:
        workbook = getattr(self, "workbook", None)
        if workbook is not None:
            workbook.close()
        super().close()
