"""The briefing's content: one source that every renderer (HTML, PDF, DOCX, text) reads.

Pure Python, no Django. Section bodies are what the officer types: paragraphs separated by a
blank line, lines starting with "- " or "* " as bullets, and `[words](https://...)` as a link.
That is all the structure a 7 minute briefing needs, and it survives a round trip through a
plain textarea.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SECTION_KEYS: tuple[str, ...] = (
    "background",
    "aim",
    "case_selection",
    "summary",
    "good_practice",
    "areas_for_development",
    "what_you_can_do",
)
DEFAULT_HEADINGS: dict[str, str] = {
    "background": "Background",
    "aim": "Aim of the audit",
    "case_selection": "Case selection and grade",
    "summary": "Summary",
    "good_practice": "Good practice",
    "areas_for_development": "Areas for development",
    "what_you_can_do": "What can you do now?",
}
HEADING_MAX = 60
# Longest sensible wording: what still fits one A4 page with all seven panels this full
# (tests render every section at its limit and check the page count).
SECTION_MAX_CHARS = 1100
TOTAL_MAX_CHARS = 5200

_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>]+)\)")
_BULLET = re.compile(r"^\s*[-*•]\s+")


@dataclass(frozen=True)
class Span:
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Block:
    """A paragraph (one item) or a bulleted list (one item per bullet)."""

    kind: str  # "p" or "ul"
    items: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    heading: str
    blocks: tuple[Block, ...]

    @property
    def is_empty(self) -> bool:
        return not self.blocks


@dataclass(frozen=True)
class GradeCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class BriefingContent:
    title: str
    subtitle: str
    partnership: str
    sections: tuple[Section, ...]
    grades: tuple[GradeCount, ...] = ()
    primary_colour: str = "#1d70b8"
    accent_colour: str = "#f3f2f1"
    contact: str = ""
    draft: bool = False
    version: int = 1
    published_on: str = ""  # e.g. "2 May 2022"; empty for a draft
    language: str = "en-GB"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def total_cases(self) -> int:
        return sum(g.count for g in self.grades)

    @property
    def document_title(self) -> str:
        prefix = "DRAFT – " if self.draft else ""
        return f"{prefix}7 minute briefing: {self.title}"


def parse_spans(text: str) -> tuple[Span, ...]:
    """Split a line into plain text and `[words](url)` links."""
    spans: list[Span] = []
    pos = 0
    for match in _LINK.finditer(text):
        if match.start() > pos:
            spans.append(Span(text[pos : match.start()]))
        spans.append(Span(match.group(1), match.group(2)))
        pos = match.end()
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return tuple(spans)


def parse_body(body: str) -> tuple[Block, ...]:
    """The officer's wording as paragraphs and bullet lists."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(Block("p", (parse_spans(" ".join(paragraph)),)))
            paragraph.clear()

    def flush_bullets() -> None:
        if bullets:
            blocks.append(Block("ul", tuple(parse_spans(b) for b in bullets)))
            bullets.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush_paragraph()
            flush_bullets()
        elif _BULLET.match(raw):
            flush_paragraph()
            bullets.append(_BULLET.sub("", raw).strip())
        elif bullets and raw[:1].isspace():
            bullets[-1] = f"{bullets[-1]} {line}"  # a wrapped bullet continues
        else:
            flush_bullets()
            paragraph.append(line)
    flush_paragraph()
    flush_bullets()
    return tuple(blocks)


def spans_text(spans: tuple[Span, ...], *, with_urls: bool = False) -> str:
    return "".join(f"{s.text} ({s.url})" if with_urls and s.url else s.text for s in spans)


def build_sections(
    bodies: dict[str, str], headings: dict[str, str] | None = None
) -> tuple[Section, ...]:
    """The seven numbered sections, in order, with the partnership's headings where set."""
    headings = headings or {}
    return tuple(
        Section(
            key=key,
            number=number,
            heading=(headings.get(key) or DEFAULT_HEADINGS[key]).strip(),
            blocks=parse_body(bodies.get(key, "")),
        )
        for number, key in enumerate(SECTION_KEYS, start=1)
    )


def wording_problems(bodies: dict[str, str]) -> dict[str, str]:
    """Sections whose wording is too long for one page: {key: message}."""
    problems: dict[str, str] = {}
    for key in SECTION_KEYS:
        length = len(bodies.get(key, "").strip())
        if length > SECTION_MAX_CHARS:
            problems[key] = (
                f"{DEFAULT_HEADINGS[key]} must be {SECTION_MAX_CHARS} characters or fewer "
                f"to fit on one page (it has {length})"
            )
    total = sum(len(bodies.get(k, "").strip()) for k in SECTION_KEYS)
    if total > TOTAL_MAX_CHARS and not problems:
        problems["__all__"] = (
            f"The briefing must be {TOTAL_MAX_CHARS} characters or fewer in all to fit on one "
            f"page (it has {total}): shorten the longest sections"
        )
    return problems
