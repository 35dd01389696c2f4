"""Forms for the second factor, re-authentication and changing a password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


def _code_field() -> forms.CharField:
    message = "Enter the 6-digit code from your authenticator app, or a recovery code."
    return forms.CharField(
        label="Code",
        max_length=40,
        help_text=CODE_HELP,
        error_messages={"required": message, "max_length": message},
    )


class CodeForm(forms.Form):
    code = _code_field()


class SetupForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=40,
        help_text="Your authenticator app shows a new 6-digit code every 30 seconds.",
        error_messages={
            "required": "Enter the 6-digit code your authenticator app shows.",
            "max_length": "Enter the 6-digit code your authenticator app shows.",
        },
    )


class ConfirmForm(forms.Form):
    """Password, and a code when the person has a second factor."""

    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        max_length=200,
        error_messages={"required": "Enter your password."},
    )

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = _code_field()


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form with GOV.UK wording and plain-text hints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password."
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = (
            "At least 8 characters. Not a common password, not only numbers and not like your "
            "name or username. A few unrelated words make a strong password."
        )
        self.fields["new_password1"].error_messages["required"] = "Enter a new password."
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again."
