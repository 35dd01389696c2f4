"""`maca export`: one sheet (or CSV) per kind, case labels only, atomic, exit 2 when unusable."""

from __future__ import annotations

import csv
import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from maca.findings import services as finding_services
from tests.actions.support import add_action

pytestmark = pytest.mark.django_db


def _audit(world):
    audit = world.audit("exp", status="reporting")
    finding_services.finding_save(
        actor=world.actor("chair"),
        audit=audit,
        data=finding_services.FindingInput(
            "area_for_development",
            "=HYPERLINK() strategy discussions were late",
            case_ids=(audit.cases.get(number=1).pk,),
        ),
    )
    add_action(world, audit, owner="police")
    return audit


def test_xlsx_has_one_sheet_per_kind_and_no_identities(world, tmp_path) -> None:
    _audit(world)
    target = tmp_path / "exp.xlsx"
    out = StringIO()
    call_command("export", "exp", "--format", "xlsx", "--output", str(target), stdout=out)
    assert "Wrote" in out.getvalue()
    book = load_workbook(target)
    assert book.sheetnames == ["grades", "answers", "findings", "actions"]
    grades = [tuple(r) for r in book["grades"].iter_rows(values_only=True)]
    assert grades[0] == ("case", "source", "grade", "with specific issues", "reasons")
    assert ("Child A", "panel", "Good", "no", "Sound practice.") in grades
    finding = list(book["findings"].iter_rows(values_only=True))[1]
    assert finding[1].startswith("'=HYPERLINK")  # never a live formula
    assert finding[2] == "Child A"
    action = list(book["actions"].iter_rows(values_only=True))[1]
    assert action[0] == "Action 1" and action[3] == "POLICE"
    everything = " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )
    assert "Testchild" not in everything and "C123" not in everything


def test_csv_is_a_zip_of_one_csv_per_kind(world, tmp_path) -> None:
    _audit(world)
    target = tmp_path / "exp.zip"
    call_command("export", "exp", "--format", "csv", "--output", str(target), stdout=StringIO())
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == [
            "actions.csv",
            "answers.csv",
            "findings.csv",
            "grades.csv",
        ]
        rows = list(csv.reader(io.StringIO(archive.read("answers.csv").decode("utf-8-sig"))))
    assert rows[0][:3] == ["case", "agency", "question"]
    assert len(rows) > 1 and rows[1][0] == "Child A"


def test_unknown_audit_exits_2_and_leaves_no_file(world, tmp_path) -> None:
    target = tmp_path / "none.xlsx"
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("export", "nope", "--format", "xlsx", "--output", str(target), stdout=out)
    assert exc.value.returncode == 2
    assert out.getvalue() == "" and not target.exists() and list(tmp_path.iterdir()) == []


def test_bad_format_or_folder_is_refused(world, tmp_path) -> None:
    _audit(world)
    with pytest.raises(CommandError):
        call_command("export", "exp", "--format", "pdf", "--output", str(tmp_path / "x"))
    with pytest.raises(CommandError) as exc:
        call_command("export", "exp", "--format", "csv", "--output", str(tmp_path / "no" / "x"))
    assert exc.value.returncode == 2
