"""The shared worked examples (design/examples/chronology) reproduce exactly."""

from __future__ import annotations

import json

import pytest

from tests.chronology.chronology_support import EXAMPLE_NAMES, EXAMPLES, load_example, run, run_cli

KEYS = ("rule", "question", "incident", "due", "status")


def test_all_five_examples_are_present() -> None:
    assert len(EXAMPLE_NAMES) == 5


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_engine_reproduces_example(name: str) -> None:
    chronology, as_of, expected = load_example(name)
    results = run(chronology, as_of).to_dict()["results"]
    assert [{key: r[key] for key in KEYS} for r in results] == expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_cli_reproduces_example(name: str, tmp_path) -> None:
    chronology, as_of, expected = load_example(name)
    path = tmp_path / "chronology.json"
    path.write_text(json.dumps(chronology), encoding="utf-8")
    done = run_cli("evaluate", str(path), "--as-of", as_of)
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["as_of"] == as_of
    assert [{key: r[key] for key in KEYS} for r in output["results"]] == expected


def test_cli_reads_an_example_file_as_given_using_its_as_of() -> None:
    """Example files wrap the chronology with its as_of; the command takes them as they are."""
    _, as_of, expected = load_example("e4-icpc-over-easter")
    done = run_cli("evaluate", str(EXAMPLES / "e4-icpc-over-easter.json"))
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["as_of"] == as_of
    assert [{key: r[key] for key in KEYS} for r in output["results"]] == expected


def test_explicit_as_of_overrides_the_example_as_of() -> None:
    done = run_cli("evaluate", str(EXAMPLES / "e4-icpc-over-easter.json"), "--as-of", "2022-04-20")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["as_of"] == "2022-04-20"
    # The conference on 29 April is not yet recorded on 20 April.
    assert [r["status"] for r in output["results"]] == ["pending"]
