"""Pure readers for case-pool files (no Django).

Ofsted Annex A workbooks (.xlsx, every list) and single Annex A lists as CSV, DfE Children
in Need census XML, and the plain case-pool CSV described in ``maca/sampling/README.md``.

    result = read_file("Annex_A.xlsx", pseudonymise=my_keyed_hash)
    if result.errors: ...            # refuse: every problem has sheet, row, column, value
    for child in result.records.values(): ...

or lazily, for big files (the same child may come several times: merge or upsert):

    with open_reader(path, progress=report) as reader:
        for row in reader: ...
    reader.summary.counts, reader.summary.warnings, reader.summary.errors
"""

from .base import CaseReader, Progress, Source
from .model import (
    EVENT_KINDS,
    EVENT_LABELS,
    ChildRecord,
    Event,
    ImportResult,
    Problem,
    RowRecord,
    Summary,
    UnreadableFile,
)
from .normalise import CATEGORY_CODES, ETHNICITY_CODES, SEX_CODES
from .reader import FORMATS, Format, Merger, detect_format, open_reader, read_file

__all__ = [
    "CATEGORY_CODES",
    "ETHNICITY_CODES",
    "EVENT_KINDS",
    "EVENT_LABELS",
    "FORMATS",
    "SEX_CODES",
    "CaseReader",
    "ChildRecord",
    "Event",
    "Format",
    "ImportResult",
    "Merger",
    "Problem",
    "Progress",
    "RowRecord",
    "Source",
    "Summary",
    "UnreadableFile",
    "detect_format",
    "open_reader",
    "read_file",
]
