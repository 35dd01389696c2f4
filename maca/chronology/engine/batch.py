"""Evaluating many chronologies at once, with exactly the outcome of one at a time.

`evaluate_lines` takes JSON texts (a JSON Lines file's lines), `evaluate_many` decoded
documents; both yield, in input order, what `evaluate_line` / `evaluate_document` give for each
one: an Evaluation, or the InputError that names every problem.

How (docs/chronology.md, "Many chronologies at once"):

- JSON is decoded by msgspec straight into typed structs (types checked in C). A line it
  refuses, or one whose values need a check the structs cannot make (a blank reference, an
  empty incident, a date it cannot read), is handed whole to `evaluate_line`, so every message
  is the detailed check's own.
- Dates and times of the usual shapes are read for the whole batch at once with numpy;
  anything else goes through `parse_at` one value at a time.
- Every rule runs over all the batch's events as arrays: clock starts (per incident, fallback
  starts), closing events (a sorted search per chronology and incident), due dates (numpy
  working days with the same bank holidays, months clamped to the month's end), statuses.
- The Result tuples, question summaries and Evaluations are then built by C-level loops.

tests/chronology/test_chronology_batch.py holds the batch to the one-at-a-time engine.
"""

from __future__ import annotations

import gc
import json
import keyword
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, time
from functools import partial
from itertools import chain, islice, repeat
from operator import attrgetter
from typing import Any, Literal, TypeVar

import msgspec
import numpy as np

from .chronology import Event, parse_at, parse_date, parse_document
from .errors import ChronologyError, InputError
from .evaluate import WORST_FIRST, Evaluation, QuestionSummary, Result, evaluate, today_in_london
from .explain import explain
from .protocol import EventMatch, Protocol, Rule, _same
from .timescales import add_months_array, add_working_days_array
from .vocabulary import EVENT_TYPES

Outcome = Evaluation | InputError
T = TypeVar("T")

BATCH_SIZE = 8192  # chronologies evaluated together: big enough for numpy, small in memory
_CHUNK = 64  # chronologies whose objects are built together

_EPOCH = date(1970, 1, 1).toordinal()
_US_DAY = 86_400_000_000
_DAY_END_US = _US_DAY - 1  # time.max: a date-only event stops at the end of its day
# Events outside these dates (days since 1970) take the one-at-a-time engine, which also
# reports what numpy and Python dates cannot hold.
_FIRST_DAY = date(1800, 1, 1).toordinal() - _EPOCH
_LAST_DAY = date(2300, 1, 1).toordinal() - _EPOCH
_MAX_AMOUNT = 5000  # longer timescales, as unusual, take the one-at-a-time engine
_MAX_SUMMARIES = 65_536  # patterns of question summaries kept per protocol
_MAX_RULES = 22  # a chronology's question key holds one base-7 digit per rule in an int64
_TYPE_NAMES: tuple[str, ...] = tuple(EVENT_TYPES)
_TYPE_INDEX = {name: index for index, name in enumerate(_TYPE_NAMES)}
_MISSING, _LATE, _PENDING, _REASON, _MET, _NOT_APPLICABLE = range(6)
_new_summary = partial(tuple.__new__, QuestionSummary)
_NO_DAY = -(1 << 62)  # the due "day" of a not applicable result: no due date


class _Wording(tuple[Any, ...]):
    """A batch result's explanation, written when first read: (batch, result number). The
    batch builds the start and closing Events then."""

    __slots__ = ()

    def explain(self) -> str:
        batch, number = self
        return batch.explain(number)


# --- the one-at-a-time references -----------------------------------------------------------


def evaluate_document(document: Any, protocol: Protocol, as_of: date | None = None) -> Outcome:
    """One decoded chronology file (or worked example) evaluated as `maca evaluate` does: an
    example's own `as_of` applies when `as_of` is None."""
    try:
        chronology, example_as_of = parse_document(document)
    except ChronologyError as exc:
        return exc
    return evaluate(chronology, protocol, as_of or example_as_of)


def evaluate_line(line: bytes | str, protocol: Protocol, as_of: date | None = None) -> Outcome:
    """One JSON text (a line of a JSON Lines file) decoded with `json` and evaluated."""
    try:
        document = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError([f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"])
    except UnicodeDecodeError:
        return InputError(["not UTF-8 text"])
    return evaluate_document(document, protocol, as_of)


# --- the batch evaluators -------------------------------------------------------------------


def evaluate_lines(
    lines: Iterable[bytes | str],
    protocol: Protocol,
    as_of: date | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Outcome]:
    """`evaluate_line` of each line, in order, computed a batch at a time."""
    return _evaluate_all(_LineBatch, evaluate_line, lines, protocol, as_of, batch_size)


def evaluate_many(
    documents: Iterable[Any],
    protocol: Protocol,
    as_of: date | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Outcome]:
    """`evaluate_document` of each decoded document, in order, computed a batch at a time
    (the validation is the one-at-a-time parser's; the evaluation is vectorised)."""
    return _evaluate_all(_DocumentBatch, evaluate_document, documents, protocol, as_of, batch_size)


def _evaluate_all(
    kind: type[_Batch],
    alone: Callable[[Any, Protocol, date | None], Outcome],
    items: Iterable[Any],
    protocol: Protocol,
    as_of: date | None,
    batch_size: int,
) -> Iterator[Outcome]:
    """Each item's outcome, a batch at a time; one at a time (`alone`) for a protocol the
    batch does not handle."""
    plan = _plan(protocol)
    for batch in _batches(items, batch_size):
        if plan is None:
            yield from (alone(item, protocol, as_of) for item in batch)
        else:
            yield from _outcomes(kind, batch, plan, as_of)


def _outcomes(
    kind: type[_Batch], items: list[Any], plan: _Plan, as_of: date | None
) -> Iterator[Outcome]:
    """A batch's outcomes: read, evaluated as arrays, then built a chunk at a time."""
    batch = _without_gc(kind, items, plan, as_of)
    _without_gc(batch.evaluate)
    return batch.outcomes()


def _without_gc(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` with the cyclic garbage collector paused: it would scan the many objects
    made, all alive until the work is done, again and again, for nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return work(*args)
    finally:
        if collecting:
            gc.enable()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


# --- what a protocol needs, worked out once -------------------------------------------------

# In the contract's order (after "at" and "type"): msgspec looks for each key first where the
# previous one was found.
_BASE_FIELDS: tuple[tuple[str, Any, Any], ...] = (
    ("agency", str | None, None),
    ("incident", str | int | None, None),
    ("summary", str | None, None),
    ("reason", str | None, None),
    ("id", str | int | None, None),
    ("outcome", Literal["plan", "no_plan"] | None, None),
    ("plan", Literal["cp", "cin", "early_help"] | None, None),
    ("attendees", list[str] | None, None),
    ("siblings_considered", bool | None, None),
)


class _Child(msgspec.Struct, gc=False):
    ref: str
    date_of_birth: str | None = None
    non_mobile: bool | None = None


class _Plan:
    """A protocol's rules as codes and arrays, and the JSON decoder for its chronologies."""

    def __init__(self, protocol: Protocol, decoder: msgspec.json.Decoder[Any]) -> None:
        self.protocol = protocol
        self.decoder = decoder
        self.rules = protocol.rules
        self.rule_ids = [rule.id for rule in self.rules]
        self.questions = [rule.question for rule in self.rules]
        self.matches: list[EventMatch] = []  # the filters, numbered
        for rule in self.rules:
            plan = rule.plan
            for match in (
                plan.start_filter,
                plan.fallback_filter,
                plan.stop_filter,
                plan.not_done_filter,
            ):
                if match is not None and match not in self.matches:
                    self.matches.append(match)
        used = {
            m.event
            for rule in self.rules
            for m in (rule.start, rule.stop, rule.fallback, rule.not_done)
            if m is not None
        }
        self.used = np.array([name in used for name in _TYPE_NAMES], dtype=bool)
        # Question summaries by pattern of worst statuses (see _Batch._summaries).
        self.summaries: dict[int, tuple[QuestionSummary, ...]] = {}
        self.required = [
            (_TYPE_INDEX[name], type_.required)
            for name, type_ in EVENT_TYPES.items()
            if type_.required
        ]


_PLANS: dict[int, tuple[Protocol, _Plan | None]] = {}


def _plan(protocol: Protocol) -> _Plan | None:
    """None when the protocol has something the batch does not handle (then every
    chronology takes the one-at-a-time engine). Kept per protocol object (a Protocol is
    immutable, but its filters make it unhashable)."""
    found = _PLANS.get(id(protocol))
    if found is not None and found[0] is protocol:
        return found[1]
    if len(_PLANS) >= 32:
        _PLANS.clear()
    plan = _make_plan(protocol)
    _PLANS[id(protocol)] = (protocol, plan)
    return plan


def _make_plan(protocol: Protocol) -> _Plan | None:
    if len(protocol.rules) > _MAX_RULES:
        return None
    if any(rule.timescale.amount > _MAX_AMOUNT for rule in protocol.rules):
        return None
    base = {"at", "type", *(name for name, _, _ in _BASE_FIELDS)}
    extra = sorted(
        {
            key
            for rule in protocol.rules
            for match in (rule.start, rule.stop, rule.fallback, rule.not_done)
            if match is not None
            for key in match.where
            if key not in base
        }
    )
    if any(
        not key.isidentifier() or keyword.iskeyword(key) or key.startswith("_") for key in extra
    ):
        return None
    try:
        event = msgspec.defstruct(
            "BatchEvent",
            [
                ("at", str),
                ("type", Literal[_TYPE_NAMES]),
                *_BASE_FIELDS,
                *((key, Any, None) for key in extra),
            ],
            gc=False,
        )
        document = msgspec.defstruct(
            "BatchDocument",
            [("child", _Child), ("events", list[event])],  # type: ignore[valid-type]
            gc=False,
        )
    except (TypeError, ValueError):
        return None
    return _Plan(protocol, msgspec.json.Decoder(document))


# --- one batch ------------------------------------------------------------------------------


class _Batch(ABC):
    """The vectorised evaluation over a batch's valid chronologies. Subclasses fill the event
    columns (one entry per event of every valid chronology, in chronology then input order)
    and say how to build an Event and test a filter."""

    plan: _Plan
    as_of: date
    outcomes_: list[Outcome | None]
    valid: list[int]  # input positions of the chronologies evaluated here
    refs: list[str]
    non_mobile: list[bool]
    counts: list[int]  # events per valid chronology
    type_code: np.ndarray  # index into _TYPE_NAMES
    day: np.ndarray  # days since 1970
    micros: np.ndarray  # microsecond of the day, -1 for a date-only event
    incident: np.ndarray  # index into incident_names, -1 for the implicit incident
    incident_names: list[str]
    at: list[str]  # each event's `at`, stripped

    index: np.ndarray  # each event's index in its chronology

    @abstractmethod
    def __init__(self, items: list[Any], plan: _Plan, as_of: date | None) -> None:
        """Filled in by each kind of batch (lines, decoded documents)."""

    @abstractmethod
    def make_event(self, position: int) -> Event:
        """Filled in by each kind of batch (lines, decoded documents)."""

    @abstractmethod
    def filter_flags(self, match: EventMatch, positions: np.ndarray) -> np.ndarray:
        """Filled in by each kind of batch (lines, decoded documents)."""

    @abstractmethod
    def fallback(self, position: int) -> Outcome:
        """Filled in by each kind of batch (lines, decoded documents)."""

    def outcomes(self) -> Iterator[Outcome]:
        """Each item's outcome in order. Objects are built a chunk of chronologies at a time,
        so that few are alive at once (the garbage collector scans every live one)."""
        valid = len(self.valid)
        if valid == len(self.outcomes_) and not self._odd:  # every item evaluated here
            for first in range(0, valid, _CHUNK):
                built = _without_gc(self._emit, first, min(first + _CHUNK, valid))
                for evaluation in built:  # noqa: UP028 (measured: yield from is slower here)
                    yield evaluation
            self.outcomes_ = []
            self.release()
            return
        number_of = {position: number for number, position in enumerate(self.valid)}
        odd, chunk_first = self._odd, 0
        chunk: list[Evaluation] = []
        for position, found in enumerate(self.outcomes_):
            if found is not None:
                yield found
                continue
            number = number_of.get(position)
            if number is None or number in odd:
                yield self.fallback(position)
                continue
            if number >= chunk_first + len(chunk):
                chunk_first = number
                chunk = _without_gc(self._emit, number, min(number + _CHUNK, len(self.valid)))
            yield chunk[number - chunk_first]
        # The results' explanations keep the batch: not the input, which they do not need.
        self.outcomes_ = []
        self.release()

    @abstractmethod
    def release(self) -> None:
        """Drop what only the outcomes needed."""

    def evaluate(self) -> None:
        n = len(self.valid)
        if not n:
            return
        plan, as_of = self.plan, self.as_of
        counts = np.array(self.counts, dtype=np.int64)
        chron = np.repeat(np.arange(n, dtype=np.int64), counts)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1])) if n else counts
        index = np.arange(chron.size, dtype=np.int64) - np.repeat(offsets, counts)
        day, micros, code = self.day, self.micros, self.type_code

        self.index = index
        # Chronologies with a date the arrays should not handle take the engine.
        odd = (day < _FIRST_DAY) | (day > _LAST_DAY)
        keep_chron = np.ones(n, dtype=bool)
        if odd.any():
            keep_chron[chron[odd]] = False
            self._odd = frozenset(np.flatnonzero(~keep_chron).tolist())

        as_of_day = as_of.toordinal() - _EPOCH
        keep = np.flatnonzero(plan.used[code] & (day <= as_of_day) & keep_chron[chron])
        k_day, k_micros = day[keep], micros[keep]
        start_key = k_day * _US_DAY + np.maximum(k_micros, 0)
        stop_key = k_day * _US_DAY + np.where(k_micros < 0, _DAY_END_US, k_micros)
        # Start and stop keys ranked together, so that a chronology number and a rank pack
        # into one sortable integer.
        keys, ranks = np.unique(np.concatenate((start_key, stop_key)), return_inverse=True)
        ranks = ranks.reshape(-1)
        k_dstart, k_dstop, span = ranks[: keep.size], ranks[keep.size :], keys.size + 1
        # Clock-start order within each chronology: date, time (date-only first), input order.
        order = _sort_order((chron[keep], n), (k_dstart, span))
        pos = keep[order]  # event positions, in start order
        e_chron, e_code, e_day = chron[pos], code[pos], day[pos]
        e_inc, e_index = self.incident[pos], index[pos]
        e_dstart, e_dstop = k_dstart[order], k_dstop[order]
        longest = int(counts.max()) + 1
        flags = {}
        for number, match in enumerate(plan.matches):
            of_type = e_code == _TYPE_INDEX[match.event]
            ok = np.zeros(pos.size, dtype=bool)
            ok[of_type] = self.filter_flags(match, pos[of_type])
            flags[number] = ok
        inc_span = len(self.incident_names) + 1
        mobile = ~np.array(self.non_mobile, dtype=bool)

        masks: dict[tuple[str | None, int], np.ndarray] = {}

        def selected(match: EventMatch | None, name: str | None) -> np.ndarray:
            """Which events are of type `name` and pass `match` (kept: rules share them)."""
            key = (name, -1 if match is None else plan.matches.index(match))
            chosen = masks.get(key)
            if chosen is None:
                if name is None:
                    chosen = np.zeros(pos.size, dtype=bool)
                else:
                    chosen = e_code == _TYPE_INDEX[name]
                    if match is not None:
                        chosen &= flags[key[1]]
                masks[key] = chosen
            return chosen

        def first_per_pair(candidates: np.ndarray) -> np.ndarray:
            pairs = e_chron[candidates] * inc_span + (e_inc[candidates] + 1)
            _, first = np.unique(pairs, return_index=True)
            return candidates[first]

        parts: list[tuple[np.ndarray, ...]] = []
        for rule_number, rule in enumerate(plan.rules):
            rp = rule.plan
            primary = selected(rp.start_filter, rp.start_type)
            fallback = selected(rp.fallback_filter, rp.fallback_type)
            has_primary = np.zeros(n, dtype=bool)
            has_primary[e_chron[primary]] = True
            if not rp.per_incident:
                clocks = np.flatnonzero(primary | (fallback & ~has_primary[e_chron]))
            else:
                firsts = first_per_pair(np.flatnonzero(primary))
                fb = np.flatnonzero(fallback)
                if fb.size:
                    unnamed = np.zeros(n, dtype=bool)
                    unnamed[e_chron[primary & (e_inc < 0)]] = True
                    fb_chron = e_chron[fb]
                    named_pairs = e_chron[firsts] * inc_span + (e_inc[firsts] + 1)
                    fb_pairs = fb_chron * inc_span + (e_inc[fb] + 1)
                    free = ~has_primary[fb_chron] | (
                        (e_inc[fb] >= 0) & ~unnamed[fb_chron] & ~np.isin(fb_pairs, named_pairs)
                    )
                    firsts = np.concatenate((firsts, first_per_pair(fb[free])))
                clocks = np.sort(firsts)
            if not clocks.size:
                continue
            c_chron = e_chron[clocks]
            status = np.full(clocks.size, _NOT_APPLICABLE, dtype=np.int64)
            due = np.zeros(clocks.size, dtype=np.int64)
            closing = np.full(clocks.size, -1, dtype=np.int64)
            applies = ~mobile[c_chron] if rp.non_mobile_only else np.ones(clocks.size, bool)
            live = clocks[applies]
            if live.size:
                live_due = _due(rule, e_day[live])
                found = self._closing(rp, live, e_chron, e_inc, e_index, e_dstart, e_dstop,
                                      (n, span, longest), selected, inc_span)  # fmt: skip
                closer_rank = np.where(
                    found >= 0, ~selected(rp.stop_filter, rp.stop_type)[found], False
                )
                live_status = np.where(
                    found < 0,
                    np.where(live_due < as_of_day, _MISSING, _PENDING),
                    np.where(
                        closer_rank,
                        _REASON,
                        np.where(e_day[found] <= live_due, _MET, _LATE),
                    ),
                )
                status[applies] = live_status
                due[applies] = live_due
                closing[applies] = found
            incident = e_inc[clocks] if rp.per_incident else np.full(clocks.size, -1)
            parts.append(
                (
                    c_chron,
                    np.full(clocks.size, rule_number, dtype=np.int64),
                    clocks,
                    status,
                    due,
                    closing,
                    incident,
                )
            )
        self._arrange(n, parts, pos)

    @staticmethod
    def _closing(
        rp: Any,
        clocks: np.ndarray,
        e_chron: np.ndarray,
        e_inc: np.ndarray,
        e_index: np.ndarray,
        e_dstart: np.ndarray,
        e_dstop: np.ndarray,
        sizes: tuple[int, int, int],
        selected: Callable[[EventMatch | None, str | None], np.ndarray],
        inc_span: int,
    ) -> np.ndarray:
        """Each clock's closing event (or -1): the earliest stop or "not done" event of its
        chronology, other than the start, not before the start and of a compatible incident,
        by (stop key, stop before "not done", input order). `e_dstart` and `e_dstop` are the
        start and stop keys ranked together (0, 1, 2... below `span`); `sizes` bound the
        chronology numbers, the ranks and the event indexes."""
        n, span, longest = sizes
        stop = selected(rp.stop_filter, rp.stop_type)
        not_done = selected(rp.not_done_filter, rp.not_done_type) & ~stop
        closers = np.flatnonzero(stop | not_done)
        result = np.full(clocks.size, -1, dtype=np.int64)
        if not closers.size:
            return result
        # In closing order within each chronology: one sort serves every search below, and
        # of two candidates of one chronology the earlier in this order closes the clock.
        order = _sort_order(
            (e_chron[closers], n),
            (e_dstop[closers], span),
            (not_done[closers], 2),
            (e_index[closers], longest),
        )
        closers = closers[order]
        cl_chron, cl_inc, cl_dstop = e_chron[closers], e_inc[closers], e_dstop[closers]
        c_chron, c_inc, c_dstart = e_chron[clocks], e_inc[clocks], e_dstart[clocks]

        def search(
            members: np.ndarray, group: np.ndarray, asking: np.ndarray, groups: np.ndarray
        ) -> np.ndarray:
            """For the clocks `asking`: the first of `members` (closer numbers, in order; their
            groups `group`) in the clock's group (of `groups`) not before its start, or -1."""
            found = np.full(asking.size, -1, dtype=np.int64)
            if not members.size or not asking.size:
                return found
            query = groups[asking]
            packed = group * span + cl_dstop[members]
            at = np.searchsorted(packed, query * span + c_dstart[asking], side="left")
            clipped = np.minimum(at, members.size - 1)
            at += (at < members.size) & (closers[members[clipped]] == clocks[asking])
            clipped = np.minimum(at, members.size - 1)
            inside = (at < members.size) & (group[clipped] == query)
            found[inside] = members[clipped[inside]]
            return found

        chosen = np.full(clocks.size, -1, dtype=np.int64)
        unnamed_clock = c_inc < 0
        # A clock of the implicit incident: any closer of its chronology.
        asking = np.flatnonzero(unnamed_clock)
        chosen[asking] = search(np.arange(closers.size), cl_chron, asking, c_chron)
        # A clock of a named incident: an unnamed closer, or one of the same incident.
        asking = np.flatnonzero(~unnamed_clock)
        if asking.size:
            unnamed = np.flatnonzero(cl_inc < 0)
            from_unnamed = search(unnamed, cl_chron[unnamed], asking, c_chron)
            named = np.flatnonzero(cl_inc >= 0)
            pairs = cl_chron[named] * inc_span + cl_inc[named] + 1
            by_pair = np.argsort(pairs, kind="stable")
            from_named = search(
                named[by_pair], pairs[by_pair], asking, c_chron * inc_span + c_inc + 1
            )
            both = (from_unnamed >= 0) & (from_named >= 0)
            chosen[asking] = np.where(
                both,
                np.minimum(from_unnamed, from_named),
                np.maximum(from_unnamed, from_named),
            )
        result[chosen >= 0] = closers[chosen[chosen >= 0]]
        return result

    def _arrange(self, n: int, parts: list[tuple[np.ndarray, ...]], pos: np.ndarray) -> None:
        """Every result's numbers, in output order (chronology, rule, clock start), and where
        each chronology's results begin; `_emit` turns them into objects a chunk at a time."""
        if parts:
            chron, rule_no, clocks, status, due, closing, incident = (
                np.concatenate(column) for column in zip(*parts, strict=True)
            )
            order = _sort_order((chron, n), (rule_no, len(self.plan.rules)), (clocks, pos.size))
            chron, rule_no, clocks = chron[order], rule_no[order], clocks[order]
            status, due, closing, incident = (
                status[order],
                due[order],
                closing[order],
                incident[order],
            )
        else:
            chron = rule_no = clocks = status = due = closing = incident = np.zeros(0, np.int64)
        due[status == _NOT_APPLICABLE] = _NO_DAY
        self._rule_no, self._status, self._due = rule_no, status, due
        self._start_at = pos[clocks]
        self._closing_at = np.where(closing >= 0, pos[closing], -1)
        self._first = np.concatenate(([0], np.cumsum(np.bincount(chron, minlength=n))))
        self._summaries_ = self._summaries(n, chron, rule_no, status)
        # Each event's `at`, and None at position -1 (no closing event).
        self._ats = _objects(self.at, None)
        self.at = []
        days, day_of = np.unique(due, return_inverse=True)
        due_dates = _objects(
            [None if day == _NO_DAY else date.fromordinal(day + _EPOCH) for day in days.tolist()]
        )
        plan = self.plan
        # The objects of the Results' first seven fields, in columns for _emit to slice. In
        # object arrays, which the garbage collector does not walk (it walks a list's every
        # item at each collection); and sliced, then made lists, in C.
        self._result_columns = (
            _objects(plan.rule_ids)[rule_no],
            _objects(plan.questions)[rule_no],
            _objects(self.incident_names, None)[incident],
            _objects(list(WORST_FIRST))[status],
            self._ats[self._start_at],
            due_dates[day_of.reshape(-1)],
            self._ats[self._closing_at],
        )

    def explain(self, number: int) -> str:
        """Result `number`'s sentence (see _Wording)."""
        closing = int(self._closing_at[number])
        status = WORST_FIRST[int(self._status[number])]
        due = int(self._due[number])
        return explain(
            self.plan.rules[int(self._rule_no[number])],
            status,
            self.make_event(int(self._start_at[number])),
            self.make_event(closing) if closing >= 0 else None,
            date.fromordinal(due + _EPOCH) if due != _NO_DAY else None,
            self.as_of,
        )

    def _emit(self, first: int, last: int) -> list[Evaluation]:
        """The Evaluations of chronologies first to last - 1, built with C-level loops."""
        plan, as_of = self.plan, self.as_of
        lo, hi = int(self._first[first]), int(self._first[last])
        columns = [column[lo:hi].tolist() for column in self._result_columns]
        # map(tuple.__new__, repeat(cls), rows): each row made a `cls` tuple, all in C.
        wordings = map(tuple.__new__, repeat(_Wording), zip(repeat(self), range(lo, hi)))
        results = tuple(map(tuple.__new__, repeat(Result), zip(*columns, wordings, strict=False)))
        bounds = (self._first[first : last + 1] - lo).tolist()
        made, protocol_id = Evaluation.made, plan.protocol.id
        return [
            made(protocol_id, ref, as_of, results[start:end], questions)
            for ref, questions, start, end in zip(
                self.refs[first:last],
                self._summaries_[first:last].tolist(),
                bounds,
                bounds[1:],
                strict=False,
            )
        ]

    _odd: frozenset[int] = frozenset()

    def _summaries(
        self, n: int, chron: np.ndarray, rule_no: np.ndarray, status: np.ndarray
    ) -> np.ndarray:
        """Each chronology's question summaries: worst status per question over its rules, in
        order of first result. Memoised, for the protocol, by each rule's worst status (one
        base-7 digit): batches repeat the same few thousand patterns."""
        rules = self.plan.rules
        count = len(rules)
        worst = np.full(n * count, 6, dtype=np.int64)
        np.minimum.at(worst, chron * count + rule_no, status)
        digits = (worst + 1) % 7  # 0: no result for the rule; else worst rank + 1
        keys = (digits.reshape(n, count) * (7 ** np.arange(count, dtype=np.int64))).sum(axis=1)
        memo = self.plan.summaries
        if len(memo) > _MAX_SUMMARIES:
            memo.clear()
        patterns, pattern_of = np.unique(keys, return_inverse=True)
        found = []
        for key in patterns.tolist():
            summary = memo.get(key)
            if summary is None:
                summary = memo[key] = _questions(rules, key)
            found.append(summary)
        return _objects(found)[pattern_of.reshape(-1)]


def _questions(rules: Sequence[Rule], key: int) -> tuple[QuestionSummary, ...]:
    worst: dict[str, int] = {}
    members: dict[str, list[str]] = {}
    for rule in rules:
        key, digit = divmod(key, 7)
        if not digit:
            continue
        rank = digit - 1
        if rule.question not in worst:
            worst[rule.question] = rank
            members[rule.question] = [rule.id]
        else:
            worst[rule.question] = min(worst[rule.question], rank)
            members[rule.question].append(rule.id)
    return tuple(
        _new_summary((question, WORST_FIRST[rank], tuple(members[question])))
        for question, rank in worst.items()
    )


def _sort_order(*columns: tuple[np.ndarray, int]) -> np.ndarray:
    """The stable order by `columns` (the first decides, then the next...), each a column of
    whole numbers from 0 below its bound. Packed into one integer key where the bounds allow:
    one sort instead of `lexsort`'s one per column."""
    total = 1
    for _, bound in columns:
        total *= bound
    if total >= 1 << 62:
        return np.lexsort(tuple(column for column, _ in reversed(columns)))
    key = np.zeros(columns[0][0].size, dtype=np.int64)
    for column, bound in columns:
        key *= bound
        key += column
    return np.argsort(key, kind="stable")


def _objects(items: Sequence[Any], *more: Any) -> np.ndarray:
    """`items`, then `more`, in a one-dimensional object array."""
    return np.fromiter(chain(items, more), dtype=object, count=len(items) + len(more))


def _due(rule: Rule, days: np.ndarray) -> np.ndarray:
    """Due dates (days since 1970) of clocks starting on `days`, as `Timescale.due`."""
    timescale = rule.timescale
    if timescale.kind == "same_day":
        return days
    if timescale.kind == "calendar_days":
        return days + timescale.amount
    starts = days.astype("datetime64[D]")
    if timescale.kind == "working_days":
        return add_working_days_array(starts, timescale.amount).astype(np.int64)
    return add_months_array(starts, timescale.amount).astype(np.int64)


# --- reading JSON lines ---------------------------------------------------------------------

_get_at, _get_type, _get_incident = attrgetter("at"), attrgetter("type"), attrgetter("incident")
_DIGITS_DATE = (0, 1, 2, 3, 5, 6, 8, 9)
_DIGITS_TIME = (11, 12, 14, 15)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _read_ats(ats: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days since 1970 and microseconds of the day (-1: date only) of `YYYY-MM-DD` and
    `YYYY-MM-DDTHH:MM` values, read with numpy; and which values are of neither shape (or not
    a real date or time), for `parse_at` to read one at a time."""
    count = len(ats)
    lengths = np.fromiter(map(len, ats), dtype=np.int64, count=count)
    # One byte per character ("?" for any other than ASCII, which no usual shape has).
    text = "".join(ats).encode("ascii", "replace") + b"\0" * 16
    buffer = np.frombuffer(text, dtype=np.uint8)
    starts = np.zeros(count, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])

    def char(offset: int) -> np.ndarray:
        """Each value's character at `offset` (past its end: the next value's, which the
        lengths rule out)."""
        return buffer[starts + offset].astype(np.int64)

    short, long = lengths == 10, lengths == 16
    ok = short | long
    digit = {}
    for offset in (*_DIGITS_DATE, *_DIGITS_TIME):
        value = char(offset) - 48
        digit[offset] = value
        if offset in _DIGITS_DATE:
            ok &= (value >= 0) & (value <= 9)
        else:
            ok &= short | ((value >= 0) & (value <= 9))
    ok &= (char(4) == 45) & (char(7) == 45)
    ok &= short | ((char(10) == 84) & (char(13) == 58))
    year = digit[0] * 1000 + digit[1] * 100 + digit[2] * 10 + digit[3]
    month = digit[5] * 10 + digit[6]
    day = digit[8] * 10 + digit[9]
    hour = digit[11] * 10 + digit[12]
    minute = digit[14] * 10 + digit[15]
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = month_days + ((month == 2) & leap)
    ok &= day <= month_days
    ok &= short | ((hour <= 23) & (minute <= 59))
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0)
    days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + day - 1
    micros = np.where(long, (hour * 60 + minute) * 60_000_000, -1)
    return np.where(ok, days, 0), np.where(ok, micros, -1), ~ok


_get_child, _get_ref, _get_events = attrgetter("child"), attrgetter("ref"), attrgetter("events")
_get_born, _get_non_mobile = attrgetter("date_of_birth"), attrgetter("non_mobile")


def _is_date(value: str) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


def _decode(decoder: msgspec.json.Decoder[Any], lines: list[Any]) -> list[Any]:
    """Each line decoded into the protocol's structs, None where msgspec refuses it. Lines of
    bytes that each end with their only newline are decoded in one call."""
    count = len(lines)
    if count and set(map(type, lines)) == {bytes}:
        buffer = b"".join(lines)
        if buffer.count(b"\n") == count and all(map(bytes.endswith, lines, repeat(b"\n"))):
            try:
                documents = decoder.decode_lines(buffer)
            except msgspec.MsgspecError:
                pass
            else:
                if len(documents) == count:  # a blank line is skipped: then line by line
                    return list(documents)
    decode = decoder.decode
    out: list[Any] = []
    for line in lines:
        try:
            out.append(decode(line))
        except (msgspec.MsgspecError, TypeError):
            out.append(None)
    return out


class _LineBatch(_Batch):
    def __init__(self, lines: list[Any], plan: _Plan, as_of: date | None) -> None:
        self.lines, self.plan = lines, plan
        self.as_of, self.requested_as_of = as_of or today_in_london(), as_of
        self.outcomes_ = [None] * len(lines)
        documents = _decode(plan.decoder, lines)
        valid = [position for position, doc in enumerate(documents) if doc is not None]
        if len(valid) < len(documents):
            documents = [documents[position] for position in valid]
        children = list(map(_get_child, documents))
        refs = list(map(str.strip, map(_get_ref, children)))
        born = set(map(_get_born, children))
        born.discard(None)
        refused = {value for value in born if not _is_date(value)}
        if refused or not all(refs):
            keep = [
                number
                for number, (ref, child) in enumerate(zip(refs, children, strict=True))
                if ref and child.date_of_birth not in refused
            ]
            valid = [valid[number] for number in keep]
            refs = [refs[number] for number in keep]
            children = [children[number] for number in keep]
            documents = [documents[number] for number in keep]
        non_mobile = list(map(operator.is_not, map(_get_non_mobile, children), repeat(False)))
        events = list(map(_get_events, documents))
        counts = list(map(len, events))
        flat = list(chain.from_iterable(events))
        bad = self._columns(flat, counts)
        if bad:
            keep_numbers = [i for i in range(len(valid)) if i not in bad]
            chron = np.repeat(np.arange(len(valid)), counts)
            keep_events = np.flatnonzero(~np.isin(chron, list(bad)))
            listed = keep_events.tolist()
            flat = [flat[p] for p in listed]
            self.at = [self.at[p] for p in listed]
            self.type_code = self.type_code[keep_events]
            self.day, self.micros = self.day[keep_events], self.micros[keep_events]
            self.incident = self.incident[keep_events]
            valid = [valid[i] for i in keep_numbers]
            refs = [refs[i] for i in keep_numbers]
            non_mobile = [non_mobile[i] for i in keep_numbers]
            counts = [counts[i] for i in keep_numbers]
        self.flat, self.valid, self.refs = _objects(flat), valid, refs
        self.non_mobile, self.counts = non_mobile, counts

    def _columns(self, flat: list[Any], counts: list[int]) -> set[int]:
        """Fill the event columns; returns the chronologies (numbers) the checks refuse."""
        bad: set[int] = set()
        count = len(flat)
        if not count:
            self.at, self.incident_names = [], []
            self.type_code = self.day = self.micros = self.incident = np.zeros(0, np.int64)
            return bad
        chron_of = np.repeat(np.arange(len(counts)), counts)
        self.type_code = np.fromiter(
            map(_TYPE_INDEX.__getitem__, map(_get_type, flat)), dtype=np.int64, count=count
        )
        ats = list(map(_get_at, flat))
        self.day, self.micros, odd = _read_ats(ats)
        for position in np.flatnonzero(odd).tolist():
            value = ats[position].strip()
            try:
                when = parse_at(value)
            except ValueError:
                bad.add(int(chron_of[position]))
                continue
            ats[position] = value
            self.day[position] = when[0].toordinal() - _EPOCH
            moment = when[1]
            self.micros[position] = (
                -1
                if moment is None
                else ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000
                + moment.microsecond
            )
        self.at = ats
        raw = list(map(_get_incident, flat))
        names: dict[str, int] = {}
        number: dict[Any, int] = {None: -1}
        for value in set(raw):
            if value is None:
                continue
            text = value.strip() if type(value) is str else str(value)
            number[value] = names.setdefault(text, len(names)) if text else -2
        self.incident = np.fromiter(map(number.__getitem__, raw), dtype=np.int64, count=count)
        self.incident_names = list(names)
        if -2 in number.values():
            bad.update(chron_of[self.incident == -2].tolist())
        for code, fields in self.plan.required:
            for position in np.flatnonzero(self.type_code == code).tolist():
                event = flat[position]
                for name in fields:
                    value = getattr(event, name)
                    if value is None or not value.strip():
                        bad.add(int(chron_of[position]))
        return bad

    def make_event(self, position: int) -> Event:
        struct = self.flat[position]
        day, micros = int(self.day[position]), int(self.micros[position])
        moment = None
        if micros >= 0:
            seconds, micro = divmod(micros, 1_000_000)
            moment = time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)
        incident = int(self.incident[position])
        agency, summary, reason = (
            (text.strip() or None) if text is not None else None
            for text in (struct.agency, struct.summary, struct.reason)
        )
        return Event(
            int(self.index[position]),
            struct.type,
            self._ats[position],
            date.fromordinal(day + _EPOCH),
            moment,
            self.incident_names[incident] if incident >= 0 else None,
            agency,
            summary,
            reason,
        )

    def filter_flags(self, match: EventMatch, positions: np.ndarray) -> np.ndarray:
        events = self.flat[positions].tolist()
        flags = np.ones(len(events), dtype=bool)
        for key, expected in match.where.items():
            values = list(map(attrgetter(key), events))
            if type(expected) is str and set(map(type, values)) <= {str, type(None)}:
                # Text against text (or nothing): `_same` is plain equality, compared in C.
                same = map(operator.eq, values, repeat(expected))
            else:
                same = map(_same, values, repeat(expected))
            flags &= np.fromiter(same, dtype=bool, count=len(values))
        return flags

    def fallback(self, position: int) -> Outcome:
        return evaluate_line(self.lines[position], self.plan.protocol, self.requested_as_of)

    def release(self) -> None:
        self.lines = []


# --- decoded documents ----------------------------------------------------------------------


class _DocumentBatch(_Batch):
    def __init__(self, documents: list[Any], plan: _Plan, as_of: date | None) -> None:
        self.documents, self.plan = documents, plan
        self.as_of, self.requested_as_of = as_of or today_in_london(), as_of
        self.outcomes_ = [None] * len(documents)
        self.valid, self.refs, self.non_mobile, self.counts = [], [], [], []
        events: list[Event] = []
        for position, document in enumerate(documents):
            try:
                chronology, example_as_of = parse_document(document)
            except ChronologyError as exc:
                self.outcomes_[position] = exc
                continue
            if example_as_of is not None and as_of is None:
                self.outcomes_[position] = evaluate(chronology, plan.protocol, example_as_of)
                continue
            self.valid.append(position)
            self.refs.append(chronology.child.ref)
            self.non_mobile.append(chronology.child.non_mobile)
            self.counts.append(len(chronology.events))
            events += chronology.events
        self.events = events
        count = len(events)
        self.type_code = np.fromiter(
            (_TYPE_INDEX[e.type] for e in events), dtype=np.int64, count=count
        )
        self.day = np.fromiter(
            (e.local_date.toordinal() - _EPOCH for e in events), dtype=np.int64, count=count
        )
        self.micros = np.fromiter(
            (
                -1
                if (t := e.local_time) is None
                else ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond
                for e in events
            ),
            dtype=np.int64,
            count=count,
        )
        names: dict[str | None, int] = {None: -1}
        for e in events:
            if e.incident not in names:
                names[e.incident] = len(names) - 1
        self.incident = np.fromiter(
            (names[e.incident] for e in events), dtype=np.int64, count=count
        )
        self.incident_names = [name for name in names if name is not None]
        self.at = [e.at for e in events]

    def make_event(self, position: int) -> Event:
        return self.events[position]

    def filter_flags(self, match: EventMatch, positions: np.ndarray) -> np.ndarray:
        events = self.events
        return np.array([match.matches(events[p]) for p in positions.tolist()], dtype=bool)

    def fallback(self, position: int) -> Outcome:
        return evaluate_document(self.documents[position], self.plan.protocol, self.requested_as_of)

    def release(self) -> None:
        self.documents = []
