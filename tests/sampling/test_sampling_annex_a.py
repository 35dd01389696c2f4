"""Annex A workbooks: the shared messy fixture, a refused workbook, header aliases, dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from maca.sampling.importers import Event, UnreadableFile, open_reader, read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "external"
ANNEX_A = FIXTURES / "liia-tools" / "Annex_A.xlsx"
TODAY = dt.date(2026, 11, 26)


def keyed_hash(raw: str) -> str:
    return hmac.new(b"test-key", raw.encode(), hashlib.sha256).hexdigest()


def test_shared_annex_a_workbook_reads_with_exactly_these_warnings() -> None:
    result = read_file(ANNEX_A, today=TODAY)

    assert result.format == "annex-a"
    assert result.ok
    assert result.errors == []
    assert result.counts == {
        "List 3": 6,
        "List 4": 5,
        "List 5": 5,
        "List 6": 5,
        "List 7": 7,
        "List 8": 5,
    }
    # 33 list rows; child 6537810 is on List 3 and List 5 and merges into one record.
    assert result.children == 32
    assert [str(w) for w in result.warnings] == [
        *(
            f'Sheet "List 6", row {row}, column "Allocated Team": "#N/A" is not a value, '
            "left empty (expected a team name)"
            for row in range(2, 7)
        ),
        'Sheet "List 7", row 8, column "Child Protection Plan Start Date": "25/06/2019" is '
        "more than 40 weeks before the date of birth, 29/05/2020; kept "
        "(expected a date from 23/08/2019)",
        'Sheet "List 8", row 4, column "Ethnicity" is blank, left empty '
        '(expected an ethnicity code such as "a) WBRI" or "WBRI")',
        'Sheet "List 8", row 5, column "Date Started to be Looked After": "24/02/2010" is '
        "more than 40 weeks before the date of birth, 13/03/2018; kept "
        "(expected a date from 06/06/2017)",
    ]
    assert [str(n) for n in result.notes] == [
        'Sheet "List 1": List 1 (contacts) is not used by the case pool; skipped',
        'Sheet "List 2": List 2 (early help assessments) is not used by the case pool; skipped',
        'Sheet "List 9": List 9 (care leavers) is not used by the case pool; skipped',
        'Sheet "List 10": List 10 (adoption) is not used by the case pool; skipped',
        'Sheet "List 11": List 11 (adopters) is not used by the case pool; skipped',
    ]


def test_shared_annex_a_values_are_normalised_and_merged() -> None:
    records = read_file(ANNEX_A, today=TODAY).records

    both = records["6537810"]  # List 3 row 2 and List 5 row 3
    assert both.sources == ("List 3", "List 5")
    assert both.date_of_birth == dt.date(2004, 7, 18)
    assert (both.sex, both.ethnicity) == ("a) Male", "a) WBRI")
    assert [(e.kind, e.date, e.team) for e in both.events] == [
        ("referral", dt.date(2020, 9, 16), "Multi Agency Safeguarding Hub"),
        ("s47_start", dt.date(2020, 9, 16), "Locality 3 Duty Team"),
        ("icpc", dt.date(2020, 10, 5), "Locality 3 Duty Team"),
    ]
    assert both.team == "Locality 3 Duty Team"  # the team on the latest event

    # "Physical abuse" (no letter) becomes the Annex A code; a pre-birth plan is fine.
    baby = records["10721552"]
    assert baby.date_of_birth == dt.date(2021, 1, 4)
    assert (baby.sex, baby.ethnicity) == ("b) Female", "s) NOBT")
    assert baby.events == (
        Event(
            "cp_plan_start",
            dt.date(2020, 11, 23),
            "b) Physical abuse",
            "Locality 4 Unit 1",
            "List 7",
        ),
        # List 7's "Date of latest review conference": a review held the day the plan ended.
        Event("cp_review", dt.date(2021, 2, 16), None, "Locality 4 Unit 1", "List 7"),
        Event(
            "cp_plan_end", dt.date(2021, 2, 16), "b) Physical abuse", "Locality 4 Unit 1", "List 7"
        ),
    )

    cin = records["12598894"]  # "#N/A" team left empty; "i) MOTH" kept
    assert (cin.team, cin.ethnicity) == (None, "i) MOTH")
    assert [(e.kind, e.date) for e in cin.events] == [("cin_start", dt.date(2010, 6, 9))]

    # List 5 rows 4 and 5: "Was an ICPC deemed unnecessary?" Yes, no conference date. The
    # answer is kept as an event on the enquiry's start, so no conference counts as missed.
    for child_id in ("10273003", "4073694"):
        assert [(e.kind, e.date) for e in records[child_id].events] == [
            ("s47_start", dt.date(2020, 9, 16)),
            ("icpc_not_required", dt.date(2020, 9, 16)),
        ]
    assert records["11641472"].events_of("icpc_not_required") == ()  # "No", with a date

    assert records["14065184"].ethnicity is None  # the blank ethnicity cell
    assert records["3623204"].events_of("cla_end")[0].date == dt.date(2020, 9, 22)


def test_worker_names_and_raw_ids_are_not_kept() -> None:
    result = read_file(ANNEX_A, pseudonymise=keyed_hash, today=TODAY)

    assert result.children == 32
    dump = repr([record.to_dict() for record in result.records.values()])
    assert "6537810" not in dump
    assert keyed_hash("6537810") in result.records
    assert "Hazlett" not in dump and "Cutsforth" not in dump  # allocated workers
    assert "Worker" not in dump


def test_lazy_reading_yields_rows_and_reports_progress() -> None:
    calls: list[tuple[int, int | None]] = []
    with open_reader(
        ANNEX_A, today=TODAY, progress=lambda done, total: calls.append((done, total))
    ) as reader:
        rows = list(reader)
    assert len(rows) == 33
    assert [row.record.child_id for row in rows].count("6537810") == 2
    assert (rows[0].sheet, rows[0].row) == ("List 3", 2)
    assert reader.summary.rows_read == 33
    assert calls == [(33, 33)]


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


HEADERS_3: list[object] = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Referral date",
    "Allocated Team",
    "Allocated Worker",
]


def test_refused_workbook_lists_every_problem_with_sheet_row_column_and_value(
    tmp_path: Path,
) -> None:
    good = ["F", "WBRI", dt.datetime(2021, 5, 1), 0.5, "03/01/2022", "MASH", "Jo Bloggs"]
    rows: list[list[object]] = [HEADERS_3] + [[f"C{n}", *good] for n in range(2, 14)]
    rows += [
        ["C14", "Female", "WBRI", None, None, "31/02/2022", "MASH", "Jo Bloggs"],
        [None, "Female", "WBRI", None, 1, "04/01/2022", "MASH", "Jo Bloggs"],
        ["C16", "b) Female", "a) WBRI", "2021-05-01", None, None, "MASH", "Jo Bloggs"],
        ["C17", "M", "a) WBRI", "1/5/21", None, "01/01/2030", "MASH", "Jo Bloggs"],
        ["#N/A", "X", "Martian", "not known", "eight", "1850-01-01", "#N/A", "Jo Bloggs"],
    ]
    path = _workbook(
        tmp_path / "annex.xlsx",
        {
            "List 3": rows,
            "List 7": [
                ["Child Unique ID", "Gender", "Initial Category of Abuse"],
                ["C2", "F", "NEG"],
            ],
        },
    )

    result = read_file(path, today=TODAY)

    assert not result.ok
    assert [str(e) for e in result.errors] == [
        'Sheet "List 7", row 1: List 7 has no "Child Protection Plan Start Date" column '
        '(expected a header such as "Child Protection Plan Start Date" or "CP Plan Start Date")',
        'Sheet "List 3", row 14, column "Referral date": "31/02/2022" is not a date '
        "(expected dd/mm/yyyy or an Excel date)",
        'Sheet "List 3", row 15, column "Child Unique ID" is blank (expected a child ID)',
        'Sheet "List 3", row 16, column "Referral date" is blank '
        "(expected dd/mm/yyyy or an Excel date)",
        'Sheet "List 3", row 17, column "Referral date": "01/01/2030" is in the future '
        "(expected a date on or before 26/11/2026)",
        'Sheet "List 3", row 18, column "Child Unique ID": "#N/A" is not a child ID '
        "(expected a child ID)",
        'Sheet "List 3", row 18, column "Referral date": "1850-01-01" is before 1910 '
        "(expected a date from 01/01/1910)",
    ]
    problem = result.errors[1]
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "List 3",
        14,
        "Referral date",
        "31/02/2022",
    )
    assert problem.expected == "dd/mm/yyyy or an Excel date"
    assert [str(w) for w in result.warnings] == [
        'Sheet "List 3", row 14, column "Date of Birth" is blank, left empty '
        "(expected the child's date of birth)",
        'Sheet "List 3", row 15, column "Date of Birth" is blank; the age (1) is kept '
        "(expected the child's date of birth)",
        'Sheet "List 3", row 18, column "Date of Birth": "not known" is not a date, left empty '
        "(expected dd/mm/yyyy or an Excel date)",
        'Sheet "List 3", row 18, column "Age": "eight" is not an age in years, left empty '
        "(expected a number of years)",
        'Sheet "List 3", row 18, column "Gender": "X" is not a recognised sex, left empty '
        "(expected a) Male, b) Female, c) Not stated/recorded or d) Neither)",
        'Sheet "List 3", row 18, column "Ethnicity": "Martian" is not a recognised '
        'ethnicity, left empty (expected an ethnicity code such as "a) WBRI" or "WBRI")',
        'Sheet "List 3", row 18, column "Allocated Team": "#N/A" is not a value, left empty '
        "(expected a team name)",
    ]
    # Usable rows are still read (the caller refuses the file as a whole).
    assert sorted(result.records) == sorted(f"C{n}" for n in range(2, 14))


def test_headers_match_case_space_and_punctuation_insensitively_with_aliases(
    tmp_path: Path,
) -> None:
    path = _workbook(
        tmp_path / "export.xlsx",
        {
            "Referrals": [  # no list number in the name: recognised by its headers
                ["Annex A return, Borsetshire, 2022"],
                [],
                [
                    "CHILD  ID",
                    "sex",
                    "Ethnic Origin",
                    "D.O.B.",
                    "date_of_referral",
                    "Allocated team:",
                    "Social Worker",
                ],
                ["A-1", "girl", "White British", "05/03/2021", "3/1/22", "Front Door", "Sam Smith"],
                [
                    "A-2",
                    "1",
                    "Asian or Asian British - Pakistani",
                    44200,
                    44562,
                    "Front Door",
                    "Sam Smith",
                ],
            ],
            "Notes": [["Anything else"]],
        },
    )

    result = read_file(path, today=TODAY)

    assert result.errors == [] and result.warnings == []
    assert result.counts == {"List 3": 2}
    first, second = result.records["A-1"], result.records["A-2"]
    assert (first.sex, first.ethnicity, first.date_of_birth) == (
        "b) Female",
        "a) WBRI",
        dt.date(2021, 3, 5),
    )
    assert first.events == (Event("referral", dt.date(2022, 1, 3), None, "Front Door", "List 3"),)
    # Excel serial numbers in date columns are dates.
    assert (second.sex, second.ethnicity, second.date_of_birth) == (
        "a) Male",
        "k) APKN",
        dt.date(2021, 1, 4),
    )
    assert second.events[0].date == dt.date(2022, 1, 1)
    assert [str(n) for n in result.notes] == ['Sheet "Notes": is not an Annex A list; skipped']


def test_same_child_with_different_values_in_two_lists_warns_and_keeps_the_first(
    tmp_path: Path,
) -> None:
    path = _workbook(
        tmp_path / "annex.xlsx",
        {
            "List 3": [HEADERS_3, ["K1", "F", "WBRI", "01/02/2021", None, "03/01/2022", "T", "W"]],
            "List 5": [
                [
                    "Child Unique ID",
                    "Gender",
                    "Ethnicity",
                    "Date of Birth",
                    "Strategy discussion initiating Section 47 Enquiry Start Date",
                    "Date of Initial Child Protection Conference",
                ],
                ["K1", "M", "WBRI", "02/02/2021", "04/01/2022", "20/01/2022"],
            ],
        },
    )

    result = read_file(path, today=TODAY)

    assert result.ok
    child = result.records["K1"]
    assert (child.sex, child.date_of_birth) == ("b) Female", dt.date(2021, 2, 1))
    assert [e.kind for e in child.events] == ["referral", "s47_start", "icpc"]
    assert [str(w) for w in result.warnings] == [
        'Sheet "List 5", row 2, column "Date of Birth": "02/02/2021" differs from 01/02/2021 '
        'given in Sheet "List 3", row 2; the first is kept '
        "(expected the same date of birth everywhere the child appears)",
        'Sheet "List 5", row 2, column "Gender": "a) Male" differs from b) Female given in '
        'Sheet "List 3", row 2; the first is kept '
        "(expected the same sex everywhere the child appears)",
    ]


def test_workbook_without_any_annex_a_list_is_unreadable(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "other.xlsx", {"Budget": [["Cost centre", "Amount"], ["A", 1]]})
    with pytest.raises(UnreadableFile, match="no Annex A list found"):
        read_file(path, today=TODAY)


def test_rows_beyond_a_wrong_recorded_dimension_are_still_read(tmp_path: Path) -> None:
    made = _workbook(
        tmp_path / "made.xlsx",
        {"List 3": [HEADERS_3, *[[f"D{n}", "F", "WBRI", None, 1, "03/01/2022"] for n in range(5)]]},
    )
    # Some exporters record a stale used range ("A1"); openpyxl would stop there.
    path = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data, replaced = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data
                )
                assert replaced == 1
            target.writestr(item, data)

    result = read_file(path, today=TODAY)

    assert result.counts == {"List 3": 5}
    assert sorted(result.records) == [f"D{n}" for n in range(5)]


def test_unnamed_sheets_are_told_apart_by_their_headers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "annex.xlsx",
        {
            "Early help": [
                [
                    "Child Unique ID",
                    "Assessment start date",
                    "Assessment completion date",
                    "Organisation completing assessment",
                ],
                ["E1", "01/02/2022", "03/02/2022", "Locality 1"],
            ],
            "Assessments": [
                ["Child Unique ID", "Assessment start date", "Assessment authorisation date"],
                ["E1", "01/03/2022", "20/02/2022"],
            ],
        },
    )

    result = read_file(path, today=TODAY)

    assert result.counts == {"List 4": 1}
    assert [str(n) for n in result.notes] == [
        'Sheet "Early help": List 2 (early help assessments) is not used by the case pool; skipped'
    ]
    assert [str(w) for w in result.warnings] == [
        'Sheet "Assessments", row 2, column "Assessment authorisation date": "20/02/2022" is '
        'before "Assessment start date", 01/03/2022; kept (expected a date on or after '
        "01/03/2022)"
    ]


def _both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    from maca.sampling.importers import annex_a

    def outcome() -> dict:
        result = read_file(path, today=dt.date(2026, 11, 26))
        return {
            "records": [r.to_dict() for r in result.records.values()],
            "problems": [str(p) for p in (*result.errors, *result.warnings, *result.notes)],
            "counts": result.counts,
        }

    fast = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(annex_a, "_open_calamine", lambda stream: None)
        slow = outcome()
    return fast, slow


def test_calamine_and_openpyxl_give_the_same_pool_and_messages(tmp_path, monkeypatch):
    """A workbook calamine reads (no Excel error cells): values of every type, blank rows, a
    table that starts lower and further right, problems, and a 1904-dated workbook."""
    from maca.sampling.importers import annex_a

    rows = [
        ["Annex A export", None, None],
        [None],
        HEADERS_3,
        [1001, "a) Male", "WBRI", dt.datetime(2021, 3, 4), 1.5, dt.datetime(2022, 1, 5), "T1", "W"],
        ["1002", "F", "Martian", "31/02/2021", "two", "05/01/2022", None, None],
        [None] * 8,
        [1003.0, "Q", "a) WBRI", None, 3, 44600, "T2", None],
        [None, "M", "WBRI", dt.datetime(2020, 1, 1), 2, dt.datetime(2022, 2, 2), "T3", None],
        # Excel cannot store dates before 1900, so the too-early date is from 1905.
        [1004, "M", "WBRI", dt.datetime(2020, 1, 1), 2, dt.datetime(1905, 1, 1), "T3", None],
    ]
    path = _workbook(tmp_path / "clean.xlsx", {"List 3": rows, "Notes": [["about"]]})
    calls = []
    real = annex_a._open_calamine
    monkeypatch.setattr(annex_a, "_open_calamine", lambda s: calls.append(1) or real(s))
    assert real(path.open("rb")) is not None  # calamine is used for this file
    fast, slow = _both_ways(path, monkeypatch)
    assert fast["problems"] == slow["problems"]
    assert fast == slow and calls
    assert any("01/01/1905" in p for p in fast["problems"]) and len(fast["records"]) == 3

    shifted = openpyxl.Workbook()
    sheet = shifted.active
    sheet.title = "List 3"
    for r, row in enumerate(rows[2:], start=3):
        for c, value in enumerate(row, start=3):
            sheet.cell(row=r, column=c, value=value)
    shifted.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    shifted.save(tmp_path / "shifted.xlsx")
    fast, slow = _both_ways(tmp_path / "shifted.xlsx", monkeypatch)
    assert fast == slow and len(fast["records"]) == 3


def test_a_workbook_with_excel_error_cells_is_read_with_openpyxl():
    """calamine reads "#N/A" error cells as blanks, so such a workbook keeps the openpyxl path
    and its messages (the shared Annex A workbook has some)."""
    from maca.sampling.importers import annex_a

    with ANNEX_A.open("rb") as stream:
        assert annex_a._has_error_cells(stream) and annex_a._open_calamine(stream) is None
