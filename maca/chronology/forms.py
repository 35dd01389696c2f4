"""Forms for recording chronology events, incidents and uploads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from maca.chronology.models import EVENT_TYPE_CHOICES
from maca.chronology.services import EventInput
from maca.core.forms import check_upload, date_field, set_choices, text_field


class EventForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency",
        error_messages={
            "required": "Choose the agency this event belongs to.",
            "invalid_choice": "Choose an agency you can record events for.",
        },
    )
    event_type = forms.ChoiceField(
        label="What happened",
        choices=[("", "Choose the type of event"), *EVENT_TYPE_CHOICES],
        error_messages={
            "required": "Choose what happened.",
            "invalid_choice": "Choose a type of event from the list.",
        },
    )
    on_date = date_field("Date", required=True)
    at_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        help_text="24-hour clock, for example 14:30. Leave blank if only the date is recorded.",
        error_messages={"invalid": "Enter the time like 14:30, or leave it blank."},
    )
    incident = forms.ChoiceField(
        label="Incident",
        required=False,
        error_messages={"invalid_choice": "Choose an incident from the list."},
    )
    summary = text_field(
        "Summary",
        long=True,
        max_length=2000,
        help_text="What happened, in a sentence. Do not include names, addresses or dates of birth.",
    )
    reason = text_field(
        "Reason",
        long=True,
        max_length=2000,
        help_text="Needed when something was decided not to happen",
    )
    outcome = forms.ChoiceField(
        label="Conference outcome",
        required=False,
        error_messages={"invalid_choice": "Choose one of the options listed."},
        choices=[
            ("", "Not a conference"),
            ("plan", "Child protection plan"),
            ("no_plan", "No plan"),
        ],
    )
    plan = forms.ChoiceField(
        label="Plan",
        required=False,
        error_messages={"invalid_choice": "Choose one of the options listed."},
        choices=[
            ("", "Not a plan"),
            ("cp", "Child protection"),
            ("cin", "Child in need"),
            ("early_help", "Early help"),
        ],
    )
    attendees = text_field(
        "Who attended (strategy discussions)",
        max_length=500,
        help_text="Agencies, separated by commas, for example csc, police, health-visiting",
    )
    siblings_considered = forms.ChoiceField(
        label="Were siblings considered? (strategy discussions)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the options listed."},
        choices=[("", "Not recorded"), ("yes", "Yes"), ("no", "No")],
    )
    next_steps = text_field("Next steps (when a plan ends)", long=True, max_length=2000)

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[str, str]],
        incidents: list[tuple[str, str]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        set_choices(self, "agency", agencies)
        set_choices(self, "incident", [("", "Not about a particular incident"), *incidents])

    def to_input(self) -> EventInput:
        d = self.cleaned_data
        details: dict[str, Any] = {
            "reason": d["reason"].strip(),
            "outcome": d["outcome"],
            "plan": d["plan"],
            "next_steps": d["next_steps"].strip(),
            "attendees": [a.strip() for a in d["attendees"].split(",") if a.strip()],
        }
        if d["siblings_considered"]:
            details["siblings_considered"] = d["siblings_considered"] == "yes"
        on_time: dt.time | None = d["at_time"]
        return EventInput(
            event_type=d["event_type"],
            on_date=d["on_date"],
            at_time=on_time,
            incident_code=d["incident"],
            summary=d["summary"].strip(),
            details=details,
        )


class IncidentForm(forms.Form):
    description = text_field(
        "Describe the incident",
        required=True,
        required_message="Describe the incident, for example “bruise to left cheek”.",
        max_length=200,
        help_text="A few words every agency will recognise, for example “bruise to left cheek, January”",
    )


class UploadForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency",
        error_messages={
            "required": "Choose the agency.",
            "invalid_choice": "Choose an agency you can record events for.",
        },
    )
    file = forms.FileField(
        label="Chronology file (CSV or JSON)",
        error_messages={"required": "Choose a CSV or JSON file to upload."},
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        set_choices(self, "agency", agencies)

    def clean_file(self) -> Any:
        from maca.chronology.services import MAX_UPLOAD_BYTES

        return check_upload(
            self.cleaned_data.get("file"),
            extensions=(".csv", ".json"),
            max_bytes=MAX_UPLOAD_BYTES,
            what="chronology file",
        )
