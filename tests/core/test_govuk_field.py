"""`{% govuk_field %}` renders the same markup as the template include it replaced.

The include (kept here as the reference, tests/core/templates/includes/field.html) was the
GOV.UK field markup on every form until the return form, about 50 fields, spent most of its
time in it. Everything a screen-reader user relies on must stay: labels tied to inputs, hints
and error messages named by aria-describedby, the visually hidden "Error:", fieldsets and
legends around radio and checkbox groups, the ids the error summary links to, and escaping.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Engine, engines
from django.utils.datastructures import MultiValueDict

REFERENCE = Engine(
    dirs=[str(Path(__file__).parent / "templates")],
    libraries={},
)
TAG = engines["django"]
HOSTILE = "<b>\"Tom\" & 'Jerry'</b>"


class Everything(forms.Form):
    name = forms.CharField(label=f"Name {HOSTILE}", help_text=f"Hint {HOSTILE}")
    username = forms.CharField(label="Username")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    when = forms.DateField(label="Date", required=False)
    count = forms.IntegerField(label="How many", required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, help_text="Multi\nline")
    plain = forms.CharField(label="Plain notes", widget=forms.Textarea, required=False)
    pick = forms.ChoiceField(
        label="Pick one", choices=[("", "Choose"), ("a", "A & a"), ("b", HOSTILE)]
    )
    grade = forms.ChoiceField(
        label="Grade",
        choices=[("", "---"), ("1", "Good"), ("2", "Poor")],
        widget=forms.RadioSelect,
        help_text="Choose the grade",
    )
    answer = forms.ChoiceField(
        label=f"Q1. {HOSTILE}",
        choices=[("yes", "Yes"), ("no", "No"), ("partly", "Partly")],
        widget=forms.RadioSelect,
    )
    number = forms.TypedChoiceField(
        label="Number", choices=[(1, "One"), (2, "Two")], coerce=int, widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds",
        choices=[("x", "X"), ("y", HOSTILE), ("z", "Z")],
        widget=forms.CheckboxSelectMultiple,
        help_text="All that apply",
    )
    agree = forms.BooleanField(label="I agree", help_text="You must agree")
    flag = forms.BooleanField(label="Flag", required=False)
    upload = forms.FileField(label="File", help_text="A CSV file")
    optional_upload = forms.FileField(label="Optional file", required=False)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        self.add_error("plain", "First problem")
        self.add_error("plain", f"Second problem {HOSTILE}")
        return data


def normalised(html: str) -> str:
    """Whitespace between tags and runs of whitespace do not change what is read out."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


OPTIONS = [
    {},
    {"rows": "3"},
    {"rows": "20", "mono": True},
    {"size": "m"},
    {"width": "10", "autocomplete": "one-time-code"},
    {"width": "20", "autocomplete": "current-password"},
]

UNBOUND = Everything(
    initial={
        "name": "Ann & <Bob>",
        "when": dt.date(2025, 3, 4),
        "count": 1234,
        "grade": "2",
        "number": 2,
        "kinds": ["y", "z"],
        "flag": True,
        "notes": "a\n<b>",
    }
)
INVALID = Everything(
    data={
        "name": "",
        "username": "u<>",
        "password": "secret",
        "when": "not a date",
        "count": "x",
        "pick": "zzz",
        "grade": "9",
        "answer": "no",
        "number": "1",
        "kinds": ["x", "nope"],
        "notes": "",
    },
    files=MultiValueDict({"optional_upload": [SimpleUploadedFile("a.csv", b"x")]}),
)
VALID_ISH = Everything(
    data={"answer": "partly", "kinds": ["x"], "agree": "on", "pick": "b", "password": "p"},
    auto_id="custom_%s",
)


@pytest.mark.parametrize("form", [UNBOUND, INVALID, VALID_ISH], ids=["unbound", "errors", "bound"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_every_field_kind_renders_as_the_include_did(form: Everything, options: dict) -> None:
    kinds = set()
    for bound in form:
        kinds.add(bound.widget_type)
        context = {"field": bound, **options}
        args = " ".join(f"{k}={k}" for k in options)
        old = REFERENCE.from_string('{% include "includes/field.html" %}').render(
            Context(context, autoescape=True)
        )
        new = TAG.from_string("{% load govuk %}{% govuk_field field " + args + " %}").render(
            context
        )
        assert normalised(new) == normalised(old), bound.name
    assert kinds >= {
        "text",
        "password",
        "textarea",
        "select",
        "radioselect",
        "checkboxselectmultiple",
        "checkbox",
        "clearablefile",
    }


def test_errors_are_announced_and_described() -> None:
    html = TAG.from_string("{% load govuk %}{% govuk_field form.grade %}").render({"form": INVALID})
    assert (
        '<fieldset class="govuk-fieldset" aria-describedby="id_grade-hint id_grade-error">' in html
    )
    assert '<p id="id_grade-error" class="govuk-error-message">' in html
    assert '<span class="govuk-visually-hidden">Error:</span> Select a valid choice.' in html
    assert "<legend" in html


def test_values_are_escaped() -> None:
    html = TAG.from_string("{% load govuk %}{% govuk_field form.name %}").render({"form": UNBOUND})
    assert "<b>" not in html
    assert 'value="Ann &amp; &lt;Bob&gt;"' in html


def test_the_old_include_name_still_renders_the_tag() -> None:
    html = TAG.from_string('{% include "includes/field.html" with field=form.grade size="m" %}')
    tag = TAG.from_string('{% load govuk %}{% govuk_field form.grade size="m" %}')
    assert html.render({"form": INVALID}).strip() == tag.render({"form": INVALID})
