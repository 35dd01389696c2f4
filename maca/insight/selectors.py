"""Aggregates across audits for the board and the business unit. Never case-level: counts by
audit, theme, grade, agency, rule and status only."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from maca.actions.models import ActionStatus
from maca.audits.models import Audit
from maca.core.permissions import FOLLOW_UP_STATES, Actor

ANSWERS = ("yes", "partly", "no")


def reported_audits(actor: Actor) -> list[Audit]:
    """Audits whose results are published (the board's view), oldest first."""
    if actor.partnership_id is None:
        return []
    return list(
        Audit.objects.filter(partnership_id=actor.partnership_id, status__in=FOLLOW_UP_STATES)
        .select_related("tool__scale")
        .order_by("panel_date", "pk")
    )


def _year(audit: Audit) -> str:
    when = audit.panel_date or audit.period_end
    return str(when.year) if when else "—"


def theme(audit: Audit) -> str:
    return audit.tool.theme or audit.title


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[str | int, ...]]


def grade_series(audits: list[Audit]) -> list[tuple[str, str]]:
    """Every grade used, best first as the scales order them: (code, label)."""
    seen: dict[str, str] = {}
    for audit in audits:
        for code, label in audit.tool.scale.choices():
            seen.setdefault(code, label)
    return list(seen.items())


def grades_by_audit(audits: list[Audit]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    series = grade_series(audits)
    rows = []
    for audit in audits:
        counts = Counter(audit.cases.values_list("moderation__grade", flat=True))
        rows.append((f"{_year(audit)} {audit.title}", [counts.get(code, 0) for code, _ in series]))
    return [label for _, label in series], rows


def grades_by_theme(audits: list[Audit]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    series = grade_series(audits)
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for audit in audits:
        totals[theme(audit)].update(
            g for g in audit.cases.values_list("moderation__grade", flat=True) if g
        )
    return [label for _, label in series], [
        (name, [c.get(code, 0) for code, _ in series]) for name, c in sorted(totals.items())
    ]


def answers_by_agency(audits: list[Audit]) -> list[tuple[str, list[int]]]:
    """Yes / partly / no answers in submitted returns, per agency, across the audits."""
    from maca.returns.models import Answer

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    rows = Answer.objects.filter(
        agency_return__case__audit__in=audits,
        agency_return__status="submitted",
        answer__in=ANSWERS,
    ).values_list("agency_return__agency__name", "answer")
    for agency, answer in rows:
        counts[agency][answer] += 1
    return [(agency, [c[a] for a in ANSWERS]) for agency, c in sorted(counts.items())]


RULE_STATUSES = ("met", "late", "missing")  # decided outcomes; pending and the rest are not

# The decided rule results of each case with a chronology: case id -> [(rule, status)].
CaseResults = dict[int, list[tuple[str, str]]]


def rule_results(audits: list[Audit]) -> CaseResults:
    """Evaluate every case with a chronology once (events fetched in one query), keeping
    only decided results, so the by-rule and by-agency tables share one evaluation."""
    from maca.chronology.models import ChronologyEvent
    from maca.chronology.services import case_evaluations

    by_case: dict[int, list[ChronologyEvent]] = defaultdict(list)
    for event in (
        ChronologyEvent.objects.filter(case__audit__in=audits)
        .select_related("agency", "incident")
        .order_by("on_date", "at_time", "id")
    ):
        by_case[event.case_id].append(event)
    cases = [
        case
        for audit in audits
        for case in audit.cases.filter(pk__in=list(by_case)).select_related("audit")
    ]
    out: CaseResults = {}
    for case_id, evaluation in case_evaluations(cases, by_case).items():
        out[case_id] = [
            (r.rule, str(r.status)) for r in evaluation.results if str(r.status) in RULE_STATUSES
        ]
    return out


def rule_descriptions(audits: list[Audit]) -> dict[str, str]:
    """Each rule id's plain-English description from the audits' protocols, so tables say
    "Children's social care decides ... within one working day", not "referral-decision-1wd"."""
    from maca.chronology.engine import ProtocolError, load_protocol

    out: dict[str, str] = {}
    for protocol_id in sorted({audit.protocol for audit in audits}):
        try:
            protocol = load_protocol(protocol_id)
        except ProtocolError:  # a protocol since removed: its rules keep their ids
            continue
        for rule in protocol.rules:
            if rule.description:
                out.setdefault(rule.id, rule.description)
    return out


def rules_met(
    audits: list[Audit], results: CaseResults | None = None
) -> list[tuple[str, list[int]]]:
    """Protocol timescales across the audited cases: met, late, missing, per rule."""
    results = rule_results(audits) if results is None else results
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case_results in results.values():
        for rule, status in case_results:
            counts[rule][status] += 1
    return [(rule, [c[s] for s in RULE_STATUSES]) for rule, c in sorted(counts.items()) if c]


@dataclass(frozen=True)
class AgencyRule:
    agency: str
    rule: str
    met: int
    late: int
    missing: int

    @property
    def counts(self) -> list[int]:
        return [self.met, self.late, self.missing]


def rules_by_agency(results: CaseResults) -> list[AgencyRule]:
    """Per agency and rule: the rule results of the cases the agency was part of (had a
    return for, other than a waived one). A case counts once for each agency in it."""
    from maca.returns.models import AgencyReturn, ReturnStatus

    agencies: dict[int, set[str]] = defaultdict(set)
    for case_id, name in (
        AgencyReturn.objects.filter(case_id__in=list(results))
        .exclude(status=ReturnStatus.WAIVED)
        .values_list("case_id", "agency__name")
    ):
        agencies[case_id].add(name)
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for case_id, case_results in results.items():
        for agency in agencies[case_id]:
            for rule, status in case_results:
                counts[(agency, rule)][status] += 1
    return [
        AgencyRule(agency, rule, *(c[s] for s in RULE_STATUSES))
        for (agency, rule), c in sorted(counts.items())
    ]


def action_completion(
    audits: list[Audit], today: dt.date
) -> tuple[list[str], list[tuple[str, list[int]]], list[int]]:
    """Per audit: closed, done, open on time, overdue; and the overdue counts."""
    series = ["Closed", "Done", "Open", "Overdue"]
    rows = []
    for audit in audits:
        actions = list(audit.actions.all())
        if not actions:
            continue
        closed = sum(a.status == ActionStatus.CLOSED for a in actions)
        done = sum(a.status == ActionStatus.DONE for a in actions)
        overdue = sum(a.is_overdue(today) for a in actions)
        open_ = len(actions) - closed - done - overdue
        rows.append((f"{_year(audit)} {audit.title}", [closed, done, open_, overdue]))
    return series, rows, [r[1][3] for r in rows]


@dataclass(frozen=True)
class Recurring:
    theme: str
    audit: str
    year: str
    text: str
    continued: bool


def recurring_areas(audits: list[Audit]) -> list[Recurring]:
    """Areas for development across audits, by theme; those a re-audit found again first."""
    from maca.findings.models import Finding

    found = (
        Finding.objects.filter(audit__in=audits, kind="area_for_development")
        .select_related("audit__tool")
        .prefetch_related("later_links")
    )
    out = [
        Recurring(
            theme(f.audit),
            f.audit.title,
            _year(f.audit),
            f.text,
            any(link.verdict == "continued" for link in f.later_links.all()),
        )
        for f in found
    ]
    return sorted(out, key=lambda r: (not r.continued, r.theme, r.year))
