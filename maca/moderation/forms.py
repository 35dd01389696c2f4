from __future__ import annotations

from typing import Any

from django import forms

from maca.core.forms import set_choices, text_field


class ModerationForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    grade = forms.ChoiceField(
        label="Overall grade for this case",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the overall grade for this case.",
            "invalid_choice": "Select a grade from the list.",
        },
    )
    reasons = text_field(
        "The panel's reasons",
        required=True,
        long=True,
        required_message="Enter the panel's reasons for the grade.",
    )
    has_specific_issues = forms.BooleanField(
        label="The grade comes with specific issues",
        required=False,
        help_text="For example, “good, with specific issues”",
    )
    specific_issues = text_field("Specific issues", long=True)

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "grade", grades)
