"""The quiet-row shortcut of calamine sheets gives exactly what the row parser gives.

Each workbook is read three ways: calamine with the shortcut (the default), calamine with
every row through the row parser, and openpyxl. The row records (in order), every message (in
order), the counts and the progress calls must be the same; messy workbooks hold a value of
every kind the parser reports on, so a message the shortcut dropped would show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ERROR_CODES

from maca.sampling.importers import annex_a, quick_rows
from maca.sampling.importers.annex_a import AnnexAWorkbookReader
from maca.sampling.importers.model import ChildRecord, Event, RowRecord
from maca.sampling.importers.tables import ListRowParser

TODAY = dt.date(2026, 11, 26)

IDS_GOOD: list[Any] = ["C1", "C2", "N77", " C9 ", "-12", 1234, 5678.0, 12.5]
IDS_BAD: list[Any] = [None, "", "  ", "n/a", "N/A", "-", "#N/A", True]
SEXES: list[Any] = ["a) Male", "F", "M", "b) Female", None, "Martian", 1, True, "n/a"]
ETHNICITIES: list[Any] = ["a) WBRI", "WBRI", "White British", None, "xx", "#REF!", " a) WBRI"]
BIRTHS: list[Any] = [
    dt.date(2015, 3, 4),
    dt.datetime(2015, 3, 4),
    dt.datetime(2015, 3, 4, 10, 30),
    "04/03/2015",
    "2016-05-06",
    "31/02/2015",
    None,
    dt.date(2027, 2, 1),  # expected date of birth: kept with a warning
    dt.date(2030, 1, 1),
    dt.date(1905, 1, 1),
    42000,
    "two",
]
AGES: list[Any] = [3, 1.5, None, "two", 45, 0]
DATES: list[Any] = [
    dt.date(2022, 1, 5),
    dt.date(2023, 6, 1),
    dt.datetime(2022, 1, 5, 9, 0),
    "05/01/2022",
    44600,
    44600.0,
    dt.date(2013, 1, 1),  # long before most births
    dt.date(2027, 1, 1),  # in the future
    dt.date(1905, 1, 1),
    None,
    "n/a",
    "#REF!",
    "bad",
    True,
]
TEAMS: list[Any] = ["T1", "T2", None, "n/a", "#N/A", 12, " T1 "]
CATEGORIES: list[Any] = ["Neglect", "NEG", "b) Physical abuse", None, "bogus", "n/a"]
ANSWERS: list[Any] = ["No", "Yes", "a) Yes", None, "maybe", True, False]

HEADERS = {
    "List 3": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Date of Referral",
        "Date of Referral Decision",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 5": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Age of Child (Years)",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Date of Initial Child Protection Conference",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Allocated Team",
    ],
    "List 7": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Allocated Team",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Child Protection Plan End Date",
        "Latest Category of Abuse",
        "Date of latest review conference",
    ],
}
POOLS = {
    "Child Unique ID": IDS_GOOD,
    "Gender": SEXES,
    "Ethnicity": ETHNICITIES,
    "Date of Birth": BIRTHS,
    "Age of Child (Years)": AGES,
    "Allocated Team": TEAMS,
    "Allocated Worker": ["W1", None],
    "Initial Category of Abuse": CATEGORIES,
    "Latest Category of Abuse": CATEGORIES,
    "Was an Initial Child Protection Conference deemed unnecessary?": ANSWERS,
}


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook whose text cells stay text ("#N/A" typed as text is not an error cell: it
    keeps the workbook on calamine, and the parser reports it as a value)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        _as_text(sheet)
    workbook.save(path)
    return path


def _as_text(sheet: Any) -> None:
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.value in ERROR_CODES:
                cell.data_type = "s"


def _read(path: Path, **options: Any) -> dict[str, Any]:
    calls: list[tuple[int, int | None]] = []
    reader = AnnexAWorkbookReader(
        path, today=TODAY, progress=lambda done, total: calls.append((done, total)), **options
    )
    rows = list(reader)
    summary = reader.summary
    return {
        "rows": rows,
        "problems": [str(p) for p in (*summary.errors, *summary.warnings, *summary.notes)],
        "counts": summary.counts,
        "progress": calls,
    }


def _three_ways(path: Path) -> dict[str, Any]:
    """The shortcut's outcome, checked equal to the row parser's and openpyxl's."""
    assert annex_a._open_calamine(path.open("rb")) is not None  # calamine reads this file
    quick = _read(path)
    parsed = _read(path, quick_rows=False)
    assert quick["problems"] == parsed["problems"]
    assert quick["rows"] == parsed["rows"]
    assert quick == parsed
    by_openpyxl = _read(path, use_calamine=False)
    assert by_openpyxl["problems"] == quick["problems"]
    assert [r.record for r in by_openpyxl["rows"]] == [r.record for r in quick["rows"]]
    return quick


def _count_parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    parsed: list[int] = []
    real = ListRowParser.parse
    monkeypatch.setattr(
        ListRowParser,
        "parse",
        lambda self, values, row: parsed.append(row) or real(self, values, row),
    )
    return parsed


def _rows(title: str, count: int, seed: int, bad: float) -> list[list[Any]]:
    """``count`` rows of the list; about ``bad`` of the cells drawn from every value there is
    (good and bad), the others plain good values."""
    rng = random.Random(seed)
    headers = HEADERS[title]
    rows: list[list[Any]] = [list(headers)]
    for n in range(count):
        row = []
        for header in headers:
            pool = POOLS.get(header, DATES)
            if header == "Child Unique ID":
                value = rng.choice(IDS_BAD) if rng.random() < bad / 3 else f"C{n % 50}"
            elif rng.random() < bad:
                value = rng.choice(pool)
            else:
                value = pool[0] if header != "Date of Referral Decision" else None
            row.append(value)
        rows.append(row)
    return rows


def test_a_clean_sheet_takes_the_shortcut_for_every_row_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(
        tmp_path / "clean.xlsx",
        {title: _rows(title, 300, seed, bad=0) for seed, title in enumerate(HEADERS)},
    )
    outcome = _three_ways(path)
    assert outcome["problems"] == [] and len(outcome["rows"]) == 900
    parsed = _count_parsed(monkeypatch)
    assert _read(path)["rows"] == outcome["rows"]
    assert parsed == []  # not one row needed the row parser


@pytest.mark.parametrize("bad", [0.05, 0.3, 1.0])
@pytest.mark.parametrize("memo_limit", [1, 200_000])
def test_a_messy_sheet_gives_every_message_and_record_of_the_row_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: float, memo_limit: int
) -> None:
    """Every kind of value the parser reports on, mixed with quiet rows; with a memo of one
    value too (each new value then read again and again)."""
    monkeypatch.setattr(quick_rows, "MEMO_LIMIT", memo_limit)
    sheets = {title: _rows(title, 400, seed, bad) for seed, title in enumerate(HEADERS)}
    sheets["List 3"].insert(3, [None] * 9)  # a blank row is skipped either way
    path = _workbook(tmp_path / "messy.xlsx", sheets)
    outcome = _three_ways(path)
    text = "\n".join(outcome["problems"])
    for message in (
        "is blank",
        "is not a recognised sex",
        "is more than 40 weeks before the date of birth",
        "is in the future",
        "is not a date",
        "is not a value",
    ):
        assert message in text
    if bad == 1.0:
        assert 'is before "Date of Referral"' in text
        assert "is not a recognised yes or no answer" in text
        assert "so the date is kept" in text


def test_each_kind_of_problem_on_its_own_row_is_left_to_the_row_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean List 3, then one row per problem: the parser reads exactly those rows."""
    good = ["C1", "a) Male", "a) WBRI", dt.date(2015, 3, 4), 7, dt.date(2022, 1, 5), None, "T1"]
    changes: list[tuple[int, Any]] = [
        (0, None),
        (0, "n/a"),
        (0, "#N/A"),
        (1, "Martian"),
        (1, None),
        (1, True),
        (2, "xx"),
        (3, "31/02/2015"),
        (3, None),
        (3, dt.date(2030, 1, 1)),
        (3, dt.date(2027, 2, 1)),
        (5, None),
        (5, dt.date(2014, 1, 1)),
        (5, dt.date(2027, 1, 1)),
        (5, "#REF!"),
        (6, dt.date(2021, 1, 1)),
        (6, "bad"),
        (7, "#N/A"),
    ]
    rows: list[list[Any]] = [HEADERS["List 3"][:8]]
    rows += [list(good) for _ in range(5)]
    for column, value in changes:
        row = list(good)
        row[column] = value
        rows.append(row)
        rows.append(list(good))
    path = _workbook(tmp_path / "one-each.xlsx", {"List 3": rows})
    outcome = _three_ways(path)
    assert len(outcome["problems"]) >= len(changes)
    parsed = _count_parsed(monkeypatch)
    _read(path)
    assert parsed == [7 + 2 * n for n in range(len(changes))]


def test_quiet_values_of_unusual_form_are_read_by_the_shortcut_as_by_the_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numeric and spaced IDs, IDs starting with N or -, datetimes, serial numbers, padded
    text, and blank optional cells: read silently, so without the row parser."""
    rows: list[list[Any]] = [HEADERS["List 3"]]
    ids: list[Any] = [1234, 5678.0, 12.5, " C9 ", "N77", "-12", "C1"]
    for n, child_id in enumerate(ids):
        rows.append(
            [
                child_id,
                ["F", "a) Male", "b) Female"][n % 3],
                ["WBRI", "White British", " a) WBRI"][n % 3],
                [dt.datetime(2015, 3, 4, 10, 30), "04/03/2015", 42000][n % 3],
                None,
                [dt.datetime(2022, 1, 5, 9, 0), 44600.0, "05/01/2022"][n % 3],
                [None, "n/a", dt.date(2022, 2, 1)][n % 3],
                [None, "n/a", " T1 "][n % 3],
                None,
            ]
        )
    path = _workbook(tmp_path / "forms.xlsx", {"List 3": rows})
    outcome = _three_ways(path)
    assert outcome["problems"] == []
    assert [r.record.child_id for r in outcome["rows"]] == [
        "1234",
        "5678",
        "12.5",
        "C9",
        "N77",
        "-12",
        "C1",
    ]
    parsed = _count_parsed(monkeypatch)
    _read(path)
    assert parsed == []


def test_a_table_off_column_a_and_pseudonymised_ids_read_the_same(tmp_path: Path) -> None:
    """A sheet whose table starts in column C (no shortcut: calamine's rows start there) and
    pseudonymised IDs (the shortcut hashes the same text)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "List 3"
    for r, row in enumerate(_rows("List 3", 50, 7, 0.2), start=2):
        for c, value in enumerate(row, start=3):
            sheet.cell(row=r, column=c, value=value)
    _as_text(sheet)
    workbook.save(tmp_path / "shifted.xlsx")
    _three_ways(tmp_path / "shifted.xlsx")

    path = _workbook(tmp_path / "ids.xlsx", {"List 3": _rows("List 3", 50, 8, 0.2)})

    def hashed(**options: Any) -> list[RowRecord]:
        reader = AnnexAWorkbookReader(path, today=TODAY, pseudonymise=str.upper, **options)
        return list(reader)

    assert hashed() == hashed(quick_rows=False)


def test_the_shortcut_builds_ordinary_frozen_records(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "one.xlsx", {"List 3": _rows("List 3", 1, 0, 0)})
    (row,) = _read(path)["rows"]
    expected = RowRecord(
        ChildRecord(
            "C0",
            dt.date(2015, 3, 4),
            None,
            "a) Male",
            "a) WBRI",
            "T1",
            (Event("referral", dt.date(2022, 1, 5), None, "T1", "List 3"),),
            ("List 3",),
        ),
        "sheet",
        "List 3",
        2,
        {"date_of_birth": "Date of Birth", "sex": "Gender", "ethnicity": "Ethnicity"},
    )
    assert row == expected and hash(row.record) == hash(expected.record)
    assert repr(row) == repr(expected)
    with pytest.raises(FrozenInstanceError):
        row.record.team = "other"  # type: ignore[misc]


_CELL = {
    "List 3": [
        st.sampled_from([*IDS_GOOD, *IDS_BAD]),
        st.sampled_from(SEXES),
        st.sampled_from(ETHNICITIES),
        st.sampled_from(BIRTHS),
        st.sampled_from(AGES),
        st.sampled_from(DATES),
        st.sampled_from(DATES),
        st.sampled_from(TEAMS),
        st.none(),
    ],
    "List 5": [
        st.sampled_from([*IDS_GOOD, *IDS_BAD]),
        st.sampled_from(SEXES),
        st.sampled_from(ETHNICITIES),
        st.sampled_from(AGES),
        st.sampled_from(DATES),
        st.sampled_from(DATES),
        st.sampled_from(ANSWERS),
        st.sampled_from(TEAMS),
    ],
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.sampled_from(sorted(_CELL)),
    data=st.data(),
)
def test_any_rows_read_the_same_with_and_without_the_shortcut(
    tmp_path_factory: pytest.TempPathFactory, title: str, data: st.DataObject
) -> None:
    rows = data.draw(st.lists(st.tuples(*_CELL[title]).map(list), min_size=1, max_size=30))
    path = _workbook(
        tmp_path_factory.mktemp("fuzz") / "fuzz.xlsx", {title: [HEADERS[title], *rows]}
    )
    assert _read(path) == _read(path, quick_rows=False)


@pytest.mark.parametrize("quote", ['"', "'"])
def test_the_error_cell_scan_finds_an_error_cell_wherever_the_chunks_cut_it(quote: str) -> None:
    """The scan reads the sheet XML a megabyte at a time: an error cell across the cut (with
    either quote, and spaces around "=") is found, and a sheet without one is not flagged."""
    import io
    import zipfile

    def scanned(xml: bytes) -> bool:
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", b"<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", xml)
        return annex_a._has_error_cells(data)

    cell = f"<c r={quote}A1{quote} t = {quote}e{quote}><v>#N/A</v></c>".encode()
    pad = b"<c r='A2' t=\"s\"><v>1</v></c>" * 40_000  # over a megabyte, both quotes
    for cut in range(len(cell) + 1):
        assert scanned(pad[: (1 << 20) - cut] + cell + pad[:100])
    assert not scanned(pad + cell.replace(f"{quote}e{quote}".encode(), f"{quote}s{quote}".encode()))
