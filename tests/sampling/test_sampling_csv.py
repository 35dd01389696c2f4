"""CSV: encodings, single Annex A lists, the plain case-pool CSV, problems, streaming."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import pytest

from maca.sampling.importers import Event, UnreadableFile, detect_format, open_reader, read_file

TODAY = dt.date(2026, 11, 26)

PLAIN = (
    "child_id,date_of_birth,sex,ethnicity,team,event,event_date,category\n"
    "P1,02/03/2021,Female,White British,Zoë’s team,referral,10/01/2022,\n"
    "P1,02/03/2021,F,WBRI,Zoë’s team,cp_plan_start,2022-02-01,PHY\n"
    "P2,2020-12-25,M,a) WBRI,,,,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_plain_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "pool.csv"
    path.write_bytes(PLAIN.encode(encoding))
    assert detect_format(path) == "csv"

    result = read_file(path, today=TODAY)

    assert result.format == "csv"
    assert (result.ok, result.warnings, result.notes) == (True, [], [])
    assert result.counts == {"CSV": 3}
    one = result.records["P1"]
    assert (one.date_of_birth, one.sex, one.ethnicity, one.team) == (
        dt.date(2021, 3, 2),
        "b) Female",
        "a) WBRI",
        "Zoë’s team",
    )
    assert one.events == (
        Event("referral", dt.date(2022, 1, 10), None, "Zoë’s team", "CSV"),
        Event("cp_plan_start", dt.date(2022, 2, 1), "b) Physical abuse", "Zoë’s team", "CSV"),
    )
    two = result.records["P2"]
    assert (two.date_of_birth, two.sex, two.events) == (dt.date(2020, 12, 25), "a) Male", ())


def test_annex_a_list_as_csv_with_other_header_spellings(tmp_path: Path) -> None:
    path = tmp_path / "list3.csv"
    path.write_text(
        "Child ID;GENDER;Ethnicity;DOB;Age;Referral Date;Referral Source;Allocated team;"
        "Allocated worker\n"
        "R1;b) Female;k) APKN;05/06/2021;0.6;16/09/2022;q) 6: Police;MASH;Pat Jones\n"
        "R2;Male;#N/A;;1.2;16/9/22;q) 6: Police;#N/A;Pat Jones\n",
        encoding="utf-8",
    )
    assert detect_format(path) == "annex-a"

    result = read_file(path, today=TODAY)

    assert result.format == "annex-a"
    assert result.counts == {"List 3": 2}
    assert result.records["R1"].events == (
        Event("referral", dt.date(2022, 9, 16), None, "MASH", "List 3"),
    )
    assert result.records["R2"].age_years == 1.2
    assert result.records["R2"].date_of_birth is None
    assert [str(w) for w in result.warnings] == [
        'CSV row 3, column "DOB" is blank; the age (1.2) is kept '
        "(expected the child's date of birth)",
        'CSV row 3, column "Ethnicity": "#N/A" is not a value, left empty '
        '(expected an ethnicity code such as "a) WBRI" or "WBRI")',
        'CSV row 3, column "Allocated team": "#N/A" is not a value, left empty '
        "(expected a team name)",
    ]
    assert "Pat Jones" not in repr([r.to_dict() for r in result.records.values()])


def test_list_recognised_by_file_name_and_unused_lists_skipped(tmp_path: Path) -> None:
    path = tmp_path / "Annex A List 1.csv"
    path.write_text("Child Unique ID,Gender,Date of Contact\nX,F,01/01/2022\n", encoding="utf-8")

    result = read_file(path, today=TODAY)

    assert (result.ok, result.children, result.counts) == (True, 0, {})
    assert [str(n) for n in result.notes] == [
        "CSV: List 1 (contacts) is not used by the case pool; skipped"
    ]


def test_refused_plain_csv_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(
        "child_id,date_of_birth,sex,event,event_date,category,notes\n"
        ",01/01/2021,F,referral,01/02/2022,,\n"
        "B2,01/01/2021,F,visit,01/02/2022,,\n"
        "B3,01/01/2021,F,,01/02/2022,,\n"
        "B4,01/01/2021,F,referral,,,\n"
        "B5,01/01/2021,F,icpc,31/02/2022,,\n"
        "B6,01/01/2021,F,referral,02/02/2022,NEG,\n"
        "B7,01/01/2021,F,cp_plan_start,02/02/2022,Neglect,\n",
        encoding="utf-8",
    )

    result = read_file(path, today=TODAY)

    assert [str(e) for e in result.errors] == [
        'CSV row 2, column "child_id" is blank (expected a child ID)',
        'CSV row 3, column "event": "visit" is not a recognised event (expected referral, '
        "referral_decision, cin_start, s47_start, assessment_start, icpc, icpc_not_required, "
        "cin_plan_start, "
        "cp_plan_start, cp_review, cla_start, assessment_authorised, cin_plan_end, cp_plan_end, cla_end or cin_end)",
        'CSV row 4, column "event" is blank, but "event_date" has a date (expected referral, '
        "referral_decision, cin_start, s47_start, assessment_start, icpc, icpc_not_required, "
        "cin_plan_start, "
        "cp_plan_start, cp_review, cla_start, assessment_authorised, cin_plan_end, cp_plan_end, cla_end or cin_end)",
        'CSV row 5, column "event_date" is blank (expected dd/mm/yyyy or yyyy-mm-dd)',
        'CSV row 6, column "event_date": "31/02/2022" is not a date '
        "(expected dd/mm/yyyy or yyyy-mm-dd)",
    ]
    assert [str(w) for w in result.warnings] == [
        'CSV row 7, column "category": "NEG" applies only to cp_plan_start and cp_plan_end '
        "events; ignored"
    ]
    assert [str(n) for n in result.notes] == [
        'CSV row 1, column "notes" is not a column of the plain CSV; ignored'
    ]
    assert sorted(result.records) == ["B6", "B7"]
    assert result.records["B7"].events[0].category == "a) Neglect"


def test_csv_without_a_child_id_column_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,amount\nrent,100\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no child ID column"):
        read_file(path, today=TODAY)
    with pytest.raises(UnreadableFile, match="not those of an Annex A list"):
        read_file(path, "annex-a", today=TODAY)


def test_progress_is_reported_every_thousand_rows(tmp_path: Path) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(
        "child_id,event,event_date\n" + "".join(f"C{n},referral,2022-01-01\n" for n in range(2500)),
        encoding="utf-8",
    )
    calls: list[tuple[int, int | None]] = []
    result = read_file(path, today=TODAY, progress=lambda done, total: calls.append((done, total)))
    assert result.children == 2500
    assert calls == [(1000, None), (2000, None), (2500, None)]


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("child_id,date_of_birth,sex,ethnicity,team,event,event_date\n")
        for start in range(0, rows, 10_000):
            handle.write(
                "".join(
                    f"CHILD{n:07d},{1 + n % 28:02d}/{1 + n % 12:02d}/2015,"
                    f"{'MF'[n % 2]},WBRI,Team {n % 7},referral,2022-{1 + n % 12:02d}-15\n"
                    for n in range(start, min(start + 10_000, rows))
                )
            )


def test_a_100000_row_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    _big_csv(path, 100_000)
    size = path.stat().st_size

    tracemalloc.start()
    try:
        count = 0
        with open_reader(path, today=TODAY, pseudonymise=lambda raw: raw[-4:]) as reader:
            for row in reader:
                count += len(row.record.events)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 100_000
    assert reader.summary.counts == {"CSV": 100_000}
    assert reader.summary.errors == [] and reader.summary.warnings == []
    # Holding the text alone would take the file's size (~6 MB); merging every record in
    # memory takes ~100 MB. Streaming peaks well under 1 MB, whatever the file's length.
    assert peak < 2_000_000, peak
    assert peak < size / 3, (peak, size)


def test_plain_csv_with_a_category_of_abuse_header_is_not_taken_for_list_7(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Child ID,Gender,Type,Date,Category of Abuse\nQ1,F,CP plan start,01/02/2022,EMO\n",
        encoding="utf-8",
    )
    assert detect_format(path) == "csv"
    result = read_file(path, today=TODAY)
    assert result.ok and result.warnings == []
    assert result.records["Q1"].events == (
        Event("cp_plan_start", dt.date(2022, 2, 1), "d) Emotional abuse", None, "CSV"),
    )


def test_list_5_icpc_deemed_unnecessary_is_kept_and_contradictions_warned(tmp_path: Path) -> None:
    path = tmp_path / "list5.csv"
    path.write_text(
        "Child Unique ID,Date of Birth,Strategy discussion initiating Section 47 Enquiry Start "
        "Date,Was an Initial Child Protection Conference deemed unnecessary?,"
        "Date of Initial Child Protection Conference\n"
        "S1,01/02/2021,03/03/2022,a) Yes,\n"
        "S2,01/02/2021,03/03/2022,N,\n"
        "S3,01/02/2021,03/03/2022,Yes,24/03/2022\n"
        "S4,01/02/2021,03/03/2022,perhaps,\n"
        "S5,01/02/2021,03/03/2022,,\n",
        encoding="utf-8",
    )

    result = read_file(path, today=TODAY)

    assert result.ok and result.counts == {"List 5": 5}
    kinds = {child: [e.kind for e in r.events] for child, r in result.records.items()}
    assert kinds == {
        "S1": ["s47_start", "icpc_not_required"],
        "S2": ["s47_start"],
        "S3": ["s47_start", "icpc"],  # the conference was held: the date wins
        "S4": ["s47_start"],
        "S5": ["s47_start"],
    }
    assert result.records["S1"].events_of("icpc_not_required")[0].date == dt.date(2022, 3, 3)
    assert [str(w) for w in result.warnings] == [
        'CSV row 4, column "Was an Initial Child Protection Conference deemed unnecessary?": '
        '"Yes" is "yes" but Date of Initial Child Protection Conference has a date, so the '
        'date is kept (expected "No" when Date of Initial Child Protection Conference has a '
        "date)",
        'CSV row 5, column "Was an Initial Child Protection Conference deemed unnecessary?": '
        '"perhaps" is not a recognised yes or no answer, left empty (expected "Yes" or "No")',
    ]
