"""Properties that hold for any chronology (hypothesis; kept light)."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from maca.chronology.engine import (
    EVENT_TYPES,
    Status,
    evaluate,
    load_protocol,
    parse_chronology,
)

PROTOCOL = load_protocol()
RULE_ORDER = [rule.id for rule in PROTOCOL.rules]
FIRST_DAY = date(2021, 12, 1)


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    type_ = draw(st.sampled_from(sorted(EVENT_TYPES)))
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, 150)))
    if draw(st.booleans()):
        at = day.isoformat()
    else:
        minute = draw(st.integers(0, 24 * 60 - 1))
        at = (
            datetime.combine(day, datetime.min.time())
            .replace(hour=minute // 60, minute=minute % 60)
            .strftime("%Y-%m-%dT%H:%M")
        )
    event: dict[str, Any] = {"at": at, "type": type_}
    incident = draw(st.sampled_from([None, "1", "2", 1]))
    if incident is not None:
        event["incident"] = incident
    if "reason" in EVENT_TYPES[type_].required:
        event["reason"] = "recorded"
    if type_ == "icpc":
        event["outcome"] = draw(st.sampled_from(["plan", "no_plan"]))
    return event


chronologies = st.builds(
    lambda evs, non_mobile: {"child": {"ref": "Child P", "non_mobile": non_mobile}, "events": evs},
    st.lists(events(), max_size=12),
    st.booleans(),
)
as_of_dates = st.integers(0, 240).map(lambda n: FIRST_DAY + timedelta(days=n))


@settings(max_examples=50, deadline=None)
@given(doc=chronologies, as_of=as_of_dates)
def test_results_are_well_formed_and_in_rule_order(doc: dict[str, Any], as_of: date) -> None:
    output = evaluate(parse_chronology(doc), PROTOCOL, as_of).to_dict()
    positions = [RULE_ORDER.index(r["rule"]) for r in output["results"]]
    assert positions == sorted(positions)
    for result in output["results"]:
        assert result["status"] in {str(s) for s in Status}
        assert (result["due"] is None) == (result["status"] == "not_applicable")
        assert (result["done"] is None) == (
            result["status"] in {"missing", "pending", "not_applicable"}
        )
        assert result["started"][:10] <= as_of.isoformat()
        assert result["explanation"].endswith(".")
        if result["status"] == "missing":
            assert result["due"] < as_of.isoformat()
        if result["status"] == "pending":
            assert result["due"] >= as_of.isoformat()
    for question in output["questions"]:
        mine = [r for r in output["results"] if r["question"] == question["question"]]
        worst = min((Status(r["status"]) for r in mine), key=list(Status).index)
        assert question["status"] == str(worst)


@settings(max_examples=50, deadline=None)
@given(doc=chronologies, as_of=as_of_dates, seed=st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_outcome(doc: dict[str, Any], as_of: date, seed) -> None:
    shuffled = {**doc, "events": list(doc["events"])}
    seed.shuffle(shuffled["events"])

    def outcome(document: dict[str, Any]) -> list[tuple[Any, ...]]:
        results = evaluate(parse_chronology(document), PROTOCOL, as_of).to_dict()["results"]
        # An unnamed incident sorts as "" (names are never empty): None and "1" cannot compare.
        return sorted(
            (r["rule"], r["started"], r["incident"] or "", r["status"], r["due"]) for r in results
        )

    assert outcome(doc) == outcome(shuffled)


@settings(max_examples=50, deadline=None)
@given(doc=chronologies, as_of=as_of_dates)
def test_later_events_are_as_if_not_yet_recorded(doc: dict[str, Any], as_of: date) -> None:
    trimmed = {**doc, "events": [e for e in doc["events"] if e["at"][:10] <= as_of.isoformat()]}
    full = evaluate(parse_chronology(doc), PROTOCOL, as_of).to_dict()
    assert full == evaluate(parse_chronology(trimmed), PROTOCOL, as_of).to_dict()


@settings(max_examples=50, deadline=None)
@given(
    rule_index=st.integers(0, len(PROTOCOL.rules) - 1),
    day=st.integers(0, 365).map(lambda n: date(2022, 1, 1) + timedelta(days=n)),
    start_minute=st.none() | st.integers(0, 24 * 60 - 1),
    stop_after=st.none() | st.integers(0, 24 * 60 - 1),
    later=st.integers(0, 400),
)
def test_a_stop_on_the_start_date_is_always_met(
    rule_index: int, day: date, start_minute: int | None, stop_after: int | None, later: int
) -> None:
    rule = PROTOCOL.rules[rule_index]

    def at(minute: int | None) -> str:
        if minute is None:
            return day.isoformat()
        return f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}"

    start: dict[str, Any] = {"at": at(start_minute), "type": rule.start.event, **rule.start.where}
    # A stop by date only, or at a time not before the start, on the same day.
    if stop_after is None or start_minute is None:
        stop_at = at(stop_after)
    else:
        stop_at = at(min(start_minute + stop_after, 24 * 60 - 1))
    stop: dict[str, Any] = {"at": stop_at, "type": rule.stop.event, **rule.stop.where}
    doc = {"child": {"ref": "Child P"}, "events": [stop, start]}
    as_of = day + timedelta(days=later)
    results = evaluate(parse_chronology(doc), PROTOCOL, as_of).to_dict()["results"]
    mine = [r for r in results if r["rule"] == rule.id]
    assert [r["status"] for r in mine] == ["met"]


class _EveryEvent(dict):
    """A stand-in for the by-type index that hands every event to every rule (the full scan
    the evaluator did before it indexed events by type)."""

    def __init__(self, events: list) -> None:
        super().__init__()
        self.events = events

    def get(self, _type: str, _default: Any = None) -> list:
        return self.events


_USED = {
    m.event
    for rule in PROTOCOL.rules
    for m in (rule.start, rule.stop, rule.not_done, rule.fallback)
    if m is not None
}
_protocol_chronologies = st.builds(
    lambda evs, non_mobile: {"child": {"ref": "Child P", "non_mobile": non_mobile}, "events": evs},
    st.lists(events().filter(lambda e: e["type"] in _USED), max_size=14),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(doc=_protocol_chronologies, as_of=as_of_dates)
def test_looking_only_at_each_rules_event_types_changes_no_result(
    doc: dict[str, Any], as_of: date
) -> None:
    evaluate_module = importlib.import_module("maca.chronology.engine.evaluate")

    chronology = parse_chronology(doc)
    events = [e for e in chronology.events if e.local_date <= as_of]
    full_scan = []
    for rule in PROTOCOL.rules:
        clocks = sorted(
            evaluate_module._clock_starts(rule, _EveryEvent(events)),
            key=lambda clock: evaluate_module._start_order(clock[0]),
        )
        full_scan += [
            evaluate_module._run_clock(rule, start, incident, events, chronology, as_of)
            for start, incident in clocks
        ]
    assert list(evaluate(chronology, PROTOCOL, as_of).results) == full_scan
