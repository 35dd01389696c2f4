"""`maca evaluate` run as a user runs it: a real process with no environment but PATH."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from maca.chronology.engine import builtin_protocols
from tests.chronology.chronology_support import EXAMPLES, chronology, ev, run_cli

GOOD = chronology(
    ev("2022-01-10T09:30", "injury_observed", incident="1"),
    ev("2022-01-10T11:00", "referral", incident="1"),
)


def write(tmp_path: Path, doc: object, name: str = "chronology.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_evaluates_a_file(tmp_path: Path) -> None:
    done = run_cli("evaluate", str(write(tmp_path, GOOD)), "--as-of", "2022-03-31", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert list(output) == ["protocol", "child", "as_of", "results", "questions"]
    assert output["results"][0]["explanation"] == (
        "Referred 1 h 30 min after the injury was seen (due the same day)."
    )
    assert done.stderr == ""


def test_reads_stdin() -> None:
    done = run_cli("evaluate", "-", "--as-of", "2022-03-31", stdin=json.dumps(GOOD))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["child"] == "Child T"


def test_takes_a_protocol_path(tmp_path: Path) -> None:
    text = builtin_protocols()["injuries-in-non-mobile-babies"].read_text(encoding="utf-8")
    protocol = tmp_path / "local.yaml"
    protocol.write_text(text.replace("id: injuries-in-non-mobile-babies", "id: local"), "utf-8")
    done = run_cli(
        "evaluate",
        "-",
        "--protocol",
        str(protocol),
        "--as-of",
        "2022-03-31",
        stdin=json.dumps(GOOD),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["protocol"] == "local"


def test_never_opens_the_database(tmp_path: Path) -> None:
    """An unreachable PostgreSQL, or an SQLite folder that never gets a file: still evaluates."""
    example = str(EXAMPLES / "e1-all-in-time.json")
    unreachable = {"DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:9/nowhere"}
    done = run_cli("evaluate", example, env=unreachable, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data_dir = tmp_path / "data"
    done = run_cli("evaluate", example, env={"MACA_DATA_DIR": str(data_dir)}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not list(data_dir.glob("*.sqlite3*"))


BAD_INPUTS = [
    pytest.param(
        chronology(ev("2022-01-10", "referral"), ev("2022-01-10", "foo")),
        [],
        "events[1].type: 'foo' is not a known event type",
        id="unknown-event-type",
    ),
    pytest.param(
        chronology(*[ev("2022-01-10", "referral")] * 3, ev("2022-02-30", "referral")),
        [],
        "events[3].at: 2022-02-30 is not a date",
        id="impossible-date",
    ),
    pytest.param(
        chronology(
            ev("2022-01-10", "referral"),
            ev("2022-01-10", "referral"),
            {"at": "2022-01-10", "type": "strategy_discussion_not_held"},
        ),
        [],
        "events[2].reason: required for strategy_discussion_not_held",
        id="missing-reason",
    ),
    pytest.param({"child": {}, "events": []}, [], "child.ref: required", id="missing-child-ref"),
    pytest.param(
        GOOD, ["--protocol", "neglect"], "unknown protocol 'neglect'", id="unknown-protocol"
    ),
    pytest.param(
        GOOD, ["--as-of", "2022-02-30"], "--as-of: 2022-02-30 is not a date", id="bad-as-of"
    ),
    pytest.param(
        GOOD, ["--as-of", "31/03/2022"], "--as-of: '31/03/2022' is not a date", id="as-of-format"
    ),
]


@pytest.mark.parametrize(("doc", "args", "message"), BAD_INPUTS)
def test_bad_input_exits_2_with_message_and_empty_stdout(
    tmp_path: Path, doc: object, args: list[str], message: str
) -> None:
    done = run_cli("evaluate", str(write(tmp_path, doc)), *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"child": {"ref": "A"}, "events": [', "not valid JSON (line 1, column"),
        ("", "not valid JSON"),
        ("\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_json_exits_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    done = run_cli("evaluate", str(path))
    assert (done.returncode, done.stdout) == (2, "")
    assert f"{path}: {message}" in done.stderr


def test_non_utf8_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"child": {"ref": "\xe9"}, "events": []}')
    done = run_cli("evaluate", str(path))
    assert (done.returncode, done.stdout) == (2, "")
    assert "not UTF-8" in done.stderr


def test_malformed_json_on_stdin_exits_2() -> None:
    done = run_cli("evaluate", "-", stdin="{nope")
    assert (done.returncode, done.stdout) == (2, "")
    assert "stdin: not valid JSON" in done.stderr


@pytest.mark.parametrize("name", ["missing.json", "."])
def test_unreadable_file_exits_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    done = run_cli("evaluate", str(path))
    assert (done.returncode, done.stdout) == (2, "")
    assert f"{path}: cannot read" in done.stderr


def test_invalid_protocol_file_exits_2_naming_file_rule_and_field(tmp_path: Path) -> None:
    text = builtin_protocols()["injuries-in-non-mobile-babies"].read_text(encoding="utf-8")
    protocol = tmp_path / "protocol.yaml"
    protocol.write_text(text.replace("working_days: 15", "weeks: 3"), encoding="utf-8")
    done = run_cli("evaluate", str(write(tmp_path, GOOD)), "--protocol", str(protocol))
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        f"{protocol}: rules[5] (icpc-15wd).timescale: expected one of same_day, working_days, "
        "calendar_days, months (line "
    ) in done.stderr


def test_missing_file_argument_exits_2() -> None:
    done = run_cli("evaluate")
    assert (done.returncode, done.stdout) == (2, "")
    assert "FILE" in done.stderr


def test_help_needs_no_environment() -> None:
    done = run_cli("evaluate", "--help")
    assert done.returncode == 0
    assert "--as-of" in done.stdout and "--protocol" in done.stdout


def test_engine_imports_without_django() -> None:
    code = (
        "import sys, json, maca.chronology.engine as engine; "
        "engine.evaluate(engine.parse_chronology({'child': {'ref': 'A'}, 'events': []}), "
        "engine.load_protocol()); "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_engine_source_does_not_import_django() -> None:
    engine_dir = Path(__file__).resolve().parents[2] / "maca" / "chronology" / "engine"
    for path in engine_dir.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not line.lstrip().startswith(("import django", "from django")), path


def test_non_ascii_text_survives_a_minimal_environment() -> None:
    doc = chronology(
        ev("2022-01-10T10:00", "referral"),
        ev(
            "2022-01-10T11:00",
            "strategy_discussion_not_held",
            reason="mark was a naevus, café au lait",
        ),
    )
    doc["child"]["ref"] = "Enfant É"
    done = run_cli("evaluate", "-", "--as-of", "2022-03-31", stdin=json.dumps(doc))
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["child"] == "Enfant É"
    assert any("naevus, café au lait" in r["explanation"] for r in output["results"])
