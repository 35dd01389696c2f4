"""The agency return form, built from the audit tool's questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from maca.audits.models import AnswerType, Question
from maca.audits.toolspec import ANSWER_CHOICES
from maca.core.forms import set_choices, text_field
from maca.returns.models import AgencyReturn
from maca.returns.services import AnswerInput, ReturnInput


@dataclass
class QuestionBlock:
    """What the template shows for one question: the question and its bound fields."""

    question: Question
    fields: list[forms.BoundField]
    evidence: list[Any]


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    strengths = text_field("Strengths in your agency's practice", long=True)
    areas_for_development = text_field("Areas for development", long=True)
    grade = forms.ChoiceField(
        label="Your grade for your agency's practice",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select a grade from the list."},
    )
    grade_reason = text_field("Reason for the grade", long=True)
    immediate_concern = forms.BooleanField(
        label="I need to raise an immediate concern about this child",
        required=False,
        help_text="The business unit is told at once. Use this for anything that needs action now, not at the panel.",
    )
    immediate_concern_detail = text_field("Describe the immediate concern", long=True)

    def __init__(
        self, *args: Any, ret: AgencyReturn, questions: list[Question], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        set_choices(self, "grade", ret.case.audit.tool.scale.choices())
        for q in questions:
            if q.answer_type == AnswerType.CHOICE:
                self.fields[f"{q.code}-answer"] = forms.ChoiceField(
                    label=f"{q.code.upper()}. {q.text}",
                    required=False,
                    choices=ANSWER_CHOICES,
                    widget=forms.RadioSelect,
                    help_text=q.guidance,
                    error_messages={
                        "invalid_choice": f"Select one of the answers listed for question {q.code}."
                    },
                )
            else:
                self.fields[f"{q.code}-text"] = text_field(
                    f"{q.code.upper()}. {q.text}", long=True, help_text=q.guidance
                )
            self.fields[f"{q.code}-evidence"] = text_field(
                f"Evidence for question {q.code}",
                long=True,
                help_text="What in your agency's records shows this",
            )
            if q.why_not_required:
                self.fields[f"{q.code}-why_not"] = text_field(
                    f"If not, why not? (question {q.code})",
                    long=True,
                    help_text="Needed when the answer is no or partly",
                )

    def blocks(self, evidence: dict[str, list[Any]] | None = None) -> list[QuestionBlock]:
        """One block per question, with the chronology checks that bear on it."""
        out = []
        for q in self.questions:
            names = [
                f"{q.code}-answer",
                f"{q.code}-text",
                f"{q.code}-why_not",
                f"{q.code}-evidence",
            ]
            fields = [self[n] for n in names if n in self.fields]
            out.append(QuestionBlock(q, fields, (evidence or {}).get(q.code, [])))
        return out

    def to_input(self) -> ReturnInput:
        d = self.cleaned_data
        answers = {
            q.code: AnswerInput(
                answer=d.get(f"{q.code}-answer", "") or "",
                text=d.get(f"{q.code}-text", "") or "",
                evidence=d.get(f"{q.code}-evidence", "") or "",
                why_not=d.get(f"{q.code}-why_not", "") or "",
            )
            for q in self.questions
        }
        return ReturnInput(
            answers=answers,
            strengths=d["strengths"],
            areas_for_development=d["areas_for_development"],
            grade=d["grade"] or "",
            grade_reason=d["grade_reason"],
            immediate_concern=d["immediate_concern"],
            immediate_concern_detail=d["immediate_concern_detail"],
        )


def initial_for(ret: AgencyReturn) -> dict[str, Any]:
    """The stored return as form initial data."""
    data: dict[str, Any] = {
        "version": ret.version,
        "strengths": ret.strengths,
        "areas_for_development": ret.areas_for_development,
        "grade": ret.grade,
        "grade_reason": ret.grade_reason,
        "immediate_concern": ret.immediate_concern,
        "immediate_concern_detail": ret.immediate_concern_detail,
    }
    rows = ret.answers.values_list("question__code", "answer", "text", "evidence", "why_not")
    for code, answer, text, evidence, why_not in rows:
        data[f"{code}-answer"] = answer
        data[f"{code}-text"] = text
        data[f"{code}-evidence"] = evidence
        data[f"{code}-why_not"] = why_not
    return data
