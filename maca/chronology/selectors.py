"""The merged multi-agency timeline of a case, with its protocol results and chart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from maca.audits.models import Case
from maca.chronology.chart import ChartClock, ChartEvent, build_chart
from maca.chronology.engine import Result
from maca.chronology.models import ChronologyEvent
from maca.chronology.services import case_evaluation, evidence_by_question

STATUS_LABELS = {
    "met": ("In time", "govuk-tag--green"),
    "late": ("Late", "govuk-tag--red"),
    "missing": ("Missing", "govuk-tag--red"),
    "pending": ("Pending", "govuk-tag--blue"),
    "reason_recorded": ("Reason recorded", "govuk-tag--grey"),
    "not_applicable": ("Not applicable", "govuk-tag--grey"),
}


@dataclass(frozen=True)
class ResultRow:
    """A rule result ready to show: its tag text and colour come from STATUS_LABELS."""

    result: Result
    status_label: str
    tag_class: str


def result_rows(results: list[Result]) -> list[ResultRow]:
    return [ResultRow(r, *STATUS_LABELS[str(r.status)]) for r in results]


def _day(at: str | None) -> dt.date | None:
    return dt.date.fromisoformat(at[:10]) if at else None


def timeline(case: Case) -> dict[str, Any]:
    """Events in order (all agencies), the evaluation, and the chart's coordinates."""
    events = list(
        ChronologyEvent.objects.filter(case=case)
        .select_related("agency", "incident", "recorded_by")
        .order_by("on_date", "at_time", "id")
    )
    evaluation = case_evaluation(case, events=events) if events else None
    results = list(evaluation.results) if evaluation else []
    chart = build_chart(
        [
            ChartEvent(
                e.on_date,
                e.agency.short_name or e.agency.name,
                f"{e.at} {e.get_event_type_display()}",
            )
            for e in events
        ],
        [
            ChartClock(
                label=r.rule,
                start=_day(r.started) or dt.date.today(),
                due=r.due,
                done=_day(r.done),
                status=str(r.status),
                title=r.explanation,
            )
            for r in results
        ],
    )
    return {
        "events": events,
        "results": result_rows(results),
        "questions": evaluation.questions if evaluation else [],
        "chart": chart,
        "as_of": evaluation.as_of if evaluation else None,
    }


def question_evidence(case: Case, questions: list[Any]) -> dict[str, list[ResultRow]]:
    """For each audit question, the chronology checks its tool links to it, ready to show."""
    raw = evidence_by_question(case, {q.code: list(q.rules) for q in questions})
    return {code: result_rows(results) for code, results in raw.items()}
