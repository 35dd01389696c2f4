"""Briefing content for renderer tests: ordinary, and as long as the editor allows."""

from __future__ import annotations

from maca.briefings.content import (
    SECTION_KEYS,
    SECTION_MAX_CHARS,
    TOTAL_MAX_CHARS,
    BriefingContent,
    GradeCount,
    build_sections,
)

GRADES = (
    GradeCount("outstanding", "Outstanding", 0),
    GradeCount("good", "Good", 4),
    GradeCount("requires_improvement", "Requires improvement", 1),
    GradeCount("inadequate", "Inadequate", 0),
)

BODIES = {
    "background": "The audit ran from January to March 2022.\n\nChildren were known to:\n- Police\n- Health visiting",
    "aim": "To learn how agencies respond to injuries in babies. It asked:\n- Was there a strategy meeting? If not, why not?",
    "case_selection": "A random sample of five children was drawn.",
    "summary": "Agencies worked well together at the start.",
    "good_practice": "- Strategy discussions were timely (in three of five cases)",
    "areas_for_development": "- Plans leaned on one agency (in two of five cases)",
    "what_you_can_do": "- [Read the guidance](https://example.org/guidance)\n- Book a session",
}


def content(bodies: dict[str, str] | None = None, **kw: object) -> BriefingContent:
    return BriefingContent(
        title="Injuries in non-mobile babies",
        subtitle="Multi-agency case audit, panel 11 April 2022",
        partnership="Test Partnership",
        sections=build_sections(bodies if bodies is not None else BODIES),
        grades=GRADES,
        **kw,  # type: ignore[arg-type]
    )


SENTENCE = (
    "Practitioners shared information promptly and recorded their reasons for each decision "
    "they took about the baby's safety. "
)


def longest_bodies() -> dict[str, str]:
    """Every section as full as the editor allows in total: bullets and paragraphs."""
    per_section = min(SECTION_MAX_CHARS, TOTAL_MAX_CHARS // len(SECTION_KEYS))
    bodies = {}
    for index, key in enumerate(SECTION_KEYS):
        if index % 2:
            bullets, text = [], ""
            while len(text) + len(SENTENCE) + 3 < per_section:
                bullets.append("- " + SENTENCE.strip())
                text = "\n".join(bullets)
            bodies[key] = text
        else:
            bodies[key] = (SENTENCE * 20)[: per_section - 1].rsplit(" ", 1)[0] + "."
    return bodies
