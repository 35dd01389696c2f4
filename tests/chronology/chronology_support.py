"""Helpers shared by the chronology tests: building chronologies and running the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from maca.chronology.engine import Evaluation, evaluate, load_protocol, parse_chronology

EXAMPLES = Path(__file__).resolve().parent / "examples"
BUILTIN = "injuries-in-non-mobile-babies"


def chronology(*events: dict[str, Any], non_mobile: bool | None = True) -> dict[str, Any]:
    """A chronology document for Child T with the given events."""
    child: dict[str, Any] = {"ref": "Child T", "date_of_birth": "2021-11-02"}
    if non_mobile is not None:
        child["non_mobile"] = non_mobile
    return {"child": child, "events": list(events)}


def ev(at: str, type_: str, **fields: Any) -> dict[str, Any]:
    """One event; reasons for the "not done" types are filled in unless given."""
    if type_.endswith(("_not_held", "_not_done", "_not_required")):
        fields.setdefault("reason", "recorded reason")
    return {"at": at, "type": type_, **fields}


def run(doc: dict[str, Any], as_of: str, protocol: str = BUILTIN) -> Evaluation:
    return evaluate(parse_chronology(doc), load_protocol(protocol), date.fromisoformat(as_of))


def results_for(evaluation: Evaluation, rule: str) -> list[dict[str, Any]]:
    return [r for r in evaluation.to_dict()["results"] if r["rule"] == rule]


def only(evaluation: Evaluation, rule: str) -> dict[str, Any]:
    found = results_for(evaluation, rule)
    assert len(found) == 1, found
    return found[0]


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `maca ...` as a user would: a fresh process whose environment holds PATH only."""
    minimal = {"PATH": os.environ["PATH"]}
    minimal.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "maca.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=minimal,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def load_example(name: str) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    """An example's chronology, as_of and expected results."""
    document = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    expected_lines = (EXAMPLES / f"{name}.expected.jsonl").read_text(encoding="utf-8").splitlines()
    expected = [json.loads(line) for line in expected_lines if line.strip()]
    return document["chronology"], document["as_of"], expected


EXAMPLE_NAMES = sorted(p.name.removesuffix(".json") for p in EXAMPLES.glob("e*.json"))
