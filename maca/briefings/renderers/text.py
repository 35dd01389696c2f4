"""The text-only briefing: plain paragraphs and bullets, links written out in full."""

from __future__ import annotations

import textwrap

from maca.briefings.chart import grade_sentence
from maca.briefings.content import BriefingContent, spans_text

WIDTH = 78


def render_text(content: BriefingContent) -> str:
    lines: list[str] = []
    title = content.document_title
    lines += [title, "=" * len(title), content.subtitle, content.partnership, ""]
    for section in content.sections:
        heading = f"{section.number}. {section.heading}"
        lines += [heading, "-" * len(heading)]
        for block in section.blocks:
            for item in block.items:
                text = spans_text(item, with_urls=True)
                if block.kind == "ul":
                    lines += textwrap.wrap(text, WIDTH, initial_indent="- ", subsequent_indent="  ")
                else:
                    lines += [*textwrap.wrap(text, WIDTH), ""]
            if block.kind == "ul":
                lines.append("")
        if section.key == "case_selection" and content.grades:
            lines += [*textwrap.wrap(grade_sentence(content.grades), WIDTH), ""]
        if not section.blocks:
            lines += ["(Nothing written yet.)", ""]
    footer = content.partnership
    if content.published_on:
        footer += f", published {content.published_on}"
    if content.contact:
        footer += f". {content.contact}"
    lines.append(footer)
    return "\n".join(lines).rstrip() + "\n"
