"""A seeded corpus of chronologies, good and bad, whose evaluations and error messages were
recorded from the engine before its fast paths (golden/evaluation-digests.json), so a speed-up
that changes one byte of output or of a message fails a test.

Regenerate the golden file only for a deliberate change of behaviour:
`uv run python -m tests.chronology.equivalence_corpus > tests/chronology/golden/evaluation-digests.json`
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from maca.chronology.engine import (
    ChronologyError,
    Protocol,
    evaluate,
    load_protocol,
    parse_document,
    parse_protocol,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "evaluation-digests.json"

# Exercises what the built-in protocol does not: calendar days, months, long working-day spans,
# filters on free fields (numbers against strings, booleans), a "not done" of the stop's own type.
CUSTOM_PROTOCOL = """
id: custom-golden
name: Custom golden
rules:
  - id: strategy-by-incident
    question: q1
    start:
      event: referral
      where:
        incident: 1
      fallback: injury_observed
    stop:
      event: strategy_discussion
      where:
        siblings_considered: true
    not_done: strategy_discussion_not_held
    timescale:
      calendar_days: 3
    per_incident: true
    source: Test.
  - id: medical-months
    question: q2
    start: injury_observed
    stop: cp_medical
    not_done: cp_medical
    timescale:
      months: 1
    non_mobile_only: true
    source: Test.
  - id: agency-long
    question: q2
    start:
      event: escalation
      where:
        agency: police
    stop: section47_started
    timescale:
      working_days: 300
    source: Test.
  - id: plan-end
    question: q3
    start:
      event: plan_started
      where:
        plan: cp
    stop: plan_ended
    timescale: same_day
    per_incident: true
    source: Test.
"""

TYPES = (
    "injury_observed",
    "referral",
    "referral_decision",
    "strategy_discussion",
    "strategy_discussion_not_held",
    "cp_medical",
    "cp_medical_not_done",
    "second_opinion_requested",
    "second_opinion_received",
    "escalation",
    "section47_started",
    "assessment_completed",
    "icpc",
    "icpc_not_required",
    "core_group",
    "review_conference",
    "plan_started",
    "plan_ended",
)
REASONS = ("seen by GP", "known explanation.", "  parent's account; ", "", "x :")
# Days near clock changes, bank holidays (the 2022 Jubilee, Easter) and year ends.
SPECIAL_DAYS = (
    date(2022, 3, 27),
    date(2022, 10, 30),
    date(2022, 6, 2),
    date(2022, 4, 15),
    date(2021, 12, 24),
    date(2022, 12, 30),
    date(2023, 3, 26),
    date(2020, 2, 29),
)
AS_OFS = (date(2022, 1, 20), date(2022, 7, 1), date(2025, 6, 30))


def _at(rng: random.Random, day: date) -> str:
    roll = rng.random()
    if roll < 0.35:
        return day.isoformat()
    hour, minute = rng.randrange(24), rng.randrange(60)
    base = f"{day.isoformat()}T{hour:02d}:{minute:02d}"
    if roll < 0.85:
        return base
    return base + rng.choice((":30", ":05.25", "Z", "+01:00", "-0500", "+00:00"))


def _event(rng: random.Random, day: date) -> dict[str, Any]:
    type_ = rng.choice(TYPES)
    event: dict[str, Any] = {"at": _at(rng, day), "type": type_}
    if rng.random() < 0.8:
        event["agency"] = rng.choice(("csc", "police", "health-visiting", " csc ", ""))
    if rng.random() < 0.6:
        event["incident"] = rng.choice(("1", "2", 1, 2, " 1 "))
    if rng.random() < 0.3:
        event["summary"] = rng.choice(("bruise", "", "  chased  "))
    if type_.endswith(("_not_held", "_not_done", "_not_required")) or rng.random() < 0.1:
        event["reason"] = rng.choice(REASONS[:3] + REASONS[4:])
    if type_ == "icpc":
        event["outcome"] = rng.choice(("plan", "no_plan"))
    if type_.startswith("plan_") and rng.random() < 0.9:
        event["plan"] = rng.choice(("cp", "cin", "early_help"))
    if type_ == "strategy_discussion" and rng.random() < 0.7:
        event["attendees"] = ["csc", "police"]
        event["siblings_considered"] = rng.random() < 0.5
    if rng.random() < 0.1:
        event["id"] = rng.choice(("e1", 7))
    if rng.random() < 0.05:
        event["extra"] = {"anything": [1, 2]}
    return event


def good_chronology(rng: random.Random, index: int) -> dict[str, Any]:
    start = rng.choice(SPECIAL_DAYS) if rng.random() < 0.4 else date(2021, 6, 1)
    start += timedelta(days=rng.randrange(-3, 400 if start.year == 2021 else 4))
    events = []
    for _ in range(rng.randrange(0, 26)):
        day = start + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5, 14, 20, 40, 95)))
        events.append(_event(rng, day))
        if rng.random() < 0.5:
            start = day
    child: dict[str, Any] = {"ref": f" Child {index} "}
    if rng.random() < 0.7:
        child["non_mobile"] = rng.choice((True, True, False, None))
    if rng.random() < 0.5:
        child["date_of_birth"] = "2021-05-02"
    return {"child": child, "events": events}


BAD_VALUES: dict[str, tuple[Any, ...]] = {
    "at": (
        None,
        123,
        ["2022-01-01"],
        "2022-02-30",
        "2022-13-01T10:00",
        "2022-01-01T25:00",
        "2022-1-1",
        " 2022-01-01 ",
        "2022-01-01T10:00+1",
        "2022-03-27T01:30",
        "",
        "2022-01-01 10:00",
    ),
    "type": (None, 5, "referal", "Referral", ["referral"], "", "injury"),
    "incident": ("", "  ", True, 1.5, 0, " 2 ", [1], -3),
    "agency": (5, "", "  x ", ["csc"], False),
    "summary": (1.0, " ", {"a": 1}),
    "reason": (None, "", 3, "  "),
    "id": (True, 1.5, "x", 3, None, ["a"]),
    "outcome": ("planned", ["plan"], None, 1, "plan", "no_plan"),
    "plan": ("CP", "cp", 0, ["cp"]),
    "attendees": ("csc", ["a", 1], [], ["a"], None, ("a",)),
    "siblings_considered": ("yes", 1, 0, True, None),
}


def bad_chronology(rng: random.Random, index: int) -> Any:
    """A good chronology with one to three events damaged (or its child, or its shape)."""
    doc = good_chronology(rng, index)
    roll = rng.random()
    if roll < 0.05:
        return rng.choice((None, [], "text", {"child": {"ref": "A"}}, {"events": []}))
    if roll < 0.12:
        doc["child"] = rng.choice(
            (
                None,
                "A",
                {},
                {"ref": ""},
                {"ref": 3},
                {"ref": "A", "non_mobile": "no"},
                {"ref": "A", "date_of_birth": "2021-02-30"},
                {"ref": "A", "date_of_birth": 20210202},
            )
        )
    if roll < 0.16:
        doc["events"] = rng.choice((None, {}, "x"))
        return doc
    events = doc["events"] or [_event(rng, date(2022, 1, 3))]
    doc["events"] = events
    for _ in range(rng.randrange(1, 4)):
        position = rng.randrange(len(events))
        if rng.random() < 0.08:
            events[position] = rng.choice((None, "referral", [], 3))
            continue
        event = events[position]
        if not isinstance(event, dict):
            continue
        field = rng.choice(sorted(BAD_VALUES))
        if rng.random() < 0.1:
            event.pop(field, None)
        else:
            event[field] = copy.deepcopy(rng.choice(BAD_VALUES[field]))
    return doc


def protocols() -> dict[str, Protocol]:
    return {
        "builtin": load_protocol("injuries-in-non-mobile-babies"),
        "custom": parse_protocol(CUSTOM_PROTOCOL, source_name="custom.yaml"),
    }


def cases() -> Iterator[tuple[str, Any]]:
    """(name, document) pairs: good chronologies, damaged ones and worked-example wrappers."""
    rng = random.Random(20261202)  # synthetic data
    for index in range(400):
        yield f"good-{index}", good_chronology(rng, index)
    for index in range(500):
        yield f"bad-{index}", bad_chronology(rng, index)
    for index in range(20):
        wrapped = {"as_of": rng.choice(("2022-03-01", "2022-02-30", 5, None))}
        wrapped["chronology"] = (
            good_chronology(rng, index) if index % 2 else bad_chronology(rng, index)
        )
        yield f"wrapped-{index}", wrapped
    yield from demo_cases()


def demo_cases() -> Iterator[tuple[str, Any]]:
    """The demo partnership's chronologies, as the app hands them to the engine."""
    from maca.partnerships.demo import CHRONOLOGIES  # needs Django settings

    for index, events in enumerate(CHRONOLOGIES):
        contract = [{**event.to_contract(), "agency": agency} for agency, event in events]
        for non_mobile in (True, False):
            child = {"ref": f"Child {index}", "non_mobile": non_mobile}
            yield f"demo-{index}-{non_mobile}", {"child": child, "events": contract}


def outcome(document: Any, all_protocols: dict[str, Protocol]) -> Any:
    """What a user sees: every evaluation's JSON, or the error messages."""
    try:
        chronology, example_as_of = parse_document(copy.deepcopy(document))
    except ChronologyError as exc:
        return {"errors": list(exc.messages)}
    return {
        "as_of": example_as_of.isoformat() if example_as_of else None,
        "evaluations": [
            evaluate(chronology, protocol, as_of).to_dict()
            for protocol in all_protocols.values()
            for as_of in AS_OFS
        ],
    }


def digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def digests() -> dict[str, str]:
    all_protocols = protocols()
    return {name: digest(outcome(doc, all_protocols)) for name, doc in cases()}


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(json.dumps(digests(), indent=0, sort_keys=True))
