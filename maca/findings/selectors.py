"""Reads for the findings page: each finding with how widely it was seen."""

from __future__ import annotations

from dataclasses import dataclass

from maca.audits.models import Audit
from maca.briefings.compose import evidence_text
from maca.findings.models import Finding, FindingKind, LearningEvent, PractitionerStep


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    case_labels: list[str]
    evidence: str  # "in two of five cases"
    returns: int


@dataclass(frozen=True)
class FindingGroup:
    kind: str
    label: str
    rows: list[FindingRow]


def findings_overview(audit: Audit) -> list[FindingGroup]:
    """Findings by kind, in order, each with its evidence (three queries in all)."""
    total = audit.cases.count()
    findings = list(
        audit.findings.prefetch_related("cases", "returns").order_by("kind", "order", "pk")
    )
    groups = []
    for kind, label in FindingKind.choices:
        rows = [
            FindingRow(
                finding=f,
                case_labels=[c.label for c in sorted(f.cases.all(), key=lambda c: c.number)],
                evidence=evidence_text(len(f.cases.all()), total),
                returns=len(f.returns.all()),
            )
            for f in findings
            if f.kind == kind
        ]
        groups.append(FindingGroup(kind, label, rows))
    return groups


def steps_for(audit: Audit) -> list[PractitionerStep]:
    return list(audit.practitioner_steps.order_by("order", "pk"))


def events_for(audit: Audit) -> list[LearningEvent]:
    return list(audit.learning_events.order_by("date", "pk"))
