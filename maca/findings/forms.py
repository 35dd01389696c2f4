"""Forms for findings, "what can you do now" steps and learning events."""

from __future__ import annotations

from django import forms

from maca.core.forms import date_field, text_field
from maca.findings.models import FindingKind
from maca.findings.services import TEXT_MAX


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FindingForm(_Versioned):
    kind = forms.ChoiceField(
        label="What kind of finding is this?",
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of finding this is."},
    )
    text = text_field(
        "Finding",
        required=True,
        long=True,
        max_length=TEXT_MAX,
        help_text="Write it for practitioners. Do not name or describe any child or family member.",
        required_message="Enter the finding.",
    )
    cases = forms.MultipleChoiceField(
        label="Cases that show it",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The briefing says how widely it was seen, for example “in two of five cases”.",
    )
    returns = forms.MultipleChoiceField(
        label="Agency returns that evidence it (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: object,
        case_choices: list[tuple[str, str]],
        return_choices: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["cases"].choices = case_choices  # type: ignore[attr-defined]
        self.fields["returns"].choices = return_choices  # type: ignore[attr-defined]


class StepForm(_Versioned):
    text = text_field(
        "What practitioners can do now",
        required=True,
        long=True,
        max_length=300,
        required_message="Enter what practitioners can do now.",
    )
    link_url = forms.URLField(
        assume_scheme="https",
        label="Link (optional)",
        required=False,
        max_length=500,
        help_text="For example, the guidance it refers to. Starts with https://",
        error_messages={
            "invalid": "Enter the link as a full web address, like https://example.org/guidance."
        },
    )


class EventForm(_Versioned):
    title = text_field("Title", required=True, max_length=200)
    date = date_field("Date")
    audience = text_field(
        "Audience (optional)", max_length=200, help_text="For example, all practitioners"
    )
    booking_url = forms.URLField(
        assume_scheme="https",
        label="Booking link (optional)",
        required=False,
        max_length=500,
        error_messages={
            "invalid": "Enter the booking link as a full web address, like https://example.org/book."
        },
    )
