"""Forms for planning audits, adding cases and loading tools."""

from __future__ import annotations

from typing import Any

from django import forms

from maca.audits.models import AuditTool
from maca.audits.services import AuditDetails, CaseIdentity
from maca.core.forms import date_field, set_choices, text_field
from maca.partnerships.models import Agency, Membership


class AuditForm(forms.Form):
    title = text_field(
        "Theme",
        required=True,
        max_length=200,
        help_text="For example, Injuries in non-mobile babies",
    )
    reference = forms.SlugField(
        label="Reference",
        max_length=80,
        help_text="A short name used in links and commands: lower-case letters, numbers and hyphens, for example neglect-2023",
        error_messages={
            "required": "Enter a reference for the audit.",
            "invalid": "The reference can only use lower-case letters, numbers and hyphens.",
        },
    )
    aim = text_field("Aim", long=True, help_text="What the audit sets out to learn")
    background = text_field("Background", long=True, help_text="Why this audit, why now")
    prompted_by = text_field(
        "Prompted by",
        long=True,
        help_text="The local or national reviews, or data, that prompted it",
    )
    period_start = date_field("Start of the period under review")
    period_end = date_field("End of the period under review")
    return_deadline = date_field("Return deadline")
    panel_date = date_field("Panel date")
    tool = forms.ChoiceField(
        label="Audit tool", error_messages={"required": "Choose an audit tool."}
    )
    chair = forms.ChoiceField(label="Panel chair", required=False)
    agencies = forms.MultipleChoiceField(
        label="Agencies taking part",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose agencies from the list."},
    )

    def __init__(self, *args: Any, partnership_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tools = AuditTool.objects.filter(partnership_id=partnership_id).order_by("slug", "-version")
        set_choices(self, "tool", [("", "Choose a tool")] + [(str(t.pk), str(t)) for t in tools])
        chairs = Membership.objects.filter(
            partnership_id=partnership_id, role="chair", is_active=True
        ).select_related("user")
        set_choices(
            self,
            "chair",
            [("", "Not chosen yet")] + [(str(m.user_id), str(m.user)) for m in chairs],
        )
        agencies = Agency.objects.filter(partnership_id=partnership_id).order_by("name")
        set_choices(self, "agencies", [(str(a.pk), a.name) for a in agencies])

    def clean_reference(self) -> str:
        ref: str = self.cleaned_data["reference"]
        if ref in {"new"}:
            raise forms.ValidationError("That reference is reserved; choose another.")
        return ref

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error(
                "period_end", "The end of the period under review must be on or after its start."
            )
        return data

    def details(self) -> AuditDetails:
        d = self.cleaned_data
        return AuditDetails(
            reference=d["reference"],
            title=d["title"],
            tool=AuditTool.objects.get(pk=int(d["tool"])),
            aim=d["aim"],
            background=d["background"],
            prompted_by=d["prompted_by"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            return_deadline=d["return_deadline"],
            panel_date=d["panel_date"],
            chair_id=int(d["chair"]) if d["chair"] else None,
            agency_ids=tuple(int(a) for a in d["agencies"]),
        )


class CaseForm(forms.Form):
    given_name = text_field("Child's first name", required=True, max_length=100)
    family_name = text_field("Child's last name", required=True, max_length=100)
    date_of_birth = date_field("Date of birth")
    council_id = text_field(
        "Council ID", max_length=50, help_text="The child's ID in the council's case system"
    )
    agencies = forms.MultipleChoiceField(
        label="Agencies that knew the child",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the agencies that knew the child.",
            "invalid_choice": "Choose agencies from the list.",
        },
    )

    def __init__(
        self, *args: Any, agencies: list[Agency], names_required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "agencies", [(str(a.pk), a.name) for a in agencies])
        self.fields["given_name"].required = names_required
        self.fields["family_name"].required = names_required

    def identity(self) -> CaseIdentity:
        d = self.cleaned_data
        return CaseIdentity(
            given_name=d["given_name"].strip(),
            family_name=d["family_name"].strip(),
            date_of_birth=d["date_of_birth"],
            council_id=d["council_id"].strip(),
        )


class ToolLoadForm(forms.Form):
    file = forms.FileField(label="Upload a YAML file", required=False)
    text = text_field(
        "Or paste the tool's YAML",
        long=True,
        max_length=200_000,
        help_text="To change a tool, copy its YAML from the tool's page, edit it here and load it: maca keeps the old version unchanged and adds a new one.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > 200_000:
                self.add_error("file", "The file must be smaller than 200 KB.")
                return data
            raw = upload.read()
            try:
                data["yaml"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file must be UTF-8 text (a .yaml file).")
                return data
            data["source"] = upload.name
        elif data.get("text", "").strip():
            data["yaml"] = data["text"]
            data["source"] = "pasted text"
        else:
            self.add_error("file", "Upload a YAML file or paste the tool's YAML.")
        return data


class ReasonForm(forms.Form):
    reason = text_field("Reason", required=True, long=True, max_length=2000)
