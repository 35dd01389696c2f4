"""The batch evaluator (`evaluate_lines`, `evaluate_many`) gives, for every chronology, exactly
what parsing and evaluating it alone gives: the same results, statuses, due dates,
explanations, question summaries, and the same messages for bad input.

Every comparison is of whole Evaluations (a Result compares by its explanation too) or of the
InputError's messages, over the golden corpus, generated chronologies and custom protocols.
"""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date, timedelta
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from maca.chronology.engine import (
    Evaluation,
    InputError,
    evaluate_document,
    evaluate_line,
    evaluate_lines,
    evaluate_many,
    load_protocol,
    parse_protocol,
)
from maca.chronology.engine.batch import _sort_order
from maca.chronology.engine.protocol import Protocol
from tests.chronology.equivalence_corpus import (
    AS_OFS,
    CUSTOM_PROTOCOL,
    GOLDEN,
    cases,
    digest,
    protocols,
)
from tests.chronology.test_chronology_equivalence import raw_events
from tests.chronology.test_chronology_properties import events as good_events

# A partnership's own rule added by YAML alone, filtering on fields the vocabulary does not
# know (`team`) and on ones it does (`agency`, a number against a string), and a clock
# that the next event of its own type stops.
YAML_ADDED_RULE = """
  - id: police-strategy-2d
    question: q9
    start:
      event: injury_observed
      where:
        team: north
    stop:
      event: strategy_discussion
      where:
        agency: police
    not_done: strategy_discussion_not_held
    timescale:
      calendar_days: 2
    per_incident: true
    source: Local procedure.
  - id: medical-or-decision
    question: q9
    start:
      event: referral
      where:
        incident: 2
      fallback: injury_observed
    stop: cp_medical
    not_done: cp_medical_not_done
    timescale:
      working_days: 3
    source: Local procedure.
  - id: core-group-monthly
    question: q8
    start: core_group
    stop: core_group
    not_done:
      event: core_group
      where:
        agency: csc
    timescale:
      months: 1
    source: Local procedure.
"""


def all_protocols() -> dict[str, Protocol]:
    found = protocols()
    found["yaml-added"] = parse_protocol(
        CUSTOM_PROTOCOL.replace("id: custom-golden", "id: yaml-added") + YAML_ADDED_RULE,
        source_name="added.yaml",
    )
    return found


PROTOCOLS = all_protocols()


def shown(outcome: Any) -> Any:
    """What a user sees of an outcome, for readable failures."""
    if isinstance(outcome, InputError):
        return {"errors": list(outcome.messages)}
    return outcome.to_dict()


def assert_same(got: list[Any], expected: list[Any]) -> None:
    assert len(got) == len(expected)
    for found, wanted in zip(got, expected, strict=True):
        assert type(found) is type(wanted), (shown(found), shown(wanted))
        if isinstance(wanted, InputError):
            assert found.messages == wanted.messages
        else:
            assert found == wanted, (shown(found), shown(wanted))
            assert found.to_dict() == wanted.to_dict()
            assert [r.explanation for r in found.results] == [r.explanation for r in wanted.results]


def as_line(document: Any) -> str:
    return json.dumps(document, default=list)  # tuples in the corpus become lists


def test_the_golden_corpus_gives_the_golden_digests_in_batches() -> None:
    """Decoded documents, as the app passes them: the recorded digest of every outcome."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    named = list(cases())
    documents = [copy.deepcopy(doc) for _, doc in named]
    evaluations: dict[str, list[Any]] = {name: [] for name, _ in named}
    errors: dict[str, list[str]] = {}
    for protocol in protocols().values():
        for as_of in AS_OFS:
            batch = list(evaluate_many(documents, protocol, as_of, batch_size=97))
            for (name, _), outcome in zip(named, batch, strict=True):
                if isinstance(outcome, InputError):
                    errors[name] = list(outcome.messages)
                else:
                    evaluations[name].append(outcome.to_dict())
    for name, doc in named:
        if name in errors:
            assert digest({"errors": errors[name]}) == golden[name], name
        elif not (isinstance(doc, dict) and "chronology" in doc and "child" not in doc):
            assert digest({"as_of": None, "evaluations": evaluations[name]}) == golden[name]


def test_the_golden_corpus_as_json_lines_equals_one_at_a_time() -> None:
    texts = [as_line(doc) for _, doc in cases()]
    # As read from a file (bytes, each with its newline), as text, and the two mixed.
    from_file = [f"{line}\n".encode() for line in texts]
    for lines in (from_file, texts, texts[::3] + from_file[::5]):
        for protocol in PROTOCOLS.values():
            for as_of in AS_OFS:
                expected = [evaluate_line(line, protocol, as_of) for line in lines]
                found = list(evaluate_lines(lines, protocol, as_of, batch_size=211))
                assert_same(found, expected)


def test_decoded_documents_equal_one_at_a_time_with_every_protocol() -> None:
    documents = [doc for _, doc in cases()]
    for protocol in PROTOCOLS.values():
        for as_of in (*AS_OFS, None):
            expected = [evaluate_document(doc, protocol, as_of) for doc in documents]
            assert_same(list(evaluate_many(documents, protocol, as_of)), expected)


chronology_documents = st.builds(
    lambda evs, non_mobile, ref: {
        "child": {"ref": ref, **({} if non_mobile is None else {"non_mobile": non_mobile})},
        "events": evs,
    },
    st.lists(good_events() | raw_events(), max_size=14),
    st.sampled_from([True, False, None]),
    st.sampled_from(["Child P", " Child Q ", ""]),
)


@settings(max_examples=60, deadline=None)
@given(
    documents=st.lists(chronology_documents, min_size=1, max_size=12),
    as_of=st.integers(0, 240).map(lambda n: date(2021, 12, 1) + timedelta(days=n)),
    protocol=st.sampled_from(sorted(PROTOCOLS)),
    batch_size=st.integers(1, 8),
)
def test_generated_chronologies_equal_one_at_a_time(
    documents: list[dict[str, Any]], as_of: date, protocol: str, batch_size: int
) -> None:
    chosen = PROTOCOLS[protocol]
    lines = [as_line(doc) for doc in documents]
    expected = [evaluate_line(line, chosen, as_of) for line in lines]
    assert_same(list(evaluate_lines(lines, chosen, as_of, batch_size=batch_size)), expected)
    decoded = [json.loads(line) for line in lines]
    assert_same(list(evaluate_many(decoded, chosen, as_of, batch_size=batch_size)), expected)


def chronology(*events: dict[str, Any], non_mobile: bool = True) -> dict[str, Any]:
    return {"child": {"ref": "Child B", "non_mobile": non_mobile}, "events": list(events)}


EDGE_LINES = [
    # Several incidents, times with seconds and offsets, dates only, a clock change.
    as_line(
        chronology(
            {"at": "2022-03-27T00:30:15+00:00", "type": "injury_observed", "incident": 1},
            {"at": "2022-03-27", "type": "referral", "incident": " 1 "},
            {"at": "2022-03-27T09:00", "type": "injury_observed", "incident": "2"},
            {"at": "2022-03-28T10:00:00.5", "type": "referral", "incident": 2},
            {"at": "2022-03-28", "type": "cp_medical", "incident": "2"},
            {"at": "2022-03-28", "type": "cp_medical_not_done", "reason": " seen. "},
            {"at": " 2022-03-29T16:00Z ", "type": "strategy_discussion", "agency": "police"},
            {"at": "2022-06-02", "type": "section47_started"},
            {"at": "2022-06-30", "type": "icpc", "outcome": "plan"},
        )
    ),
    # A mobile child; events after every as_of; a stop before its start.
    as_line(
        chronology(
            {"at": "2022-05-10T10:00", "type": "referral"},
            {"at": "2022-05-09T10:00", "type": "cp_medical"},
            {"at": "2030-01-01", "type": "referral_decision"},
            non_mobile=False,
        )
    ),
    # Dates the arrays leave to the one-at-a-time engine.
    as_line(chronology({"at": "1700-02-01", "type": "referral"})),
    # No events at all; an event of a type no rule uses.
    as_line(chronology()),
    as_line(chronology({"at": "2022-01-10", "type": "escalation", "summary": " x "})),
    # Bad input: every message as the detailed check writes it.
    as_line(chronology({"at": "2022-02-30", "type": "referal", "incident": ""})),
    as_line(chronology({"at": "2022-01-10", "type": "cp_medical_not_done", "reason": "  "})),
    as_line({"child": {"ref": "  "}, "events": []}),
    as_line({"as_of": "2022-03-01", "chronology": chronology()}),
    as_line({"as_of": "2022-03-01"}),
    '{"child": {"ref": "A"}, "events": [}',
    "",
    "[]",
    b"\xef\xbb\xbf" + as_line(chronology()).encode(),
    b'{"child": {"ref": "\xff"}, "events": []}',
    '{"child": {"ref": "A"}, "events": [{"at": "2022-01-10", "type": "referral", "id": NaN}]}',
    '{"child": {"ref": "A", "ref": 3}, "events": []}',
    '{"child": {"ref": 3, "ref": "A"}, "events": []}',
]


def test_edge_lines_equal_one_at_a_time() -> None:
    for protocol in PROTOCOLS.values():
        for as_of in (date(2022, 3, 27), date(2022, 7, 1)):
            expected = [evaluate_line(line, protocol, as_of) for line in EDGE_LINES]
            assert_same(list(evaluate_lines(EDGE_LINES, protocol, as_of)), expected)
            # Bytes with newlines, decoded in one call until a line is refused.
            from_file = [
                (line if isinstance(line, bytes) else line.encode()) + b"\n" for line in EDGE_LINES
            ]
            blank = [b"\n", b"  \n"]
            for lines in (
                from_file,
                from_file[:5],
                from_file[:1] + from_file[5:8],
                blank + from_file[:3] + blank,
            ):
                expected = [evaluate_line(line, protocol, as_of) for line in lines]
                assert_same(list(evaluate_lines(lines, protocol, as_of)), expected)
    messages = [
        o.messages
        for o in evaluate_lines(EDGE_LINES, PROTOCOLS["builtin"], date(2022, 7, 1))
        if isinstance(o, InputError)
    ]
    assert "events[0].at: 2022-02-30 is not a date" in messages[0]
    assert ("not valid JSON (line 1, column 36): Expecting value",) in messages


def test_a_batch_result_pickles_and_prints_like_a_single_one() -> None:
    protocol = load_protocol()
    line = EDGE_LINES[0]
    (batch,) = evaluate_lines([line], protocol, date(2022, 7, 1))
    single = evaluate_line(line, protocol, date(2022, 7, 1))
    assert isinstance(batch, Evaluation) and isinstance(single, Evaluation)
    for found, wanted in zip(batch.results, single.results, strict=True):
        assert repr(found) == repr(wanted) and hash(found) == hash(wanted)
        assert pickle.loads(pickle.dumps(found)) == wanted  # noqa: S301 - our own bytes
    assert batch.questions == single.questions


def test_an_example_keeps_its_own_as_of_when_none_is_given() -> None:
    protocol = load_protocol()
    example = {
        "as_of": "2022-05-11",
        "chronology": chronology({"at": "2022-05-10T10:00", "type": "referral"}),
    }
    plain = chronology({"at": "2022-05-10T10:00", "type": "referral"})
    found = list(evaluate_many([example, plain], protocol))
    assert found[0] == evaluate_document(example, protocol)
    assert isinstance(found[0], Evaluation) and found[0].as_of == date(2022, 5, 11)
    assert isinstance(found[1], Evaluation) and found[1].as_of != date(2022, 5, 11)
    lines = [as_line(example), as_line(plain)]
    assert list(evaluate_lines(lines, protocol)) == [
        evaluate_line(line, protocol) for line in lines
    ]


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 2)), max_size=60),
    st.booleans(),
)
def test_the_packed_sort_orders_as_lexsort(rows: list[tuple[int, int, int]], huge: bool) -> None:
    """One packed key (or, past int64, lexsort itself) gives lexsort's stable order."""
    columns = [np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)] or [
        np.zeros(0, dtype=np.int64)
    ] * 3
    bounds = (4, 6, 1 << 60) if huge else (4, 6, 3)
    got = _sort_order(*zip(columns, bounds, strict=True))
    assert got.tolist() == np.lexsort(columns[::-1]).tolist()
