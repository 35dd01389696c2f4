"""The filter the business unit narrows a log with (also used for the CSV export)."""

from __future__ import annotations

from typing import Any

from django import forms


class LogFilterForm(forms.Form):
    """Every field optional; an invalid date is an error, never silently ignored."""

    user = forms.CharField(label="Person (username)", required=False, max_length=150)
    agency = forms.ChoiceField(label="Agency", required=False)
    audit = forms.CharField(
        label="Audit reference",
        required=False,
        max_length=80,
        help_text="For example, injuries-in-non-mobile-babies-2022",
    )
    case = forms.CharField(
        label="Case label", required=False, max_length=40, help_text="For example, Child A"
    )
    kind = forms.CharField(
        label="Kind",
        required=False,
        max_length=80,
        help_text="The start of the action, for example return. or case_record.view",
    )
    date_from = forms.DateField(
        label="From (inclusive)",
        required=False,
        help_text="YYYY-MM-DD",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label="To (inclusive)",
        required=False,
        help_text="YYYY-MM-DD",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Any agency"), *agencies]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        for name in ("user", "audit", "case", "kind"):
            value = data.get(name)
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, "Enter text without control characters")
        return data
