"""The side-by-side reading of a case's returns, question by question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maca.audits.models import Case, Question
from maca.audits.toolspec import ANSWER_CHOICES
from maca.chronology.selectors import question_evidence
from maca.returns.models import AgencyReturn, Answer

ANSWER_LABELS = dict(ANSWER_CHOICES)


@dataclass
class Cell:
    """One agency's answer to one question, ready to show."""

    answer: str
    text: str
    evidence: str
    why_not: str


@dataclass
class Row:
    question: Question
    cells: list[Cell | None]
    evidence: list[Any]


def comparison(case: Case) -> dict[str, Any]:
    """Columns are the case's returns (by agency); rows are questions, then the summaries."""
    returns = list(
        AgencyReturn.objects.filter(case=case).select_related("agency").order_by("agency__name")
    )
    questions = list(Question.objects.filter(tool_id=case.audit.tool_id).order_by("order"))
    # Read as rows: a case with seven agencies has over a hundred answers.
    cells_by_key: dict[tuple[int, int], Cell] = {
        (return_id, question_id): Cell(ANSWER_LABELS.get(answer, ""), text, evidence, why_not)
        for return_id, question_id, answer, text, evidence, why_not in Answer.objects.filter(
            agency_return__case=case
        ).values_list("agency_return_id", "question_id", "answer", "text", "evidence", "why_not")
    }
    evidence = question_evidence(case, questions)
    rows = []
    for q in questions:
        cells: list[Cell | None] = [cells_by_key.get((r.pk, q.pk)) for r in returns]
        rows.append(Row(q, cells, evidence.get(q.code, [])))
    scale = case.audit.tool.scale
    return {
        "returns": returns,
        "rows": rows,
        "grades": [scale.label_for(r.grade) if r.grade else "" for r in returns],
    }
