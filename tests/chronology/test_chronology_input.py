"""Reading chronology files: what is accepted, and what a user is told when it is not."""

from __future__ import annotations

from datetime import date, time

import pytest

from maca.chronology.engine import ChronologyError, parse_chronology, parse_document
from tests.chronology.chronology_support import chronology, ev


def messages(doc: object) -> tuple[str, ...]:
    with pytest.raises(ChronologyError) as caught:
        parse_chronology(doc)
    return caught.value.messages


def test_the_contract_example_parses() -> None:
    doc = {
        "child": {"ref": "Child A", "date_of_birth": "2021-11-02", "non_mobile": True},
        "events": [
            {
                "at": "2022-01-10T09:30",
                "type": "injury_observed",
                "agency": "health-visiting",
                "incident": "1",
                "summary": "bruise on left ear seen at new birth review",
            },
            {"at": "2022-01-10T11:00", "type": "referral", "agency": "health-visiting"},
            {
                "at": "2022-01-11",
                "type": "strategy_discussion",
                "agency": "csc",
                "attendees": ["csc", "police", "health-visiting"],
                "siblings_considered": True,
            },
        ],
    }
    parsed = parse_chronology(doc)
    assert parsed.child.ref == "Child A"
    assert parsed.child.date_of_birth == date(2021, 11, 2)
    first, _, third = parsed.events
    assert (first.local_date, first.local_time, first.incident) == (
        date(2022, 1, 10),
        time(9, 30),
        "1",
    )
    assert first.summary == "bruise on left ear seen at new birth review"
    assert third.date_only and third.local_time is None
    assert third.fields["attendees"] == ["csc", "police", "health-visiting"]


def test_date_only_events_stay_date_only() -> None:
    (event,) = parse_chronology(chronology(ev("2022-01-11", "cp_medical"))).events
    assert event.date_only
    assert event.local_datetime() is None
    assert event.at == "2022-01-11"


def test_seconds_are_accepted() -> None:
    (event,) = parse_chronology(chronology(ev("2022-01-10T09:30:15", "referral"))).events
    assert event.local_time == time(9, 30, 15)


@pytest.mark.parametrize(
    ("at", "local_date", "local_time"),
    [
        ("2022-06-20T08:00Z", date(2022, 6, 20), time(9, 0)),  # summer time: UTC+1
        ("2022-01-20T08:00+00:00", date(2022, 1, 20), time(8, 0)),  # winter: London = UTC
        ("2022-06-20T23:30+00:00", date(2022, 6, 21), time(0, 30)),  # the date moves
        ("2022-06-20T10:00+02:00", date(2022, 6, 20), time(9, 0)),
    ],
)
def test_utc_offsets_are_converted_to_london(at: str, local_date: date, local_time: time) -> None:
    (event,) = parse_chronology(chronology(ev(at, "referral"))).events
    assert (event.local_date, event.local_time) == (local_date, local_time)
    assert event.at == at  # reported as given


def test_incidents_may_be_integers_and_compare_as_strings() -> None:
    events = parse_chronology(
        chronology(ev("2022-01-10", "referral", incident=1), ev("2022-01-10", "referral"))
    ).events
    assert [e.incident for e in events] == ["1", None]


def test_defaults_and_unknown_keys() -> None:
    doc = {
        "child": {"ref": "Child B"},
        "events": [ev("2022-01-10", "escalation", colour="red", id=7)],
        "notes": "kept and ignored",
    }
    parsed = parse_chronology(doc)
    assert parsed.child.non_mobile is True
    assert parsed.child.date_of_birth is None
    assert parsed.events[0].fields["colour"] == "red"


def test_events_need_not_be_in_order() -> None:
    parsed = parse_chronology(
        chronology(ev("2022-01-12", "cp_medical"), ev("2022-01-10", "referral"))
    )
    assert [e.index for e in parsed.events] == [0, 1]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            [ev("2022-01-10", "referral")] * 3 + [ev("2022-02-30", "referral")],
            "events[3].at: 2022-02-30 is not a date",
        ),
        (
            [ev("2022-01-10", "referral"), ev("2022-01-10", "foo")],
            "events[1].type: 'foo' is not a known event type",
        ),
        (
            [
                ev("2022-01-10", "referral"),
                ev("2022-01-10", "referral"),
                {"at": "2022-01-10", "type": "strategy_discussion_not_held"},
            ],
            "events[2].reason: required for strategy_discussion_not_held",
        ),
        (
            [{"at": "2022-01-10", "type": "cp_medical_not_done", "reason": "  "}],
            "events[0].reason: required for cp_medical_not_done",
        ),
        (
            [{"at": "2022-01-10", "type": "icpc_not_required"}],
            "events[0].reason: required for icpc_not_required",
        ),
        ([ev("2022-02-30T10:00", "referral")], "events[0].at: 2022-02-30 is not a date"),
        ([ev("2022-02-10T25:00", "referral")], "events[0].at: 2022-02-10T25:00 is not a date-time"),
        (
            [ev("10/02/2022", "referral")],
            "events[0].at: '10/02/2022' is not a date or date-time "
            "(expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
        ),
        ([{"type": "referral"}], "events[0].at: required"),
        ([{"at": "2022-01-10"}], "events[0].type: required"),
        (
            [ev("2022-01-10", "referral", incident=True)],
            "events[0].incident: expected a string or an integer",
        ),
        (
            [ev("2022-01-10", "icpc", outcome="maybe")],
            "events[0].outcome: expected one of plan, no_plan, got 'maybe'",
        ),
        (["referral"], "events[0]: expected an object"),
    ],
)
def test_bad_events_are_reported_with_index_and_field(events: list, message: str) -> None:
    assert message in messages(chronology(*events))


def test_unknown_type_suggests_a_close_match() -> None:
    found = messages(chronology(ev("2022-01-10", "referal")))
    assert found == (
        "events[0].type: 'referal' is not a known event type (did you mean 'referral'?)",
    )


def test_every_problem_is_reported_at_once() -> None:
    found = messages(
        {
            "child": {"non_mobile": "yes"},
            "events": [ev("2022-02-30", "referral"), ev("2022-01-10", "foo")],
        }
    )
    assert found == (
        "child.ref: required",
        "child.non_mobile: expected true or false",
        "events[0].at: 2022-02-30 is not a date",
        "events[1].type: 'foo' is not a known event type",
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"events": []}, "child: required"),
        ({"child": {}, "events": []}, "child.ref: required"),
        ({"child": {"ref": ""}, "events": []}, "child.ref: required"),
        ({"child": {"ref": "A"}}, "events: required"),
        ({"child": {"ref": "A"}, "events": {}}, "events: expected a list"),
        (
            {"child": {"ref": "A", "date_of_birth": "2021-02-29"}, "events": []},
            "child.date_of_birth: 2021-02-29 is not a date",
        ),
        ([], "chronology: expected a JSON object"),
    ],
)
def test_bad_child_and_document(doc: object, message: str) -> None:
    assert message in messages(doc)


def test_document_wrapper_takes_as_of_and_prefixes_paths() -> None:
    chron, as_of = parse_document({"as_of": "2022-03-31", "chronology": chronology()})
    assert as_of == date(2022, 3, 31)
    assert chron.child.ref == "Child T"
    with pytest.raises(ChronologyError) as caught:
        parse_document(
            {"as_of": "2022-03-31", "chronology": chronology(ev("2022-02-30", "referral"))}
        )
    assert caught.value.messages == ("chronology.events[0].at: 2022-02-30 is not a date",)
