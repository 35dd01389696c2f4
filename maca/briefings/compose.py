"""Compose a briefing from the audit's own data, and turn a saved version into content.

`default_bodies(audit)` writes a first draft of every section from what maca already holds
(the audit's background and questions, the selection record, the panel's grades and findings,
the steps and learning events), so the officer edits wording rather than copying figures.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from django.utils import formats

from maca.briefings.content import (
    SECTION_KEYS,
    BriefingContent,
    GradeCount,
    build_sections,
)
from maca.findings.models import FindingKind

if TYPE_CHECKING:
    import datetime as dt

    from maca.audits.models import Audit
    from maca.briefings.models import Briefing, BriefingVersion

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def words(n: int) -> str:
    """Numbers as briefings write them: words up to ten, figures after."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def long_date(value: dt.date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def grade_counts(audit: Audit) -> tuple[GradeCount, ...]:
    """Moderated grades per grade on the audit's scale, best first (zeros kept)."""
    from maca.moderation.models import CaseModeration

    counts = Counter(
        CaseModeration.objects.filter(case__audit=audit).values_list("grade", flat=True)
    )
    scale = audit.tool.scale
    return tuple(GradeCount(code, label, counts.get(code, 0)) for code, label in scale.choices())


def _background(audit: Audit) -> str:
    parts = []
    if audit.background:
        parts.append(audit.background.strip())
    when = _when(audit)
    if when and when not in "\n".join(parts):
        parts.append(when)
    if audit.prompted_by:
        parts.append(f"What prompted it: {audit.prompted_by.strip()}")
    agencies = _agencies_known(audit)
    if agencies:
        parts.append("Children were known to:\n" + "\n".join(f"- {name}" for name in agencies))
    return "\n\n".join(parts)


def _when(audit: Audit) -> str:
    """When the audit looked and when the panel met, unless the background already says so."""
    if audit.panel_date and long_date(audit.panel_date) in (audit.background or ""):
        return ""
    period = (
        f"It looked at children's records from {long_date(audit.period_start)} to "
        f"{long_date(audit.period_end)}."
        if audit.period_start and audit.period_end
        else ""
    )
    panel = f" The panel met on {long_date(audit.panel_date)}." if audit.panel_date else ""
    return (period + panel).strip()


def _agencies_known(audit: Audit) -> list[str]:
    from maca.partnerships.models import Agency

    known = Agency.objects.filter(cases__audit=audit).distinct().order_by("name")
    if not known.exists():
        known = audit.agencies.order_by("name")
    return [a.name for a in known]


def _aim(audit: Audit) -> str:
    questions = list(audit.tool.questions.filter(is_aim=True).order_by("order"))
    if not questions:
        questions = list(audit.tool.questions.order_by("order"))
    intro = audit.aim.strip() or "This audit looked at how well agencies worked together."
    if not questions:
        return intro
    return f"{intro} It asked:\n" + "\n".join(f"- {q.text.strip()}" for q in questions)


def _case_selection(audit: Audit, grades: tuple[GradeCount, ...]) -> str:
    from maca.sampling.models import SelectionRecord

    total = audit.cases.count()
    record = SelectionRecord.objects.filter(audit=audit).first()
    if record is not None:
        how = "stratified random sample" if record.method == "stratified" else "random sample"
        first = (
            f"A {how} of {words(total)} {_plural(total, 'child', 'children')} was drawn from "
            f"the {record.eligible} children known to children's social care who met the "
            "audit's criteria. The draw is recorded and can be repeated."
        )
    else:
        first = (
            f"The panel looked at {words(total)} {_plural(total, 'case', 'cases')} of children "
            "known to children's social care."
        )
    graded = [g for g in grades if g.count]
    parts = [first]
    if graded:
        described = [f"{words(g.count)} as ‘{g.label.lower()}’" for g in graded]
        if len(described) > 1:
            joined = ", ".join(described[:-1]) + f" and {described[-1]}"
        else:
            joined = described[0]
        parts.append(f"The panel graded the overall practice in {joined}.")
    nuanced = audit.cases.filter(moderation__has_specific_issues=True).count()
    if nuanced:
        parts.append(
            f"There were nuances: specific issues were raised in {words(nuanced)} of the "
            f"{_plural(nuanced, 'case', 'cases')} and are reflected in the areas for development."
        )
    second = " ".join(parts[1:])
    return f"{first}\n\n{second}" if second else first


def evidence_text(count: int, total: int) -> str:
    """How widely a finding was seen: "in two of five cases", "in all five cases"."""
    if count == 0 or total == 0:
        return ""
    if count == total:
        return (
            f"in all {words(total)} cases"
            if total > 2
            else "in both cases"
            if total == 2
            else "in the one case"
        )
    return f"in {words(count)} of {words(total)} cases"


def _findings(audit: Audit, kind: str, *, bullets: bool) -> str:
    total = audit.cases.count()
    lines = []
    for finding in audit.findings.filter(kind=kind).order_by("order", "pk"):
        text = finding.text.strip()
        if bullets:  # the lists say how widely each point was seen; the summary speaks whole
            evidence = evidence_text(finding.cases.count(), total)
            lines.append(f"- {text} ({evidence})" if evidence else f"- {text}")
        else:
            lines.append(text)
    return ("\n" if bullets else "\n\n").join(lines)


def _what_you_can_do(audit: Audit) -> str:
    lines = []
    for step in audit.practitioner_steps.order_by("order", "pk"):
        text = step.text.strip()
        lines.append(f"- [{text}]({step.link_url})" if step.link_url else f"- {text}")
    events = list(audit.learning_events.order_by("date", "pk"))
    if events:
        lines.append("- Book onto the learning events:")
        for event in events:
            label = event.title.strip()
            if event.date:
                label += f", {long_date(event.date)}"
            if event.audience:
                label += f" (for {event.audience.strip()})"
            lines.append(
                f"  - [{label}]({event.booking_url})" if event.booking_url else f"  - {label}"
            )
    # Nested bullets read as one flat list on a one-page briefing.
    return "\n".join(line.replace("  - ", "- ", 1) for line in lines)


def default_bodies(audit: Audit) -> dict[str, str]:
    """A first draft of each section, from the audit's own records."""
    grades = grade_counts(audit)
    bodies = {
        "background": _background(audit),
        "aim": _aim(audit),
        "case_selection": _case_selection(audit, grades),
        "summary": _findings(audit, FindingKind.SUMMARY, bullets=False),
        "good_practice": _findings(audit, FindingKind.GOOD_PRACTICE, bullets=True),
        "areas_for_development": _findings(audit, FindingKind.AREA_FOR_DEVELOPMENT, bullets=True),
        "what_you_can_do": _what_you_can_do(audit),
    }
    return {key: bodies[key] for key in SECTION_KEYS}


def bodies_of(version: BriefingVersion) -> dict[str, str]:
    stored = {s["key"]: s.get("body", "") for s in version.sections}
    return {key: stored.get(key, "") for key in SECTION_KEYS}


def content_for(
    briefing: Briefing,
    bodies: dict[str, str],
    *,
    version: int,
    draft: bool,
    published_on: dt.date | None = None,
) -> BriefingContent:
    """Everything a renderer needs, from a briefing and a set of section bodies."""
    from maca.briefings.models import BriefingStyle

    partnership = briefing.partnership
    style = BriefingStyle.objects.filter(partnership=partnership).first()
    audit = briefing.audit
    grades = grade_counts(audit) if audit is not None else ()
    subtitle = (
        f"Multi-agency case audit, panel {long_date(audit.panel_date)}"
        if audit is not None and audit.panel_date
        else briefing.get_source_kind_display()
    )
    return BriefingContent(
        title=briefing.title,
        subtitle=subtitle,
        partnership=partnership.name,
        sections=build_sections(bodies, style.headings if style else None),
        grades=grades,
        primary_colour=partnership.colour,
        accent_colour=style.accent_colour if style else "#f3f2f1",
        contact=style.contact if style else "",
        draft=draft,
        version=version,
        published_on=long_date(published_on),
    )
