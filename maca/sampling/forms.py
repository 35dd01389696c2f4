"""Forms for importing the pool, setting eligibility and drawing the sample."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from maca.core.forms import check_upload, set_choices
from maca.sampling.importers import FORMATS
from maca.sampling.models import CATEGORY_CHOICES, EVENT_KIND_CHOICES, STRATIFY_FIELDS

FORMAT_LABELS = {
    "annex-a": "Ofsted Annex A (workbook or one list as CSV)",
    "cin-census": "DfE CIN census XML",
    "csv": "maca's plain CSV",
}


def _months(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=216,
        help_text=help_text,
        error_messages={
            "invalid": f"{label} must be a whole number of months, like 6.",
            "min_value": f"{label} must be 0 or more.",
            "max_value": f"{label} must be 216 months (18 years) or fewer.",
        },
    )


class PoolImportForm(forms.Form):
    file = forms.FileField(
        label="List file", error_messages={"required": "Choose the file to import."}
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Work it out from the file"), *((f, FORMAT_LABELS[f]) for f in FORMATS)],
        error_messages={"invalid_choice": "Choose a format from the list."},
    )

    def clean_file(self) -> Any:
        return check_upload(
            self.cleaned_data.get("file"),
            extensions=(".csv", ".txt", ".xlsx", ".xml"),
            max_bytes=settings.MACA_POOL_UPLOAD_MAX_BYTES,
            what="case-pool file",
        )


class CriteriaForm(forms.Form):
    event_kind = forms.ChoiceField(
        label="Children with a",
        choices=EVENT_KIND_CHOICES,
        error_messages={"invalid_choice": "Choose an event from the list."},
    )
    category = forms.ChoiceField(
        label="Category of abuse (for child protection plans)",
        required=False,
        choices=[("", "Any category"), *CATEGORY_CHOICES],
        error_messages={"invalid_choice": "Choose a category from the list."},
    )
    min_age_months = _months("Youngest age at the time, in months")
    max_age_months = _months("Oldest age at the time, in months", "For babies under 1, enter 11")
    lookback_months = _months(
        "Only the last months of the period",
        "Leave blank to use the whole period under review",
    )


class DrawForm(forms.Form):
    size = forms.IntegerField(
        label="How many cases",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter how many cases to draw.",
            "invalid": "The number of cases must be a whole number, like 5.",
            "min_value": "Draw at least 1 case.",
            "max_value": "Draw 500 cases or fewer.",
        },
    )
    seed = forms.CharField(
        label="Seed (optional)",
        required=False,
        max_length=100,
        help_text="Leave blank for a new random draw. Enter an earlier seed to repeat that draw exactly.",
    )
    stratify = forms.ChoiceField(
        label="Spread the sample across",
        required=False,
        choices=[("", "No strata: a simple random sample"), *STRATIFY_FIELDS.items()],
        error_messages={"invalid_choice": "Choose from the list."},
    )
    quotas = forms.CharField(
        label="Quotas (optional)",
        required=False,
        max_length=500,
        help_text="Fixed numbers for some strata instead of proportional shares, for example: a) Neglect: 2, b) Physical abuse: 3",
    )

    def clean_quotas(self) -> dict[str, int]:
        text: str = self.cleaned_data["quotas"]
        quotas: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            value, sep, count = part.rpartition(":")
            if not sep or not value.strip() or not count.strip().isdigit():
                raise forms.ValidationError(
                    f"“{part}” is not a quota: write the value, a colon and a number, like b) Female: 3."
                )
            quotas[value.strip()] = int(count)
        return quotas

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("quotas") and not data.get("stratify"):
            self.add_error(
                "stratify", "Choose what to spread the sample across before giving quotas."
            )
        return data


class ExcludeForm(forms.Form):
    pseudo_id = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why can this child not be audited?",
        max_length=500,
        required=False,  # the service says so, naming the child's form (see the view)
        help_text="For example, active care proceedings. The reason is kept in the selection record.",
    )


class FixForm(forms.Form):
    agencies = forms.MultipleChoiceField(
        label="Agencies that knew these children",
        widget=forms.CheckboxSelectMultiple,
        help_text="You can change the agencies for each case afterwards.",
        error_messages={
            "required": "Choose at least one agency that knew the children.",
            "invalid_choice": "Choose agencies from the list.",
        },
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        set_choices(self, "agencies", agencies)
