"""Protocols: YAML files of timeliness rules (contracts.md section 4), loaded and validated.

A partnership adds or changes a rule by editing YAML alone, so validation is strict and its
messages name the file, the rule and the field, with the YAML line where there is one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

from .chronology import Event, unknown_type_message
from .errors import ProtocolError
from .timescales import TIMESCALE_KINDS, Timescale
from .vocabulary import ENUM_FIELDS, EVENT_TYPES

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "protocols"
DEFAULT_PROTOCOL = "injuries-in-non-mobile-babies"

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PROTOCOL_KEYS = ("id", "name", "description", "rules")
_RULE_KEYS = (
    "id",
    "question",
    "description",
    "start",
    "stop",
    "not_done",
    "timescale",
    "per_incident",
    "non_mobile_only",
    "source",
)
_SPEC_KEYS = ("event", "where", "fallback")


@dataclass(frozen=True)
class EventMatch:
    """An event type plus optional field filter, e.g. `icpc` where `outcome: plan`."""

    event: str
    where: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def matches(self, event: Event) -> bool:
        return event.type == self.event and all(
            _same(event.fields.get(key), value) for key, value in self.where.items()
        )

    def to_yaml(self) -> str | dict[str, Any]:
        return self.event if not self.where else {"event": self.event, "where": dict(self.where)}


@dataclass(frozen=True)
class Source:
    """Where a rule's timescale comes from, so an auditor can check it."""

    citation: str
    url: str | None = None


class RulePlan(NamedTuple):
    """What the evaluator needs from a rule, worked out once per rule: event types, the filters
    (None when a type alone decides) and the due-date function."""

    start_type: str
    start_filter: EventMatch | None
    fallback_type: str | None
    fallback_filter: EventMatch | None
    stop_type: str
    stop_filter: EventMatch | None
    not_done_type: str | None
    not_done_filter: EventMatch | None
    due: Callable[[date], date]
    per_incident: bool
    non_mobile_only: bool


def _filter(match: EventMatch | None) -> EventMatch | None:
    return match if match is not None and match.where else None


@dataclass(frozen=True)
class Rule:
    """One timeliness rule: a clock from `start` to `stop` (or `not_done`) within `timescale`."""

    id: str
    question: str
    start: EventMatch
    stop: EventMatch
    timescale: Timescale
    source: Source
    fallback: EventMatch | None = None
    not_done: EventMatch | None = None
    per_incident: bool = False
    non_mobile_only: bool = False
    description: str | None = None

    @functools.cached_property
    def plan(self) -> RulePlan:
        """Derived from the rule's own immutable fields, so computed once and kept with it."""
        return RulePlan(
            start_type=self.start.event,
            start_filter=_filter(self.start),
            fallback_type=self.fallback.event if self.fallback else None,
            fallback_filter=_filter(self.fallback),
            stop_type=self.stop.event,
            stop_filter=_filter(self.stop),
            not_done_type=self.not_done.event if self.not_done else None,
            not_done_filter=_filter(self.not_done),
            due=self.timescale.due_function(),
            per_incident=self.per_incident,
            non_mobile_only=self.non_mobile_only,
        )


@dataclass(frozen=True)
class Protocol:
    """A named, ordered set of rules; results follow the rules' order."""

    id: str
    name: str
    rules: tuple[Rule, ...]
    description: str | None = None


def builtin_protocols() -> dict[str, Path]:
    """Built-in protocol ids (the YAML file names) and their files."""
    return {path.stem: path for path in sorted(BUILTIN_DIR.glob("*.yaml"))}


def load_protocol(id_or_path: str | Path = DEFAULT_PROTOCOL) -> Protocol:
    """Load a built-in protocol by id, or a protocol YAML file by path."""
    builtin = builtin_protocols()
    if isinstance(id_or_path, str) and id_or_path in builtin:
        path = builtin[id_or_path]
        return _parse_builtin(path.read_text(encoding="utf-8"), path.name)
    path = Path(id_or_path)
    looks_like_path = path.suffix in {".yaml", ".yml"} or len(path.parts) > 1
    if not path.exists() and not looks_like_path:
        known = ", ".join(builtin) or "none"
        raise ProtocolError(
            [f"unknown protocol {str(id_or_path)!r} (built-in: {known}; or give a YAML file path)"]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ProtocolError([f"{path}: cannot read protocol file: {reason}"]) from None
    return parse_protocol(text, source_name=str(path))


@functools.lru_cache(maxsize=32)
def _parse_builtin(text: str, source_name: str) -> Protocol:
    """A built-in protocol, parsed once per text: pages evaluate chronologies on every view.

    Keyed by the file's text, so an edited file is parsed afresh; a Protocol is immutable.
    """
    return parse_protocol(text, source_name=source_name)


def parse_protocol(text: str, *, source_name: str = "protocol.yaml") -> Protocol:
    """Validate protocol YAML text; every problem is reported, prefixed with `source_name`."""
    try:
        data = yaml.load(text, Loader=_MarkedLoader)  # noqa: S506 - a SafeLoader subclass  # nosec B506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ProtocolError([f"{source_name}: not valid YAML{where}: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ProtocolError([f"{source_name}: not valid YAML: {exc}"]) from None
    checker = _Checker(source_name)
    protocol = checker.protocol(data)
    if checker.errors or protocol is None:
        raise ProtocolError(checker.errors)
    return protocol


# --- YAML with line numbers -------------------------------------------------------------------


class _MarkedDict(dict[Any, Any]):
    """A mapping that remembers the YAML line of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class _MarkedList(list[Any]):
    """A sequence that remembers the YAML line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class _MarkedLoader(yaml.SafeLoader):
    duplicates: list[tuple[str, int]]


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> _MarkedDict:
    loader.flatten_mapping(node)
    result = _MarkedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _MarkedLoader, node: yaml.SequenceNode) -> _MarkedList:
    result = _MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_MarkedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


# --- validation -------------------------------------------------------------------------------


class _Checker:
    """Walks the loaded YAML, collecting messages like `file: rules[2] (id).field: problem`."""

    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.errors: list[str] = []

    def error(self, where: str, message: str, line: int | None) -> None:
        suffix = f" (line {line})" if line else ""
        self.errors.append(f"{self.source_name}: {where}: {message}{suffix}")

    def protocol(self, data: Any) -> Protocol | None:
        if not isinstance(data, Mapping):
            self.errors.append(f"{self.source_name}: expected a mapping with id, name and rules")
            return None
        self._unknown_keys(data, _PROTOCOL_KEYS, "")
        protocol_id = self._text(data, "id", "", required=True)
        if protocol_id is not None and not _SLUG.match(protocol_id):
            self.error("id", "use lower-case letters, digits and hyphens", _line(data, "id"))
        name = self._text(data, "name", "", required=True)
        description = self._text(data, "description", "", required=False)
        raw_rules = data.get("rules")
        rules: list[Rule] = []
        if raw_rules is None:
            self.error("rules", "required", _line(data))
        elif not isinstance(raw_rules, list) or not raw_rules:
            self.error("rules", "expected a list of at least one rule", _line(data, "rules"))
        else:
            seen: dict[str, int] = {}
            for index, raw in enumerate(raw_rules):
                rule = self.rule(index, raw, _item_line(raw_rules, index))
                if rule is None:
                    continue
                if rule.id in seen:
                    self.error(
                        f"rules[{index}] ({rule.id}).id",
                        f"duplicate rule id (also rules[{seen[rule.id]}])",
                        _line(raw, "id"),
                    )
                seen.setdefault(rule.id, index)
                rules.append(rule)
        if self.errors or protocol_id is None or name is None:
            return None
        return Protocol(id=protocol_id, name=name, rules=tuple(rules), description=description)

    def rule(self, index: int, raw: Any, line: int | None) -> Rule | None:
        if not isinstance(raw, Mapping):
            self.error(f"rules[{index}]", "expected a mapping", line)
            return None
        rule_id = raw.get("id")
        label = f"rules[{index}] ({rule_id})" if isinstance(rule_id, str) else f"rules[{index}]"
        start_errors = len(self.errors)
        self._unknown_keys(raw, _RULE_KEYS, label)
        rule_id = self._text(raw, "id", label, required=True)
        if rule_id is not None and not _SLUG.match(rule_id):
            self.error(
                f"{label}.id", "use lower-case letters, digits and hyphens", _line(raw, "id")
            )
        question = self._text(raw, "question", label, required=True)
        description = self._text(raw, "description", label, required=False)
        start, fallback = self._match(raw, "start", label, required=True, allow_fallback=True)
        stop = self._match(raw, "stop", label, required=True, allow_fallback=False)[0]
        not_done = self._match(raw, "not_done", label, required=False, allow_fallback=False)[0]
        timescale = self._timescale(raw, label)
        per_incident = self._flag(raw, "per_incident", label)
        non_mobile_only = self._flag(raw, "non_mobile_only", label)
        source = self._source(raw, label)
        if len(self.errors) > start_errors:
            return None
        assert rule_id and question and start and stop and timescale and source
        return Rule(
            id=rule_id,
            question=question,
            start=start,
            stop=stop,
            timescale=timescale,
            source=source,
            fallback=fallback,
            not_done=not_done,
            per_incident=per_incident,
            non_mobile_only=non_mobile_only,
            description=description,
        )

    def _match(
        self,
        raw: Mapping[str, Any],
        key: str,
        label: str,
        *,
        required: bool,
        allow_fallback: bool,
    ) -> tuple[EventMatch | None, EventMatch | None]:
        """An event spec: `referral` or `{event: icpc, where: {outcome: plan}, fallback: ...}`."""
        where_label = f"{label}.{key}"
        line = _line(raw, key)
        value = raw.get(key)
        if value is None:
            if required:
                self.error(where_label, "required", _line(raw))
            return None, None
        if isinstance(value, str):
            return self._event_type(value, where_label, line), None
        if not isinstance(value, Mapping):
            self.error(where_label, "expected an event type or a mapping with event", line)
            return None, None
        allowed = _SPEC_KEYS if allow_fallback else _SPEC_KEYS[:2]
        self._unknown_keys(value, allowed, where_label)
        event = value.get("event")
        match: EventMatch | None = None
        if event is None:
            self.error(f"{where_label}.event", "required", _line(value))
        elif not isinstance(event, str):
            self.error(f"{where_label}.event", "expected an event type", _line(value, "event"))
        else:
            match = self._event_type(event, f"{where_label}.event", _line(value, "event"))
        where = self._where(value, where_label, event if isinstance(event, str) else None)
        if match is not None and where:
            match = EventMatch(match.event, MappingProxyType(where))
        fallback = None
        if allow_fallback and "fallback" in value:
            fallback = self._match(
                value, "fallback", where_label, required=True, allow_fallback=False
            )[0]
        return match, fallback

    def _event_type(self, value: str, where: str, line: int | None) -> EventMatch | None:
        if value not in EVENT_TYPES:
            self.error(where, unknown_type_message(value), line)
            return None
        return EventMatch(value)

    def _where(self, spec: Mapping[str, Any], label: str, event: str | None) -> dict[str, Any]:
        raw = spec.get("where")
        if raw is None:
            return {}
        line = _line(spec, "where")
        if not isinstance(raw, Mapping) or not raw:
            self.error(f"{label}.where", "expected a mapping of field: value", line)
            return {}
        result: dict[str, Any] = {}
        for key, value in raw.items():
            key_line = _line(raw, key)
            if not isinstance(key, str) or isinstance(value, Mapping | list):
                self.error(f"{label}.where", f"{key!r}: expected field: value", key_line)
                continue
            if key in ENUM_FIELDS and value not in ENUM_FIELDS[key]:
                allowed = ", ".join(ENUM_FIELDS[key])
                self.error(f"{label}.where.{key}", f"expected one of {allowed}", key_line)
                continue
            known = event in EVENT_TYPES and key in ENUM_FIELDS
            if known and key not in EVENT_TYPES[str(event)].extra_fields:
                self.error(f"{label}.where.{key}", f"{event} events have no {key}", key_line)
                continue
            result[key] = value
        return result

    def _timescale(self, raw: Mapping[str, Any], label: str) -> Timescale | None:
        where = f"{label}.timescale"
        line = _line(raw, "timescale")
        value = raw.get("timescale")
        expected = f"expected one of {', '.join(TIMESCALE_KINDS)}"
        if value is None:
            self.error(where, f"required ({expected})", _line(raw))
            return None
        if value == "same_day":
            return Timescale("same_day")
        if not isinstance(value, Mapping) or len(value) != 1:
            self.error(where, expected, line)
            return None
        ((kind, amount),) = value.items()
        if kind == "same_day" and amount in (True, 0):
            return Timescale("same_day")
        if kind not in TIMESCALE_KINDS or kind == "same_day":
            self.error(where, expected, line)
            return None
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            self.error(
                f"{where}.{kind}", f"expected a whole number of at least 1, got {amount!r}", line
            )
            return None
        return Timescale(kind, amount)

    def _flag(self, raw: Mapping[str, Any], key: str, label: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.error(f"{label}.{key}", "expected true or false", _line(raw, key))
            return False
        return value

    def _source(self, raw: Mapping[str, Any], label: str) -> Source | None:
        where = f"{label}.source"
        value = raw.get("source")
        if value is None:
            self.error(where, "required (a citation, and optionally a url)", _line(raw))
            return None
        if isinstance(value, str) and value.strip():
            return Source(citation=value.strip())
        if not isinstance(value, Mapping):
            self.error(where, "expected a mapping with citation and url", _line(raw, "source"))
            return None
        self._unknown_keys(value, ("citation", "url"), where)
        citation = self._text(value, "citation", where, required=True)
        url = self._text(value, "url", where, required=False)
        if url is not None and not url.startswith(("https://", "http://")):
            self.error(f"{where}.url", "expected an http(s) address", _line(value, "url"))
        if citation is None:
            return None
        return Source(citation=citation, url=url)

    def _text(self, raw: Mapping[str, Any], key: str, label: str, *, required: bool) -> str | None:
        where = f"{label}.{key}" if label else key
        value = raw.get(key)
        if value is None:
            if required:
                self.error(where, "required", _line(raw))
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(where, "expected some text", _line(raw, key))
            return None
        return value.strip()

    def _unknown_keys(self, raw: Mapping[str, Any], allowed: tuple[str, ...], label: str) -> None:
        for key in raw:
            if key not in allowed:
                where = f"{label}.{key}" if label else str(key)
                self.error(
                    where, f"unknown key (expected one of {', '.join(allowed)})", _line(raw, key)
                )


def _line(raw: Any, key: Any = None) -> int | None:
    """The YAML line of `key` in a loaded mapping (or of the mapping itself)."""
    if not isinstance(raw, _MarkedDict):
        return None
    if key is None:
        return raw.line or None
    return raw.key_lines.get(key) or raw.line or None


def _item_line(raw: Any, index: int) -> int | None:
    if isinstance(raw, _MarkedList) and index < len(raw.item_lines):
        return raw.item_lines[index]
    return None


def _same(actual: Any, expected: Any) -> bool:
    """Filter values compare as given, and numbers and strings compare as strings (1 == "1")."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if actual == expected:
        return True
    return actual is not None and str(actual) == str(expected)
