"""The reader interface shared by every format: a single pass over row records."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from .cells import Pseudonymise
from .model import RowRecord, Summary

Progress = Callable[[int, int | None], None]
Source = str | os.PathLike[str] | IO[bytes]
PROGRESS_EVERY = 1000  # rows between progress calls


def source_name(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "")).name


def open_binary(source: Source) -> tuple[IO[bytes], bool]:
    """(binary stream, whether we opened it and must close it). Streams must be seekable."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True  # closed by the reader
    if not source.seekable():
        raise TypeError("the file object must be seekable")
    return source, False


class CaseReader:
    """Reads one file, yielding one ``RowRecord`` per row (list row, CSV row, XML child).

    Iterate once; the ``summary`` (counts, warnings, errors, notes) is complete when the
    iteration ends. The same child can be yielded several times (e.g. once per Annex A list
    it is on): merge with ``Merger`` or ``ChildRecord.merged``. May raise ``UnreadableFile``
    while iterating if the file turns out to be corrupt part-way through.
    """

    format = ""

    def __init__(
        self,
        source: Source,
        *,
        pseudonymise: Pseudonymise | None = None,
        progress: Progress | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.name = source_name(source)
        self.stream, self._owned = open_binary(source)
        self.pseudonymise = pseudonymise
        self.progress = progress
        self.today = today or dt.date.today()
        self.summary = Summary(self.format)
        self._rows_done = 0
        self._started = False

    # progress
    @property
    def rows_total(self) -> int | None:
        return None

    def _report_progress(self) -> None:
        if self.progress is not None:
            total = self.rows_total
            # A total from a file's own metadata is an estimate: never report done > total.
            self.progress(
                self._rows_done, None if total is None or total < self._rows_done else total
            )

    def _tick(self) -> None:
        self._rows_done += 1
        if self._rows_done % PROGRESS_EVERY == 0:
            self._report_progress()

    def _done(self) -> None:
        self._report_progress()

    def _count(self, name: str) -> None:
        self.summary.counts[name] = self.summary.counts.get(name, 0) + 1

    # iteration
    def __iter__(self) -> Iterator[RowRecord]:
        if self._started:
            raise RuntimeError("a reader can be iterated only once")
        self._started = True
        try:
            yield from self._rows()
            self._done()
        finally:
            self.close()

    def _rows(self) -> Iterator[RowRecord]:
        raise NotImplementedError

    def close(self) -> None:
        if self._owned:
            self.stream.close()

    def __enter__(self) -> CaseReader:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
