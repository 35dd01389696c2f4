"""Format detection, and files that are not what they claim to be."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maca.sampling.importers import UnreadableFile, detect_format, open_reader, read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "external"
TODAY = dt.date(2026, 11, 26)


def test_detects_each_fixture_format() -> None:
    assert detect_format(FIXTURES / "liia-tools" / "Annex_A.xlsx") == "annex-a"
    assert detect_format(FIXTURES / "liia-tools" / "cin-2022.xml") == "cin-census"
    assert detect_format(FIXTURES / "csc-validator-be-cin" / "fake_CIN_data.xml") == "cin-census"


def test_reads_from_an_open_binary_stream_too() -> None:
    data = (FIXTURES / "liia-tools" / "Annex_A.xlsx").read_bytes()
    stream = io.BytesIO(data)
    assert detect_format(stream) == "annex-a"
    result = read_file(stream, today=TODAY)
    assert result.children == 32
    assert not stream.closed  # the caller's stream is left open


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.xml", b"  \n\n ", "empty"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "damaged zip"),
        ("notes.xlsx", _zip({"notes.txt": b"hello"}), "not an Excel workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old-style .xls"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("utf16.csv", "child_id\r\nA\r\n".encode("utf-16"), "UTF-16"),
        ("page.xml", b"<html><body>hi</body></html>", "not a CIN census return"),
        ("bad.xml", b"<Message><<Children>", "not well-formed XML"),
    ],
)
def test_unreadable_files_raise(name: str, content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        read_file(path, today=TODAY)


def test_workbook_with_damaged_content_is_unreadable(tmp_path: Path) -> None:
    data = (FIXTURES / "liia-tools" / "Annex_A.xlsx").read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile):
        read_file(path, today=TODAY)


def test_forced_format_that_does_not_fit_is_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        read_file(FIXTURES / "liia-tools" / "cin-2022.xml", "annex-a", today=TODAY)
    with pytest.raises(UnreadableFile):
        read_file(FIXTURES / "liia-tools" / "Annex_A.xlsx", "csv", today=TODAY)


def test_unknown_format_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        open_reader(FIXTURES / "liia-tools" / "cin-2022.xml", "ssda903")  # type: ignore[arg-type]


SEEDS = [
    (FIXTURES / "liia-tools" / "Annex_A.xlsx").read_bytes(),
    (FIXTURES / "liia-tools" / "cin-2022.xml").read_bytes(),
    b"child_id,date_of_birth,sex,event,event_date\nA,01/02/2020,F,referral,02/03/2021\n",
    b"Child Unique ID,Gender,Date of Referral\n1,F,01/01/2022\n",
]


@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.binary(max_size=6), st.integers(0, 40)),
        min_size=1,
        max_size=6,
    ),
)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_files_give_a_result_or_unreadable_file_never_a_crash(
    seed: bytes, edits: list[tuple[float, bytes, int]]
) -> None:
    data = bytearray(seed)
    for where, insert, delete in edits:
        at = int(where * len(data))
        data[at : at + delete] = insert
    try:
        result = read_file(io.BytesIO(bytes(data)), today=TODAY)
    except UnreadableFile:
        return
    for problem in result.errors + result.warnings + result.notes:
        assert str(problem)
