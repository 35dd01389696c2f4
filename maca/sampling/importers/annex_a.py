"""Ofsted Annex A workbooks (.xlsx, all lists), streamed with openpyxl's read-only mode."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .base import CaseReader, Progress, Source
from .cells import Context, Pseudonymise
from .model import RowRecord, UnreadableFile
from .normalise import EXCEL_1900, cell_text
from .tables import HEADER_SEARCH_ROWS, ListRowParser, ListSpec, identify_list


def _guarded(rows: Iterator[tuple[object, ...]], title: str) -> Iterator[tuple[object, ...]]:
    """The sheet's rows; anything openpyxl, zipfile or the XML parser raises while reading a
    damaged file becomes UnreadableFile (our own row parsing is not wrapped)."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # damaged archives raise many kinds (zlib, zipfile, XML...)
            raise UnreadableFile(f'sheet "{title}" could not be read: {exc}') from exc
        yield tuple(values)


def is_blank_row(values: tuple[object, ...]) -> bool:
    return all(cell_text(value) == "" for value in values)


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
    ) -> None:
        super().__init__(source, pseudonymise=pseudonymise, progress=progress, today=today)
        import openpyxl

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
                self.workbook: Any = openpyxl.load_workbook(
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
        for plan in self.plans:
            self.summary.counts.setdefault(plan.spec.name, 0)
            sheet = self.workbook[plan.title]
            for number, values in enumerate(
                _guarded(
                    sheet.iter_rows(min_row=plan.header_row + 1, values_only=True), plan.title
                ),
                start=plan.header_row + 1,
            ):
                if is_blank_row(values):
                    continue
                self._count(plan.spec.name)
                self._tick()
                record = plan.parser.parse(values, number)
                if record is not None:
                    yield record

    def close(self) -> None:
        workbook = getattr(self, "workbook", None)
        if workbook is not None:
            workbook.close()
        super().close()
