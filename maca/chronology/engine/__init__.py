"""The chronology evaluation engine: pure Python, no Django, so it can be tested, fuzzed and
benchmarked on its own and reused by the web app and the `maca evaluate` command.

    chronology = parse_chronology(json.load(f))
    evaluation = evaluate(chronology, load_protocol("injuries-in-non-mobile-babies"), as_of)
    evaluation.to_dict()

Formats and semantics: docs in ../README.md and the contracts (sections 3 and 4).
"""

from .batch import evaluate_document, evaluate_line, evaluate_lines, evaluate_many
from .chronology import Child, Chronology, Event, parse_chronology, parse_date, parse_document
from .errors import ChronologyError, InputError, ProtocolError
from .evaluate import Evaluation, QuestionSummary, Result, Status, evaluate, today_in_london
from .protocol import (
    DEFAULT_PROTOCOL,
    EventMatch,
    Protocol,
    Rule,
    Source,
    builtin_protocols,
    load_protocol,
    parse_protocol,
)
from .timescales import (
    Timescale,
    add_months,
    add_months_array,
    add_working_days,
    add_working_days_array,
    add_working_days_many,
    is_working_day,
)
from .vocabulary import EVENT_TYPES

__all__ = [
    "DEFAULT_PROTOCOL",
    "EVENT_TYPES",
    "Child",
    "Chronology",
    "ChronologyError",
    "Evaluation",
    "Event",
    "EventMatch",
    "InputError",
    "Protocol",
    "ProtocolError",
    "QuestionSummary",
    "Result",
    "Rule",
    "Source",
    "Status",
    "Timescale",
    "add_months",
    "add_months_array",
    "add_working_days",
    "add_working_days_array",
    "add_working_days_many",
    "builtin_protocols",
    "evaluate",
    "evaluate_document",
    "evaluate_line",
    "evaluate_lines",
    "evaluate_many",
    "is_working_day",
    "load_protocol",
    "parse_chronology",
    "parse_date",
    "parse_document",
    "parse_protocol",
    "today_in_london",
]
