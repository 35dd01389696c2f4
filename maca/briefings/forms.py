"""Forms for the briefing editor, publishing, review briefings and the partnership's style."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from maca.briefings.content import DEFAULT_HEADINGS, HEADING_MAX, SECTION_KEYS, SECTION_MAX_CHARS
from maca.briefings.models import SourceKind
from maca.core.forms import text_field

HINTS = {
    "background": "Why this audit, what prompted it, when it ran and when the panel met.",
    "aim": "The aim and the audit questions.",
    "case_selection": "How many cases, how they were chosen, the grades and their nuances.",
    "summary": "The panel's overall conclusion in two or three sentences.",
    "good_practice": "One bullet per point.",
    "areas_for_development": "One bullet per point.",
    "what_you_can_do": "Practical steps and learning events, with links.",
}
FORMAT_HINT = (
    " Separate paragraphs with a blank line; start a line with “- ” for a bullet; "
    "write a link as [words](https://...)."
)


class BriefingForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput)
    note = text_field(
        "What changed (optional)", max_length=200, help_text="Shown in the version history."
    )

    def __init__(self, *args: object, headings: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key in SECTION_KEYS:
            heading = headings.get(key) or DEFAULT_HEADINGS[key]
            self.fields[key] = text_field(
                heading,
                long=True,
                max_length=SECTION_MAX_CHARS,
                help_text=HINTS[key] + FORMAT_HINT,
            )

    def section_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in SECTION_KEYS]

    def bodies(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in SECTION_KEYS}


class PublishForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput)
    override_reason = text_field(
        "Reason for publishing despite the findings",
        long=True,
        max_length=1000,
        help_text=(
            "Only when you are sure every finding is a false alarm (for example, a name that "
            "is also an ordinary word). The reason is recorded in the activity log."
        ),
    )


class ReviewBriefingForm(forms.Form):
    source_kind = forms.ChoiceField(
        label="What is the briefing about?",
        choices=[c for c in SourceKind.choices if c[0] != SourceKind.AUDIT],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rapid review or a local review."},
    )
    title = text_field("Title", required=True, max_length=200)
    reference = forms.SlugField(
        label="Reference",
        max_length=80,
        help_text="Short, lower case, with hyphens: for example rapid-review-2023-04",
        error_messages={
            "required": "Enter a reference.",
            "invalid": "The reference can only hold lower-case letters, numbers and hyphens.",
        },
    )


class StyleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accent_colour = forms.CharField(
        label="Panel background colour",
        max_length=7,
        validators=[
            RegexValidator(
                r"^#[0-9a-fA-F]{6}$", "Enter the colour as # and six hex digits, like #f3f2f1."
            )
        ],
        help_text="A light colour, so text on it stays readable. For example #f3f2f1",
        error_messages={"required": "Enter the panel background colour."},
    )
    contact = text_field(
        "Contact line (optional)",
        max_length=200,
        help_text="Printed under the title, for example the partnership’s web address. (E-mail addresses are stopped by the disclosure check.)",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key in SECTION_KEYS:
            self.fields[f"heading_{key}"] = text_field(
                f"Heading for “{DEFAULT_HEADINGS[key]}”",
                max_length=HEADING_MAX,
                help_text=f"Leave empty to use “{DEFAULT_HEADINGS[key]}”.",
            )

    def heading_fields(self) -> list[forms.BoundField]:
        return [self[f"heading_{key}"] for key in SECTION_KEYS]

    def headings(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"heading_{key}", "") for key in SECTION_KEYS}
