"""`maca check-disclosure FILE [--audit AUDIT]`: exit 0 clean, 1 findings, 2 unusable input.

Without --audit it runs as a real process with nothing in its environment but PATH and a
database URL that cannot be reached: it must never open the database.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maca.audits.models import Case
from maca.briefings.disclosure.django_known import (
    PARTNERSHIP_ALLOW_LIST,
    allow_list_for_audit,
    known_identifiers_for_audit,
)
from maca.sampling.models import PoolChild
from tests.briefings.disclosure_support import CLEAN_TEXT, clean_pdf, corpus_docx, run_maca

UNREACHABLE = {"DATABASE_URL": "postgres://x@127.0.0.1:1/x"}


def _file(tmp_path: Path, text: str, name: str = "briefing.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- as a user runs it: no environment, no database ---------------------------------------------


def test_findings_exit_1_with_each_finding_and_its_location(tmp_path: Path) -> None:
    path = tmp_path / "briefing.docx"
    path.write_bytes(corpus_docx()[0])
    done = run_maca("check-disclosure", str(path), env=UNREACHABLE, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert 'footer 1 (paragraph 1): phone number "07700 900456" in' in "\n".join(lines)
    assert any(line.startswith("text box in body (paragraph 11): NHS number") for line in lines)
    assert any("National Insurance number" in line for line in lines)
    assert "known name" not in done.stdout  # names on record need --audit
    assert "findings in" in done.stderr and "remove or reword" in done.stderr


def test_a_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(clean_pdf())
    done = run_maca("check-disclosure", str(path), env=UNREACHABLE, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"No identifying data found in {path}."
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("briefing.pdf", b"<p>not a pdf</p>", "not a PDF file"),
        ("briefing.odt", b"x", "cannot check a .odt file"),
        ("missing.txt", None, "cannot read"),
    ],
)
def test_an_unusable_file_exits_2_with_nothing_on_stdout(
    tmp_path: Path, name: str, data: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    done = run_maca("check-disclosure", str(path), env=UNREACHABLE, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr


def test_missing_arguments_exit_2(tmp_path: Path) -> None:
    done = run_maca("check-disclosure", env=UNREACHABLE, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "FILE" in done.stderr


def test_with_audit_and_no_database_exits_2_not_clean(tmp_path: Path) -> None:
    path = _file(tmp_path, CLEAN_TEXT)
    done = run_maca(
        "check-disclosure", str(path), "--audit", "some-audit", env=UNREACHABLE, cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Cannot read the audit from the database" in done.stderr


# --- with --audit: the audit's known identifiers -------------------------------------------------


def _run(path: Path, audit: str | None = "test-audit") -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    args = [str(path)] + (["--audit", audit] if audit is not None else [])
    try:
        call_command("check-disclosure", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Testchild's health visitor was not told.", 'known name "Testchild"'),
        ("Testchild\u2019s health visitor was not told.", 'known name "Testchild"'),
        ("The family name, Sur-\nname, was on the letter.", 'known name "Sur-\\nname"'),
        ("Seen on 01/05/2021 at home.", 'known date of birth "01/05/2021"'),
        ("Seen on 1st May 2021 at home.", 'known date of birth "1st May 2021"'),
        ("Council record C123 was read.", 'known council ID "C123"'),
        ("TESTCHILD SURNAME", 'known name "TESTCHILD SURNAME"'),
    ],
)
def test_audit_identifiers_are_found(world, tmp_path: Path, text: str, found: str) -> None:
    world.audit(status="sampling", cases=[("csc",)])
    code, out, message = _run(_file(tmp_path, text))
    assert code == 1
    assert found in out
    assert out.startswith("line ")
    assert "1 finding in" in message


def test_audit_check_of_a_clean_file(world, tmp_path: Path) -> None:
    world.audit(status="sampling", cases=[("csc",)])
    code, out, _ = _run(
        _file(tmp_path, CLEAN_TEXT + "Testchildren and Surnamed are not on record.\n")
    )
    assert code == 0
    assert out.strip().startswith("No identifying data found")


def test_without_audit_names_on_record_are_not_known(world, tmp_path: Path) -> None:
    world.audit(status="sampling", cases=[("csc",)])
    code, out, _ = _run(_file(tmp_path, "Testchild's health visitor."), audit=None)
    assert code == 0, out


def test_an_unknown_audit_exits_2_with_nothing_on_stdout(world, tmp_path: Path) -> None:
    code, out, message = _run(_file(tmp_path, "Testchild"), audit="no-such-audit")
    assert code == 2
    assert out == ""
    assert "No audit with the reference 'no-such-audit'" in message


def test_an_unreadable_file_exits_2_before_the_audit_is_read(world, tmp_path: Path) -> None:
    world.audit(status="sampling", cases=[("csc",)])
    path = tmp_path / "briefing.pdf"
    path.write_bytes(b"not a pdf")
    code, out, message = _run(path)
    assert (code, out) == (2, "")
    assert "not a PDF file" in message


def test_known_identifiers_for_audit_read_the_records_and_pool(world) -> None:
    audit = world.audit(status="sampling", cases=[("csc",), ("police",)])
    child = PoolChild.objects.create(
        partnership=world.partnership,
        pseudo_id="ab" * 32,
        date_of_birth=dt.date(2021, 7, 2),
    )
    Case.objects.filter(audit=audit, number=2).update(pool_child=child)
    known = known_identifiers_for_audit(audit)
    assert known.names == ("Testchild Surname", "Testchild", "Surname")
    assert known.dates_of_birth == (dt.date(2021, 5, 1), dt.date(2021, 7, 2))
    assert known.council_ids == ("C123",)
    assert known.pool_ids == ("ab" * 32, "ab" * 6)
    assert allow_list_for_audit(audit) == PARTNERSHIP_ALLOW_LIST
    assert "Star Hobson" in PARTNERSHIP_ALLOW_LIST


def test_pool_ids_are_found_with_audit(world, tmp_path: Path) -> None:
    audit = world.audit(status="sampling", cases=[("csc",)])
    child = PoolChild.objects.create(partnership=world.partnership, pseudo_id="cd" * 32)
    Case.objects.filter(audit=audit).update(pool_child=child)
    code, out, _ = _run(_file(tmp_path, "Selected: cdcdcdcdcdcd."))
    assert code == 1
    assert 'known pool ID "cdcdcdcdcdcd"' in out
