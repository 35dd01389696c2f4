"""Form helpers shared by the apps: GOV.UK-style dates and specific error messages."""

from __future__ import annotations

from typing import Any

from django import forms

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]


def date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    """A date typed as 11/04/2022 (or ISO), with messages that say what was wrong."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text or "For example, 11/04/2022",
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"{label} must be a real date, like 11/04/2022.",
        },
        widget=forms.DateInput(format="%d/%m/%Y"),
    )


def text_field(
    label: str,
    *,
    required: bool = False,
    long: bool = False,
    max_length: int = 20000,
    required_message: str = "",
    **kw: Any,
) -> forms.CharField:
    """A text field whose messages name it; pass `required_message` when "Enter the <label>"
    would not read well."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea if long else forms.TextInput,
        error_messages={
            "required": required_message or f"Enter the {label[:1].lower() + label[1:]}.",
            "max_length": f"{label} must be {max_length:,} characters or fewer.",
        },
        **kw,
    )


def add_service_error(form: forms.Form, field: str | None, message: str) -> None:
    """Attach a service's refusal to the field it names (or to the whole form)."""
    form.add_error(field if field in form.fields else None, message)


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Fill a choice field's options at run time (from the partnership's own data)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def check_upload(upload: Any, *, extensions: tuple[str, ...], max_bytes: int, what: str) -> Any:
    """Refuse an uploaded file of the wrong type or size before anything reads it.

    The type is judged by the file's name here; the readers then judge the content, so a
    renamed file is still refused with a clear message rather than read as garbage.
    """
    if upload is None:
        return upload
    name = str(getattr(upload, "name", "") or "")
    lowered = name.lower()
    if not lowered.endswith(extensions):
        allowed = ", ".join(extensions)
        raise forms.ValidationError(f"{name or 'The file'} is not a {what} ({allowed}).")
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise forms.ValidationError(f"{name} is empty.")
    if size > max_bytes:
        raise forms.ValidationError(
            f"{name} is {size / 1_000_000:,.1f} MB; the largest {what} maca accepts is "
            f"{max_bytes / 1_000_000:,.0f} MB."
        )
    return upload
