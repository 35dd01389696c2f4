"""The evaluator: runs every rule's clocks over one chronology (contracts.md section 4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, NamedTuple

from .chronology import LONDON, Chronology, Event
from .explain import explain
from .protocol import EventMatch, Protocol, Rule, RulePlan


class Status(StrEnum):
    """A clock's outcome. Declared worst first: a question takes its worst rule's status."""

    MISSING = "missing"
    LATE = "late"
    PENDING = "pending"
    REASON_RECORDED = "reason_recorded"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"


WORST_FIRST: tuple[Status, ...] = tuple(Status)


class _ResultRow(NamedTuple):
    rule: str
    question: str
    incident: str | None
    status: Status
    started: str
    due: date | None
    done: str | None
    # The sentence, or the arguments of `explain` that write it when it is first read (or, from
    # the batch evaluator, an object whose `explain()` writes it).
    wording: Any


class Result(_ResultRow):
    """One clock: the rule, when it started, when it was due, and what closed it.

    Immutable like the frozen dataclass it replaced, and compared, hashed and shown by the same
    eight values, `explanation` included. The explanation is written only when read (to_dict,
    templates): a batch that counts statuses never pays for the sentences.
    """

    __slots__ = ()

    def __new__(
        cls,
        rule: str,
        question: str,
        incident: str | None,
        status: Status,
        started: str,
        due: date | None,
        done: str | None,
        explanation: str,
    ) -> Result:
        return _new_tuple(cls, (rule, question, incident, status, started, due, done, explanation))

    @property
    def explanation(self) -> str:
        wording = self[7]
        if type(wording) is str:
            return wording
        if type(wording) is tuple:
            return explain(*wording)
        return str(wording.explain())  # the batch evaluator's deferred wording (batch.py)

    def _values(self) -> tuple[Any, ...]:
        return (*self[:7], self.explanation)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Result):
            return NotImplemented
        return self[:7] == other[:7] and self.explanation == other.explanation

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled and copied with its sentence, as the dataclass was (not what wrote it)."""
        return (Result, self._values())

    def __repr__(self) -> str:
        names = (*self._fields[:7], "explanation")
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._values(), strict=True))
        return f"Result({shown})"

    def to_dict(self) -> dict[str, Any]:
        due = self[5]
        return {
            "rule": self[0],
            "question": self[1],
            "incident": self[2],
            "status": str(self[3]),
            "started": self[4],
            "due": due.isoformat() if due else None,
            "done": self[6],
            "explanation": self.explanation,
        }


_new_tuple = tuple.__new__


class QuestionSummary(NamedTuple):
    """An audit question's worst status over the rules that gave results for it (a named tuple:
    immutable, and quick to build for every chronology of a batch)."""

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

    @classmethod
    def made(
        cls,
        protocol: str,
        child: str,
        as_of: date,
        results: tuple[Result, ...],
        questions: tuple[QuestionSummary, ...],
    ) -> Evaluation:
        """The same as the constructor, without its frozen set per field: the batch evaluator
        makes one for every chronology."""
        evaluation = object.__new__(cls)
        vars(evaluation).update(
            protocol=protocol, child=child, as_of=as_of, results=results, questions=questions
        )
        return evaluation

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
    # Each rule looks only at the events of the types it names, sorted as clock starts once
    # here rather than once per rule (a sort is stable: ties keep the input order).
    by_type: dict[str, list[Event]] = {}
    for event in sorted(chronology.events, key=_start_order):
        if event.local_date <= as_of:
            same_type = by_type.get(event.type)
            if same_type is None:
                by_type[event.type] = [event]
            else:
                same_type.append(event)
    applies = chronology.child.non_mobile
    results: list[Result] = []
    append = results.append
    for rule in protocol.rules:
        plan = rule.plan
        starts = by_type.get(plan.start_type)
        if starts is None and plan.fallback_type is None:
            continue  # no clock: the common case for most rules of most chronologies
        clocks = _clocks(rule, plan, by_type, presorted=True)
        if not clocks:
            continue
        if plan.non_mobile_only and not applies:
            for start, incident in clocks:
                append(_not_applicable(rule, start, incident, as_of))
            continue
        closers = by_type.get(plan.stop_type, _NONE)
        if plan.not_done_type is not None and plan.not_done_type != plan.stop_type:
            closers = [*closers, *by_type.get(plan.not_done_type, _NONE)]
        for start, incident in clocks:
            append(_clock_result(rule, plan, start, incident, closers, as_of))
    return Evaluation(
        protocol=protocol.id,
        child=chronology.child.ref,
        as_of=as_of,
        results=tuple(results),
        questions=tuple(summarise(results)),
    )


_NONE: list[Event] = []


def summarise(results: Iterable[Result]) -> list[QuestionSummary]:
    """One entry per question, in order of first result, with the worst status of its results."""
    worst: dict[str, Status] = {}
    rules: dict[str, list[str]] = {}
    rank = _RANK
    for result in results:
        question, status = result[1], result[3]
        found = worst.get(question)
        if found is None:
            worst[question] = status
            rules[question] = [result[0]]
            continue
        if rank[status] < rank[found]:
            worst[question] = status
        question_rules = rules[question]
        if result[0] not in question_rules:
            question_rules.append(result[0])
    return [
        _new_tuple(QuestionSummary, (question, status, tuple(rules[question])))
        for question, status in worst.items()
    ]


_RANK: dict[Status, int] = {status: rank for rank, status in enumerate(WORST_FIRST)}


def incidents_match(a: str | None, b: str | None) -> bool:
    """Events without an incident belong to the implicit incident, which matches any other."""
    return a is None or b is None or a == b


def _start_order(event: Event) -> tuple[Any, ...]:
    """A clock start's place: its date, its time (a date-only event first), then input order."""
    return (event[3], event[4] or _DAY_START, event[0])


_DAY_START, _DAY_END = time.min, time.max


def _matching(
    wanted: str, match: EventMatch | None, by_type: Mapping[str, Sequence[Event]]
) -> list[Event]:
    """The events of type `wanted` that `match` (None: no filter) selects, in index order."""
    if match is not None:
        return [e for e in by_type.get(wanted, _NONE) if match.matches(e)]
    return [e for e in by_type.get(wanted, _NONE) if e.type == wanted]


def _clock_starts(
    rule: Rule, by_type: Mapping[str, Sequence[Event]]
) -> list[tuple[Event, str | None]]:
    """Each clock's start event, with the incident to report (per-incident rules only), in
    start order."""
    clocks = _clocks(rule, rule.plan, by_type, presorted=False)
    if len(clocks) > 1:
        clocks.sort(key=lambda clock: _start_order(clock[0]))
    return clocks


def _clocks(
    rule: Rule, plan: RulePlan, by_type: Mapping[str, Sequence[Event]], *, presorted: bool
) -> list[tuple[Event, str | None]]:
    """`_clock_starts`; with `presorted` the index's lists are in start order already."""
    primary = _matching(plan.start_type, plan.start_filter, by_type)
    if not presorted and len(primary) > 1:
        primary.sort(key=_start_order)
    fallback: list[Event] = []
    if plan.fallback_type is not None:
        fallback = _matching(plan.fallback_type, plan.fallback_filter, by_type)
        if not presorted and len(fallback) > 1:
            fallback.sort(key=_start_order)
    if not plan.per_incident:
        return [(event, None) for event in (primary or fallback)]

    # One clock per incident, at its earliest start event; an incident with no start event that
    # could belong to it (same incident, or either unnamed) starts at its earliest fallback event.
    earliest: dict[str | None, Event] = {}
    for event in primary:
        earliest.setdefault(event.incident, event)
    from_fallback = False
    for event in fallback:
        if event.incident in earliest:
            continue
        if any(incidents_match(p.incident, event.incident) for p in primary):
            continue
        earliest[event.incident] = event
        from_fallback = True
    clocks = [(event, incident) for incident, event in earliest.items()]
    if from_fallback and primary:
        clocks.sort(key=lambda clock: _start_order(clock[0]))
    return clocks


def _closing_event(rule: Rule, start: Event, events: Sequence[Event]) -> Event | None:
    """The earliest stop or "not done" event at or after the start; a stop wins a tie.
    `events` may be only those of the stop's and "not done"'s types: the order is by key."""
    return _closing(rule.plan, start, events)


def _closing(plan: RulePlan, start: Event, events: Sequence[Event]) -> Event | None:
    best: tuple[Any, ...] | None = None
    closing: Event | None = None
    start_index, start_incident = start.index, start.incident
    start_key = (start.local_date, start.local_time or _DAY_START)
    stop_type, stop_filter = plan.stop_type, plan.stop_filter
    not_done_type, not_done_filter = plan.not_done_type, plan.not_done_filter
    for event in events:
        if event.index == start_index:
            continue
        stop_key = (event.local_date, event.local_time or _DAY_END)
        if stop_key < start_key:
            continue
        incident = event.incident
        if start_incident is not None and incident is not None and incident != start_incident:
            continue
        type_ = event.type
        if type_ == stop_type and (stop_filter is None or stop_filter.matches(event)):
            rank = 0
        elif type_ == not_done_type and (not_done_filter is None or not_done_filter.matches(event)):
            rank = 1
        else:
            continue
        key = (stop_key, rank, event.index)
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
    """One clock's result."""
    if rule.non_mobile_only and not chronology.child.non_mobile:
        return _not_applicable(rule, start, incident, as_of)
    return _clock_result(rule, rule.plan, start, incident, events, as_of)


def _not_applicable(rule: Rule, start: Event, incident: str | None, as_of: date) -> Result:
    status = Status.NOT_APPLICABLE
    return _new_tuple(
        Result,
        (
            rule.id,
            rule.question,
            incident if rule.per_incident else None,
            status,
            start.at,
            None,
            None,
            (rule, status, start, None, None, as_of),
        ),
    )


def _clock_result(
    rule: Rule,
    plan: RulePlan,
    start: Event,
    incident: str | None,
    events: Sequence[Event],
    as_of: date,
) -> Result:
    due = plan.due(start.local_date)
    closing = _closing(plan, start, events)
    if closing is None:
        status = _MISSING if due < as_of else _PENDING
        done = None
    else:
        done = closing.at
        stop_filter = plan.stop_filter
        if closing.type != plan.stop_type or (
            stop_filter is not None and not stop_filter.matches(closing)
        ):
            status = _REASON_RECORDED
        else:
            status = _MET if closing.local_date <= due else _LATE
    return _new_tuple(
        Result,
        (
            rule.id,
            rule.question,
            incident if plan.per_incident else None,
            status,
            start.at,
            due,
            done,
            (rule, status, start, closing, due, as_of),
        ),
    )


_MISSING, _PENDING, _REASON_RECORDED = Status.MISSING, Status.PENDING, Status.REASON_RECORDED
_MET, _LATE = Status.MET, Status.LATE
