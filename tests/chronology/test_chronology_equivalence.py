"""The engine's output and error messages are exactly those recorded before its fast paths,
and the fast check of an event accepts only what the detailed check accepts, building the same
event, so every message still comes from the detailed check.

The corpus (equivalence_corpus.py) mixes valid chronologies, damaged ones, worked-example
wrappers and the demo chronologies, over the built-in protocol and a custom one, at three dates.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from maca.chronology.engine import (
    EVENT_TYPES,
    ChronologyError,
    Result,
    Status,
    evaluate,
    load_protocol,
    parse_chronology,
    parse_document,
)
from maca.chronology.engine import chronology as chronology_module
from tests.chronology.equivalence_corpus import GOLDEN, cases, digest, outcome, protocols


def test_every_evaluation_and_message_is_unchanged() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    all_protocols = protocols()
    seen = {name: outcome(doc, all_protocols) for name, doc in cases()}
    assert sorted(seen) == sorted(golden)
    changed = {name: found for name, found in seen.items() if digest(found) != golden[name]}
    # On failure, shows the first changed outcome in full, to compare with the code on main.
    assert not changed, json.dumps(next(iter(changed.items())), indent=1)[:4000]


class _Text(str):
    """A str subclass: valid, but not what the fast check takes."""


class _Frozen(Mapping[str, Any]):
    """A Mapping that is not a dict: valid, but not what the fast check takes."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


# Per field: values the detailed check accepts, then values it rejects (or that are unusual).
_GOOD: dict[str, list[Any]] = {
    "at": ["2022-01-10", "2022-01-10T14:30", " 2022-01-10T14:30:05+01:00 ", "2022-03-27T01:30"],
    "type": sorted(EVENT_TYPES),
    "incident": ["1", " 2 ", 1, 0, -4],
    "agency": ["csc", " police ", "", "  "],
    "summary": ["bruise", " seen ", ""],
    "reason": ["known", " known. "],
    "id": ["e1", 3],
    "outcome": ["plan", "no_plan"],
    "plan": ["cp", "cin", "early_help"],
    "attendees": [["csc"], [], ["csc", "police"]],
    "siblings_considered": [True, False],
    "extra": ["anything", {"nested": [1]}],
}
_BAD: dict[str, list[Any]] = {
    "at": ["2022-02-30", "2022-01-10T24:00", "10/01/2022", "", "2022-01-10Z", 20220110, ["x"]],
    "type": ["referal", "", 3, ["referral"], _Text("referral")],
    "incident": ["", "  ", True, 1.5, ["1"], _Text("3")],
    "agency": [4, False, ["csc"], _Text("csc")],
    "summary": [2.5, {}],
    "reason": ["", "  ", 7, _Text("why")],
    "id": [True, 1.5, [1], _Text("e")],
    "outcome": ["planned", 1, ["plan"]],
    "plan": ["CP", {}, 0],
    "attendees": [["csc", 2], "csc", ("csc",), [_Text("csc")]],
    "siblings_considered": [1, "yes", 0],
    "extra": [None],
}


@st.composite
def raw_events(draw: st.DrawFn) -> Any:
    """Valid events, then some with one or two fields wrong (or null, or missing), a few not
    objects at all, a few not dicts."""
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from([None, "referral", [], 5]))
    type_ = draw(st.sampled_from(_GOOD["type"]))
    event: dict[str, Any] = {"at": draw(st.sampled_from(_GOOD["at"])), "type": type_}
    for name in draw(st.sets(st.sampled_from(sorted(_GOOD)))) - {"at", "type"}:
        event[name] = draw(st.sampled_from(_GOOD[name]))
    if EVENT_TYPES[type_].required:
        event["reason"] = draw(st.sampled_from(_GOOD["reason"]))
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(_BAD)))
        event[name] = draw(st.sampled_from([*_BAD[name], None, "<missing>"]))
        if event[name] == "<missing>":
            del event[name]
    return _Frozen(event) if draw(st.integers(0, 15)) == 0 else event


def _detailed_only(doc: Any) -> Any:
    """What the detailed check alone makes of `doc` (the fast check turned off)."""
    fast = chronology_module._fast_event
    chronology_module._fast_event = lambda index, raw: None
    try:
        return _parsed(doc)
    finally:
        chronology_module._fast_event = fast


def _parsed(doc: Any) -> Any:
    try:
        return parse_document(doc)
    except ChronologyError as exc:
        return exc.messages


@settings(max_examples=400, deadline=None)
@given(events=st.lists(raw_events(), max_size=6), wrapped=st.booleans())
def test_fast_and_detailed_checks_agree(events: list[Any], wrapped: bool) -> None:
    doc: dict[str, Any] = {"child": {"ref": "Child F"}, "events": events}
    if wrapped:
        doc = {"as_of": "2022-02-01", "chronology": doc}
    for index, raw in enumerate(events):
        fast = chronology_module._fast_event(index, raw)
        if fast is not None:
            errors: list[str] = []
            assert fast == chronology_module._parse_event(index, raw, "e", errors)
            assert not errors
    assert _parsed(doc) == _detailed_only(doc)


def _reference_parse_at(value: str) -> Any:
    """`parse_at` as it was before its fast path for the usual shapes (result or message)."""
    module = chronology_module
    try:
        if module._DATE_RE.match(value):
            return module.parse_date(value), None
        match = module._DATETIME_RE.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a date or date-time")
        try:
            date.fromisoformat(match["date"])
        except ValueError:
            raise ValueError(f"{match['date']} is not a date") from None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a date-time") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(module.LONDON).replace(tzinfo=None)
        return moment.date(), moment.time()
    except ValueError as exc:
        return str(exc).split(" (expected")[0]


def _parse_at(value: str) -> Any:
    try:
        return chronology_module.parse_at(value)
    except ValueError as exc:
        return str(exc).split(" (expected")[0]


_AT_SHAPES = st.builds(
    lambda y, m, d, h, mi, sep, tail: f"{y}-{m}-{d}" + (f"{sep}{h}:{mi}{tail}" if sep else ""),
    st.sampled_from(["2022", "1999", "0000", "20222", "٢٠٢٢", "202"]),
    st.sampled_from(["01", "02", "12", "13", "00", "1", "٠١"]),
    st.sampled_from(["01", "28", "29", "30", "31", "32", "00", "1"]),
    st.sampled_from(["00", "09", "23", "24", "99", "1", "٠٩"]),
    st.sampled_from(["00", "30", "59", "60", "5"]),
    st.sampled_from(["T", "", " ", "t"]),
    st.sampled_from(["", ":00", ":5", "Z", "+01:00", "-0500", ".5"]),
)


@settings(max_examples=500, deadline=None)
@given(value=_AT_SHAPES | st.text(alphabet="0123456789-T:Z+. ٣", min_size=8, max_size=20))
def test_parse_at_fast_shapes_agree_with_the_checks(value: str) -> None:
    assert _parse_at(value) == _reference_parse_at(value)


def test_a_result_compares_prints_and_pickles_by_its_sentence() -> None:
    doc = {
        "child": {"ref": "Child R"},
        "events": [
            {"at": "2022-01-10T09:00", "type": "injury_observed"},
            {"at": "2022-01-10T10:30", "type": "referral"},
        ],
    }
    (written, *_) = evaluate(parse_chronology(doc), load_protocol(), date(2022, 1, 12)).results
    explanation = "Referred 1 h 30 min after the injury was seen (due the same day)."
    given_text = Result(
        "referral-same-day", "q1", None, Status.MET, "2022-01-10T09:00",
        date(2022, 1, 10), "2022-01-10T10:30", explanation,
    )  # fmt: skip
    assert written.explanation == explanation
    assert written == given_text and hash(written) == hash(given_text)
    assert repr(written) == repr(given_text)
    assert f"explanation={explanation!r})" in repr(written)
    assert pickle.loads(pickle.dumps(written)) == given_text  # noqa: S301 - our own bytes
    assert copy.deepcopy(written) == given_text
