"""The evaluator: runs every rule's clocks over one chronology (contracts.md section 4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .chronology import LONDON, Chronology, Event
from .explain import explain
from .protocol import Protocol, Rule


class Status(StrEnum):
    """A clock's outcome. Declared worst first: a question takes its worst rule's status."""

    MISSING = "missing"
    LATE = "late"
    PENDING = "pending"
    REASON_RECORDED = "reason_recorded"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"


WORST_FIRST: tuple[Status, ...] = tuple(Status)


@dataclass(frozen=True)
class Result:
    """One clock: the rule, when it started, when it was due, and what closed it."""

    rule: str
    question: str
    incident: str | None
    status: Status
    started: str
    due: date | None
    done: str | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "question": self.question,
            "incident": self.incident,
            "status": str(self.status),
            "started": self.started,
            "due": self.due.isoformat() if self.due else None,
            "done": self.done,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class QuestionSummary:
    """An audit question's worst status over the rules that gave results for it."""

    question: str
    status: Status
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "status": str(self.status), "rules": list(self.rules)}


@dataclass(frozen=True)
class Evaluation:
    """Everything `maca evaluate` prints, in the contract's key order."""

    protocol: str
    child: str
    as_of: date
    results: tuple[Result, ...]
    questions: tuple[QuestionSummary, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "child": self.child,
            "as_of": self.as_of.isoformat(),
            "results": [result.to_dict() for result in self.results],
            "questions": [question.to_dict() for question in self.questions],
        }


def today_in_london() -> date:
    return datetime.now(LONDON).date()


def evaluate(chronology: Chronology, protocol: Protocol, as_of: date | None = None) -> Evaluation:
    """Evaluate every rule of `protocol` on `chronology` as the record stood on `as_of`.

    Events dated after `as_of` are ignored, as if not yet recorded; `as_of` defaults to today
    in Europe/London.
    """
    as_of = as_of or today_in_london()
    events = [event for event in chronology.events if event.local_date <= as_of]
    # Each rule looks only at the events of the types it names (same order as `events`).
    by_type: dict[str, list[Event]] = {}
    for event in events:
        by_type.setdefault(event.type, []).append(event)
    results: list[Result] = []
    for rule in protocol.rules:
        clocks = sorted(_clock_starts(rule, by_type), key=lambda clock: _start_order(clock[0]))
        closers = by_type.get(rule.stop.event, [])
        if rule.not_done is not None and rule.not_done.event != rule.stop.event:
            closers = closers + by_type.get(rule.not_done.event, [])
        for start, incident in clocks:
            results.append(_run_clock(rule, start, incident, closers, chronology, as_of))
    return Evaluation(
        protocol=protocol.id,
        child=chronology.child.ref,
        as_of=as_of,
        results=tuple(results),
        questions=tuple(summarise(results)),
    )


def summarise(results: Iterable[Result]) -> list[QuestionSummary]:
    """One entry per question, in order of first result, with the worst status of its results."""
    statuses: dict[str, list[Status]] = {}
    rules: dict[str, list[str]] = {}
    for result in results:
        statuses.setdefault(result.question, []).append(result.status)
        question_rules = rules.setdefault(result.question, [])
        if result.rule not in question_rules:
            question_rules.append(result.rule)
    return [
        QuestionSummary(
            question=question,
            status=min(found, key=WORST_FIRST.index),
            rules=tuple(rules[question]),
        )
        for question, found in statuses.items()
    ]


def incidents_match(a: str | None, b: str | None) -> bool:
    """Events without an incident belong to the implicit incident, which matches any other."""
    return a is None or b is None or a == b


def _start_order(event: Event) -> tuple[Any, ...]:
    return (event.start_key, event.index)


def _clock_starts(
    rule: Rule, by_type: Mapping[str, Sequence[Event]]
) -> list[tuple[Event, str | None]]:
    """Each clock's start event, with the incident to report (per-incident rules only)."""
    primary = sorted(
        (e for e in by_type.get(rule.start.event, ()) if rule.start.matches(e)), key=_start_order
    )
    fallback: list[Event] = []
    if rule.fallback is not None:
        fallback = sorted(
            (e for e in by_type.get(rule.fallback.event, ()) if rule.fallback.matches(e)),
            key=_start_order,
        )
    if not rule.per_incident:
        return [(event, None) for event in (primary or fallback)]

    # One clock per incident, at its earliest start event; an incident with no start event that
    # could belong to it (same incident, or either unnamed) starts at its earliest fallback event.
    earliest: dict[str | None, Event] = {}
    for event in primary:
        earliest.setdefault(event.incident, event)
    for event in fallback:
        if event.incident in earliest:
            continue
        if any(incidents_match(p.incident, event.incident) for p in primary):
            continue
        earliest[event.incident] = event
    return [(event, incident) for incident, event in earliest.items()]


def _closing_event(rule: Rule, start: Event, events: Sequence[Event]) -> Event | None:
    """The earliest stop or "not done" event at or after the start; a stop wins a tie.
    `events` may be only those of the stop's and "not done"'s types: the order is by key."""
    best: tuple[Any, ...] | None = None
    closing: Event | None = None
    for event in events:
        if event.index == start.index or event.stop_key < start.start_key:
            continue
        if not incidents_match(start.incident, event.incident):
            continue
        if rule.stop.matches(event):
            rank = 0
        elif rule.not_done is not None and rule.not_done.matches(event):
            rank = 1
        else:
            continue
        key = (event.stop_key, rank, event.index)
        if best is None or key < best:
            best, closing = key, event
    return closing


def _run_clock(
    rule: Rule,
    start: Event,
    incident: str | None,
    events: Sequence[Event],
    chronology: Chronology,
    as_of: date,
) -> Result:
    shown_incident = incident if rule.per_incident else None
    if rule.non_mobile_only and not chronology.child.non_mobile:
        return Result(
            rule=rule.id,
            question=rule.question,
            incident=shown_incident,
            status=Status.NOT_APPLICABLE,
            started=start.at,
            due=None,
            done=None,
            explanation=explain(rule, "not_applicable", start, None, None, as_of),
        )
    due = rule.timescale.due(start.local_date)
    closing = _closing_event(rule, start, events)
    if closing is None:
        status = Status.MISSING if due < as_of else Status.PENDING
    elif not rule.stop.matches(closing):
        status = Status.REASON_RECORDED
    else:
        status = Status.MET if closing.local_date <= due else Status.LATE
    return Result(
        rule=rule.id,
        question=rule.question,
        incident=shown_incident,
        status=status,
        started=start.at,
        due=due,
        done=closing.at if closing else None,
        explanation=explain(rule, str(status), start, closing, due, as_of),
    )
