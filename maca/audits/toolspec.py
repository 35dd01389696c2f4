"""Audit tools: the question sets and grading scales that case audits use, read from YAML.

A partnership writes an audit tool as a YAML file (the format is documented at the top of
``tools/injuries-in-non-mobile-babies.yaml``) and loads it from the UI or a command. This module
turns that text into frozen dataclasses, or refuses it with every problem listed, each naming the
file, the line and the field, e.g.::

    nmb.yaml, line 14: sections[0].questions[2].answer: "maybe" is not one of choice, text

The line and field are left out of problems that concern the whole file ("the file is empty").
Indexes in field paths count from 0, as elsewhere in maca.

Pure Python: no Django here, so the parser can be tested and fuzzed on its own.

Safety: the YAML is composed into nodes with PyYAML's safe loader and never constructed into
Python objects; only plain text, numbers, true/false, lists and mappings are accepted, so tags
(``!!python/object``), anchors and aliases (``&``/``*``, the "billion laughs" trick) and merge
keys are refused. Input is capped at ``MAX_INPUT_BYTES`` and nesting at ``_MAX_DEPTH``.
"""

from __future__ import annotations

import codecs
import difflib
import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "ANSWER_CHOICES",
    "ANSWER_TYPES",
    "MAX_CODE_LENGTH",
    "MAX_INPUT_BYTES",
    "MAX_LABEL_LENGTH",
    "MAX_LONG_TEXT_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_QUESTION_TEXT_LENGTH",
    "MAX_SLUG_LENGTH",
    "WHY_NOT_TRIGGERS",
    "GradeSpec",
    "QuestionSpec",
    "ScaleSpec",
    "ToolSpec",
    "ToolSpecError",
    "builtin_scales",
    "builtin_tool_sources",
    "dump_tool",
    "parse_scale",
    "parse_tool",
]

ANSWER_CHOICES: tuple[tuple[str, str], ...] = (
    ("yes", "Yes"),
    ("no", "No"),
    ("partly", "Partly"),
    ("not_applicable", "Not applicable"),
    ("unknown", "Unknown"),
)
# Answers that need the "if not, why not" text when the question requires it.
WHY_NOT_TRIGGERS = frozenset({"no", "partly"})
ANSWER_TYPES: tuple[str, ...] = ("choice", "text")

# Limits, shared with the model layer so that anything parse_tool accepts also fits the database.
MAX_INPUT_BYTES = 200 * 1024
MAX_SLUG_LENGTH = 50  # Django's default SlugField length
MAX_CODE_LENGTH = 20  # question and grade codes ("requires_improvement" is 20)
MAX_NAME_LENGTH = 200  # tool names, section titles, theme
MAX_LABEL_LENGTH = 100  # scale names and grade labels
MAX_QUESTION_TEXT_LENGTH = 1000
MAX_LONG_TEXT_LENGTH = 5000  # descriptions and guidance

TOOLS_DIR = Path(__file__).resolve().parent / "tools"
SCALES_DIR = TOOLS_DIR / "scales"


# ---------------------------------------------------------------------------------------------
# The specs


@dataclass(frozen=True)
class GradeSpec:
    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class ScaleSpec:
    slug: str
    name: str
    grades: tuple[GradeSpec, ...]  # best first


@dataclass(frozen=True)
class QuestionSpec:
    code: str  # unique in the tool, e.g. "q1"
    section: str  # the heading of the section it sits in, e.g. "Voice of the child"
    text: str
    answer_type: str  # "choice" (answered from ANSWER_CHOICES) or "text"
    why_not_required: bool  # "no" or "partly" needs an explanation; only with "choice"
    guidance: str  # help for the auditor; may be ""
    rules: tuple[str, ...]  # chronology protocol rule ids giving evidence; may be empty
    is_aim: bool  # one of the audit's aim questions (the briefing's "Aim" panel)


@dataclass(frozen=True)
class ToolSpec:
    slug: str
    name: str
    description: str
    theme: str
    scale: ScaleSpec
    questions: tuple[QuestionSpec, ...]


class ToolSpecError(ValueError):
    """The YAML is not a usable audit tool or scale. ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "\n".join(self.errors)


# ---------------------------------------------------------------------------------------------
# Public functions


def parse_tool(
    text: str | bytes,
    source: str = "<upload>",
    *,
    scales: Mapping[str, ScaleSpec] | None = None,
) -> ToolSpec:
    """Read an audit tool from YAML text, or raise ToolSpecError listing every problem.

    ``grading_scale`` may name any scale in ``scales`` (default: the built-in scales).
    """
    known = builtin_scales() if scales is None else dict(scales)
    checker = _Checker(source)
    fields = checker.root(_load(text, source), _TOOL_FIELDS, "an audit tool")
    slug = checker.slug(fields, "slug")
    name = checker.text(fields, "name", max_length=MAX_NAME_LENGTH, one_line=True)
    description = checker.text(
        fields, "description", required=False, max_length=MAX_LONG_TEXT_LENGTH
    )
    theme = checker.text(fields, "theme", required=False, max_length=MAX_NAME_LENGTH, one_line=True)
    scale = checker.grading_scale(fields, known)
    questions = checker.sections(fields)
    checker.finish()
    assert scale is not None  # finish() raised otherwise
    return ToolSpec(
        slug=slug,
        name=name,
        description=description,
        theme=theme,
        scale=scale,
        questions=tuple(questions),
    )


def parse_scale(text: str | bytes, source: str = "<upload>") -> ScaleSpec:
    """Read a grading scale (slug, name, grades) from YAML text, or raise ToolSpecError."""
    checker = _Checker(source)
    fields = checker.root(_load(text, source), _SCALE_FIELDS, "a grading scale")
    scale = checker.scale(fields)
    checker.finish()
    assert scale is not None
    return scale


def builtin_scales() -> dict[str, ScaleSpec]:
    """The built-in grading scales by slug, from ``tools/scales/*.yaml``."""
    return dict(_builtin_scales())


def builtin_tool_sources() -> list[Path]:
    """The built-in audit tool files (``tools/*.yaml``), sorted by name."""
    return sorted(TOOLS_DIR.glob("*.yaml"))


def dump_tool(spec: ToolSpec) -> str:
    """YAML text for a tool that ``parse_tool`` reads back to an equal spec.

    A built-in scale is written as its slug, any other scale in full. Consecutive questions with
    the same section and aim flag form one section. (Specs built by hand rather than by
    parse_tool round-trip as long as their text has no leading or trailing whitespace.)
    """
    head: dict[str, Any] = {"slug": spec.slug, "name": spec.name}
    if spec.description:
        head["description"] = spec.description
    if spec.theme:
        head["theme"] = spec.theme
    if builtin_scales().get(spec.scale.slug) == spec.scale:
        head["grading_scale"] = spec.scale.slug
    else:
        head["grading_scale"] = {
            "slug": spec.scale.slug,
            "name": spec.scale.name,
            "grades": [_grade_data(grade) for grade in spec.scale.grades],
        }
    sections = [
        _dump({"sections": [_section_data(group)]}).removeprefix("sections:\n")
        for group in _section_groups(spec.questions)
    ]
    return _DUMP_HEADER + _dump(head) + "sections:\n" + "\n".join(sections)


# ---------------------------------------------------------------------------------------------
# Loading YAML into nodes, safely

_T = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _SEQ, _MAP = _T + "str", _T + "null", _T + "bool", _T + "seq", _T + "map"
# Plain scalars of any implicit type are read by their text ("q1", "1", "2022-01-10" alike).
_SCALAR_TAGS = frozenset(
    {_STR, _NULL, _BOOL, _T + "int", _T + "float", _T + "timestamp", _T + "value"}
)
_BOOLS = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}
_MAX_DEPTH = 24
_MAX_REPORTED = 100


class _Refused(yaml.MarkedYAMLError):
    """Raised while composing for YAML features that are not plain data."""


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases and limiting nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                problem="anchors and aliases (& and *) are not allowed; write each value in full",
                problem_mark=event.start_mark,
            )
        if self._depth >= _MAX_DEPTH:
            raise _Refused(
                problem="lists and mappings are nested too deeply", problem_mark=event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _load(text: str | bytes, source: str) -> Node:
    """Compose one YAML document into a node tree; file-level problems raise at once."""
    if isinstance(text, bytes | bytearray):
        size = len(text)
    else:
        size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise ToolSpecError(
            [
                f"{source}: the file is {math.ceil(size / 1024):,} KB; "
                f"the limit is {MAX_INPUT_BYTES // 1024} KB"
            ]
        )
    if isinstance(text, bytes | bytearray):
        text = _decode(bytes(text), source)
    text = text.removeprefix("\ufeff")

    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ToolSpecError([_yaml_problem(exc, source)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise ToolSpecError(
            [
                f"{source}, line {line}, column {column}: YAML syntax: "
                f"the character U+{ord(char):04X} is not allowed in a YAML file"
            ]
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above is marked
        raise ToolSpecError([f"{source}: YAML syntax: {exc}"]) from None
    finally:
        if loader is not None:
            loader.dispose()

    if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL):
        raise ToolSpecError([f"{source}: the file is empty"])
    return node


def _decode(data: bytes, source: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise ToolSpecError(
            [
                f"{source}, line {line}, column {column}: the file is not UTF-8 text; "
                "save it as UTF-8 and try again"
            ]
        ) from None


def _yaml_problem(exc: yaml.MarkedYAMLError, source: str) -> str:
    """One line for a YAML error, in plain words for the mistakes people usually make."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    message = f"{problem} ({context})" if problem and context else problem or context
    if isinstance(exc, _Refused):
        message = problem
    elif "another document" in problem:
        message = "a second YAML document starts here (---); a file holds only one"
    else:
        for pattern, wording, at_context in _YAML_WORDING:
            match = pattern.search(f"{problem}|{context}")
            if match:
                groups = match.groups()
                message = "YAML syntax: " + (wording.format(*groups) if groups else wording)
                if at_context and exc.context_mark is not None:
                    mark = exc.context_mark
                break
        else:
            message = f"YAML syntax: {message or 'not valid YAML'}"
    where = source
    if mark is not None:
        where += f", line {mark.line + 1}, column {mark.column + 1}"
    return f"{where}: {message}"


# (pattern over "problem|context", plain wording (filled with the pattern's groups), report at
# the context mark rather than the problem mark). PyYAML's own words are kept for the rest.
_YAML_WORDING: tuple[tuple[re.Pattern[str], str, bool], ...] = (
    (re.compile(r"'\\t'"), "a tab cannot be used for indentation; use spaces", False),
    (
        re.compile(r"could not find expected ':'.*simple key"),
        "this line needs a colon after the field name, or more indentation if it continues "
        "the text above",
        True,
    ),
    (
        re.compile(r"end of stream.*quoted scalar"),
        "the quotation mark that opens this text is never closed",
        True,
    ),
    (
        re.compile(r"mapping values are not allowed here"),
        'a colon and space (": ") cannot appear here: put the text in quotes, or check '
        "the indentation",
        False,
    ),
    (
        re.compile(r"expected <block end>"),
        "this does not line up with the lines above: check the indentation, and that any "
        "quoted text ends at its closing quotation mark",
        False,
    ),
    (re.compile(r"expected ',' or '\]'"), "this list, opened with [, is not closed with ]", True),
    (
        re.compile(r"expected ',' or '\}'"),
        "this mapping, opened with {, is not closed with }",
        True,
    ),
    (
        re.compile(r"expected '<document start>'"),
        "this does not fit into the lines above it: check its indentation",
        False,
    ),
    (
        re.compile(r"found character '(.)' that cannot start any token"),
        "a value cannot start with {0}: put the text in quotes",
        False,
    ),
)


# ---------------------------------------------------------------------------------------------
# Checking the node tree against the format

_TOOL_FIELDS = ("slug", "name", "description", "theme", "grading_scale", "sections")
_SCALE_FIELDS = ("slug", "name", "grades")
_GRADE_FIELDS = ("code", "label", "description")
_SECTION_FIELDS = ("title", "aim", "questions")
_QUESTION_FIELDS = ("code", "text", "answer", "why_not", "guidance", "rules")

_SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_CODE_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_FIELD_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Characters a YAML file cannot hold literally (plus surrogates); only reachable through escapes.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass
class _Fields:
    """The known fields of one mapping: name -> (key node, value node)."""

    node: Node
    path: str
    items: dict[str, tuple[Node, Node]]


@dataclass(frozen=True)
class _Problem:
    line: int
    field: str
    message: str

    def render(self, source: str) -> str:
        field = f"{self.field}: " if self.field else ""
        return f"{source}, line {self.line}: {field}{self.message}"


class _Checker:
    """Walks the node tree, reading values and collecting every problem found."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[_Problem] = []

    # -- reporting

    def report(self, node: Node, field: str, message: str) -> None:
        self.problems.append(_Problem(_line(node), field, message))

    def finish(self) -> None:
        if not self.problems:
            return
        ordered = sorted(self.problems, key=lambda problem: problem.line)  # stable
        errors = [problem.render(self.source) for problem in ordered[:_MAX_REPORTED]]
        if len(ordered) > _MAX_REPORTED:
            errors.append(
                f"{self.source}: and {len(ordered) - _MAX_REPORTED:,} more problems not listed"
            )
        raise ToolSpecError(errors)

    def tag_ok(self, node: Node, field: str) -> bool:
        allowed = _SCALAR_TAGS if isinstance(node, ScalarNode) else {_SEQ, _MAP}
        if node.tag in allowed:
            return True
        if node.tag == _T + "merge":
            self.report(node, field, "merge keys (<<) are not allowed; write each field in full")
        else:
            tag = node.tag.replace(_T, "!!", 1) if node.tag.startswith(_T) else node.tag
            self.report(
                node,
                field,
                f"the YAML tag {tag} is not allowed; use plain text, numbers, "
                "true or false, lists and mappings",
            )
        return False

    # -- structure

    def root(self, node: Node, allowed: tuple[str, ...], what: str) -> _Fields:
        if not isinstance(node, MappingNode):
            self.report(
                node,
                "",
                f"the file must be a mapping of fields ({', '.join(allowed)}) describing "
                f"{what}, not {_describe(node)}",
            )
            self.finish()
        return self.fields(node, "", allowed, what)

    def fields(self, node: Node, path: str, allowed: tuple[str, ...], what: str) -> _Fields:
        """Check a mapping's keys: plain, unique and known. Returns the known ones."""
        items: dict[str, tuple[Node, Node]] = {}
        if not self.tag_ok(node, path):
            return _Fields(node, path, items)
        if not isinstance(node, MappingNode):
            self.report(node, path, f"must be {what} (a mapping of fields), not {_describe(node)}")
            return _Fields(node, path, items)
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, path, "a field name must be plain text")
                continue
            if not self.tag_ok(key_node, path):
                continue
            key = key_node.value
            field = _join(path, key)
            if key in seen:
                self.report(key_node, field, f"appears twice (first at line {_line(seen[key])})")
                continue
            seen[key] = key_node
            if key in allowed:
                items[key] = (key_node, value_node)
                continue
            close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
            if close:
                self.report(key_node, field, f'unknown field; did you mean "{close[0]}"?')
            else:
                self.report(
                    key_node, field, f"unknown field ({what} has {_or_list(allowed, 'and')})"
                )
        return _Fields(node, path, items)

    def items(
        self, fields: _Fields, key: str, *, required: bool, empty: str
    ) -> list[tuple[str, Node]]:
        """A list field's items with their paths; ``empty`` is the message for no items."""
        path = _join(fields.path, key)
        entry = fields.items.get(key)
        if entry is None:
            if required and isinstance(fields.node, MappingNode):
                self.report(fields.node, path, "is required")
            return []
        node = entry[1]
        if not self.tag_ok(node, path):
            return []
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            if required:
                self.report(node, path, empty)
            return []
        if not isinstance(node, SequenceNode):
            hint = f", e.g. [{node.value}]" if isinstance(node, ScalarNode) else ""
            self.report(node, path, f"must be a list, not {_describe(node)}{hint}")
            return []
        if not node.value and required:
            self.report(node, path, empty)
        return [(f"{path}[{index}]", item) for index, item in enumerate(node.value)]

    # -- values

    def value(self, fields: _Fields, key: str, required: bool) -> tuple[str, Node | None]:
        path = _join(fields.path, key)
        entry = fields.items.get(key)
        if entry is None:
            if required and isinstance(fields.node, MappingNode):
                self.report(fields.node, path, "is required")
            return path, None
        return path, entry[1]

    def text(
        self,
        fields: _Fields,
        key: str,
        *,
        required: bool = True,
        max_length: int,
        one_line: bool = False,
    ) -> str:
        path, node = self.value(fields, key, required)
        if node is None:
            return ""
        return self.text_node(
            node, path, required=required, max_length=max_length, one_line=one_line
        )

    def text_node(
        self,
        node: Node,
        path: str,
        *,
        required: bool,
        max_length: int = 0,
        one_line: bool = False,
        checks: bool = True,
    ) -> str:
        """Read text; ``checks=False`` leaves length and content to the caller."""
        if not self.tag_ok(node, path):
            return ""
        if not isinstance(node, ScalarNode):
            self.report(node, path, f"must be text, not {_describe(node)}")
            return ""
        value = "" if node.tag == _NULL else str(node.value).strip()
        if not value:
            if required:
                self.report(node, path, "must not be empty")
            return ""
        if not checks:
            return value
        if len(value) > max_length:
            self.report(node, path, _too_long(value, max_length))
        control = _CONTROL_RE.search(value)
        if control:
            self.report(node, path, f"contains a control character (U+{ord(control.group()):04X})")
        if one_line and "\n" in value:
            self.report(node, path, "must be on one line")
        return value

    def slug(self, fields: _Fields, key: str) -> str:
        path, node = self.value(fields, key, True)
        if node is None:
            return ""
        return self.slug_node(node, path)

    def slug_node(self, node: Node, path: str) -> str:
        value = self.text_node(node, path, required=True, checks=False)
        if value and not _SLUG_RE.fullmatch(value):
            suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            hint = f', e.g. "{suggestion}"' if _SLUG_RE.fullmatch(suggestion) else ""
            self.report(
                node,
                path,
                f"{_quote(value)} is not a valid slug: use lowercase letters, digits and "
                f"hyphens{hint}",
            )
        elif len(value) > MAX_SLUG_LENGTH:
            self.report(node, path, _too_long(value, MAX_SLUG_LENGTH))
        return value

    def code(self, fields: _Fields, key: str, example: str) -> str:
        path, node = self.value(fields, key, True)
        if node is None:
            return ""
        value = self.text_node(node, path, required=True, checks=False)
        if value and not _CODE_RE.fullmatch(value):
            self.report(
                node,
                path,
                f"{_quote(value)} is not a valid code: use lowercase letters, digits, hyphens "
                f'and underscores, e.g. "{example}"',
            )
        elif len(value) > MAX_CODE_LENGTH:
            self.report(node, path, _too_long(value, MAX_CODE_LENGTH))
        return value

    def flag(self, fields: _Fields, key: str) -> bool:
        path, node = self.value(fields, key, False)
        if node is None:
            return False
        if not self.tag_ok(node, path):
            return False
        if isinstance(node, ScalarNode):
            word = str(node.value).strip().lower()
            if word in _BOOLS:
                return _BOOLS[word]
        self.report(node, path, f"must be true or false, not {_describe(node)}")
        return False

    # -- scales

    def grading_scale(self, fields: _Fields, known: Mapping[str, ScaleSpec]) -> ScaleSpec | None:
        path, node = self.value(fields, "grading_scale", True)
        if node is None or not self.tag_ok(node, path):
            return None
        if isinstance(node, MappingNode):
            scale_fields = self.fields(node, path, _SCALE_FIELDS, "a grading scale")
            scale = self.scale(scale_fields)
            slug_node = scale_fields.items.get("slug", (node, node))[1]
            slug = str(slug_node.value).strip() if isinstance(slug_node, ScalarNode) else ""
            if slug in known and known[slug] != scale:
                self.report(
                    slug_node,
                    _join(path, "slug"),
                    f"{_quote(slug)} is the slug of a built-in scale: write "
                    f'"grading_scale: {slug}" to use it, or give this scale its own slug',
                )
            return scale
        names = _or_list(sorted(known), "or") if known else "none"
        if not isinstance(node, ScalarNode):
            self.report(
                node,
                path,
                f"must be the slug of a built-in scale ({names}) or a scale written out "
                f"with slug, name and grades, not {_describe(node)}",
            )
            return None
        slug = self.text_node(node, path, required=True, checks=False)
        if not slug:
            return None
        if slug in known:
            return known[slug]
        close = difflib.get_close_matches(slug.lower(), list(known), n=1)
        hint = f'; did you mean "{close[0]}"?' if close else f" (choose {names})"
        self.report(node, path, f"{_quote(slug)} is not a built-in grading scale{hint}")
        return None

    def scale(self, fields: _Fields) -> ScaleSpec | None:
        before = len(self.problems)
        slug = self.slug(fields, "slug")
        name = self.text(fields, "name", max_length=MAX_LABEL_LENGTH, one_line=True)
        grades: list[GradeSpec] = []
        codes: dict[str, Node] = {}
        labels: dict[str, Node] = {}
        entries = self.items(
            fields, "grades", required=True, empty="a scale needs at least 2 grades"
        )
        for path, node in entries:
            grade_fields = self.fields(node, path, _GRADE_FIELDS, "a grade")
            code = self.code(grade_fields, "code", example="good")
            label = self.text(grade_fields, "label", max_length=MAX_LABEL_LENGTH, one_line=True)
            description = self.text(
                grade_fields, "description", required=False, max_length=MAX_LONG_TEXT_LENGTH
            )
            self.unique(codes, code, grade_fields, "code", "grade code")
            self.unique(labels, label, grade_fields, "label", "grade label")
            grades.append(GradeSpec(code=code, label=label, description=description))
        if len(entries) == 1:
            self.report(
                fields.items["grades"][1],
                _join(fields.path, "grades"),
                "a scale needs at least 2 grades; this one has 1",
            )
        if len(self.problems) > before:
            return None
        return ScaleSpec(slug=slug, name=name, grades=tuple(grades))

    def unique(
        self, seen: dict[str, Node], value: str, fields: _Fields, key: str, what: str
    ) -> None:
        """Report ``value`` if an earlier entry already used it."""
        if not value or key not in fields.items:
            return
        node = fields.items[key][1]
        if value in seen:
            self.report(
                node,
                _join(fields.path, key),
                f"{_quote(value)} is used twice (first at line {_line(seen[value])}); "
                f"each {what} must be different",
            )
        else:
            seen[value] = node

    # -- sections and questions

    def sections(self, fields: _Fields) -> list[QuestionSpec]:
        questions: list[QuestionSpec] = []
        titles: dict[str, Node] = {}
        codes: dict[str, Node] = {}
        entries = self.items(
            fields, "sections", required=True, empty="a tool needs at least one section"
        )
        for path, node in entries:
            section = self.fields(node, path, _SECTION_FIELDS, "a section")
            title = self.text(section, "title", max_length=MAX_NAME_LENGTH, one_line=True)
            self.unique(titles, title, section, "title", "section title")
            is_aim = self.flag(section, "aim")
            for question_path, question_node in self.items(
                section, "questions", required=True, empty="a section needs at least one question"
            ):
                question = self.question(question_node, question_path, title, is_aim, codes)
                questions.append(question)
        return questions

    def question(
        self, node: Node, path: str, section: str, is_aim: bool, codes: dict[str, Node]
    ) -> QuestionSpec:
        fields = self.fields(node, path, _QUESTION_FIELDS, "a question")
        code = self.code(fields, "code", example="q1")
        self.unique(codes, code, fields, "code", "question code")
        text = self.text(fields, "text", max_length=MAX_QUESTION_TEXT_LENGTH)

        answer = "choice"
        answer_path, answer_node = self.value(fields, "answer", False)
        if answer_node is not None:
            value = self.text_node(answer_node, answer_path, required=True, checks=False)
            if value.lower() in ANSWER_TYPES:
                answer = value.lower()
            elif value:
                self.report(
                    answer_node,
                    answer_path,
                    f"{_quote(value)} is not one of {', '.join(ANSWER_TYPES)}",
                )

        why_not = self.flag(fields, "why_not")
        if why_not and answer == "text":
            self.report(
                fields.items["why_not"][1],
                _join(path, "why_not"),
                'only a choice question can require "if not, why not"; '
                "this question's answer is text",
            )

        guidance = self.text(fields, "guidance", required=False, max_length=MAX_LONG_TEXT_LENGTH)

        rules: list[str] = []
        rule_nodes: dict[str, Node] = {}
        for rule_path, rule_node in self.items(fields, "rules", required=False, empty=""):
            rule = self.slug_node(rule_node, rule_path)
            if rule in rule_nodes:
                self.report(
                    rule_node,
                    rule_path,
                    f"{_quote(rule)} is listed twice (first at line {_line(rule_nodes[rule])})",
                )
            elif rule:
                rule_nodes[rule] = rule_node
                rules.append(rule)

        return QuestionSpec(
            code=code,
            section=section,
            text=text,
            answer_type=answer,
            why_not_required=why_not,
            guidance=guidance,
            rules=tuple(rules),
            is_aim=is_aim,
        )


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1 if node.start_mark is not None else 1


def _too_long(value: str, limit: int) -> str:
    return f"is {len(value):,} characters long; the limit is {limit:,}"


def _join(path: str, key: str) -> str:
    if not _FIELD_NAME_RE.fullmatch(key):
        key = _quote(key)
    return f"{path}.{key}" if path else key


def _quote(value: str, limit: int = 60) -> str:
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return json.dumps(value, ensure_ascii=False)


def _or_list(words: Iterable[str], last: str) -> str:
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "empty"
    return _quote(str(node.value))


# ---------------------------------------------------------------------------------------------
# Built-ins


@functools.lru_cache(maxsize=1)
def _builtin_scales() -> tuple[tuple[str, ScaleSpec], ...]:
    scales: dict[str, ScaleSpec] = {}
    for path in sorted(SCALES_DIR.glob("*.yaml")):
        scale = parse_scale(path.read_bytes(), source=path.name)
        if scale.slug in scales:
            raise ToolSpecError([f"{path.name}: the scale slug {scale.slug!r} is used twice"])
        scales[scale.slug] = scale
    return tuple(scales.items())


# ---------------------------------------------------------------------------------------------
# Writing YAML

_DUMP_HEADER = """\
# An audit tool for maca (multi-agency case audits).
# Fields: slug, name, description, theme, grading_scale (a built-in scale's slug, or slug,
# name and grades) and sections. Each section has a title, aim: true for the audit's aim
# questions, and questions. Each question has a code, text, answer (choice or text),
# why_not: true when "no" or "partly" must be explained, guidance and rules.
# Any other field is refused. Load a changed copy under a new slug or as a new version.

"""


class _FlowList(list[str]):
    """A short list written on one line: [a, b]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    """Several lines as a block: folded (wrapped) where PyYAML folds faithfully, else literal.

    PyYAML's folded writer can move a line break next to a line that starts with whitespace,
    so such text is written literally, line for line.
    """
    if "\n" not in data:
        return dumper.represent_scalar(_STR, data)
    indented = any(line[:1].isspace() for line in data.split("\n"))
    return dumper.represent_scalar(_STR, data, style="|" if indented else ">")


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence(_SEQ, data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def _dump(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=92,
        default_flow_style=False,
    )


def _grade_data(grade: GradeSpec) -> dict[str, str]:
    data = {"code": grade.code, "label": grade.label}
    if grade.description:
        data["description"] = grade.description
    return data


def _section_groups(questions: Iterable[QuestionSpec]) -> list[list[QuestionSpec]]:
    groups: list[list[QuestionSpec]] = []
    for question in questions:
        last = groups[-1][-1] if groups else None
        if last is not None and (last.section, last.is_aim) == (question.section, question.is_aim):
            groups[-1].append(question)
        else:
            groups.append([question])
    return groups


def _section_data(questions: list[QuestionSpec]) -> dict[str, Any]:
    data: dict[str, Any] = {"title": questions[0].section}
    if questions[0].is_aim:
        data["aim"] = True
    data["questions"] = [_question_data(question) for question in questions]
    return data


def _question_data(question: QuestionSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": question.code,
        "text": question.text,
        "answer": question.answer_type,
    }
    if question.why_not_required:
        data["why_not"] = True
    if question.guidance:
        data["guidance"] = question.guidance
    if question.rules:
        data["rules"] = _FlowList(question.rules)
    return data
