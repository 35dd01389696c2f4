"""The form for making an API token."""

from __future__ import annotations

from django import forms

EXPIRY_LABELS = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("never", "No expiry date"),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="So you can tell your tokens apart, for example “Power BI dashboard”.",
        error_messages={
            "required": "Enter a name for the token, for example “Power BI”.",
            "max_length": "The name must be 100 characters or fewer.",
        },
    )
    expiry = forms.ChoiceField(
        label="When should the token stop working?",
        choices=EXPIRY_LABELS,
        widget=forms.RadioSelect,
        initial="90",
        error_messages={
            "required": "Select when the token should stop working.",
            "invalid_choice": "Select when the token should stop working.",
        },
    )
