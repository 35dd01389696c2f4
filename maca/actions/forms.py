"""Forms for actions, progress updates, briefing use and attendance."""

from __future__ import annotations

from django import forms

from maca.actions.models import ActionKind, ActionStatus
from maca.core.forms import date_field, text_field


class ActionForm(forms.Form):
    description = text_field(
        "What needs to happen",
        required=True,
        long=True,
        max_length=1000,
        help_text="Do not name or describe any child or family member.",
        required_message="Enter what needs to happen.",
    )
    kind = forms.ChoiceField(
        label="Type of action",
        choices=ActionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of action."},
    )
    finding = forms.ChoiceField(label="Finding it answers (optional)", required=False)
    owner_agency = forms.ChoiceField(
        label="Agency that owns it", error_messages={"required": "Choose the agency that owns it."}
    )
    lead = text_field(
        "Lead",
        required=True,
        max_length=200,
        help_text="A name or job title, for example Head of Safeguarding",
    )
    due_date = date_field("Due date", required=True)


class ActionEditForm(ActionForm):
    """The same questions as adding, less the finding, with the version it was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["finding"]


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status."},
    )
    note = text_field("Progress update", long=True, max_length=2000)
    blocked_reason = text_field("If blocked, what is blocking it", long=True, max_length=1000)
    evidence = text_field(
        "If done, the evidence that it is done",
        long=True,
        max_length=2000,
        help_text="For example, the revised procedure's date or an audit of its use.",
    )

    def __init__(self, *args: object, statuses: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        labels = dict(ActionStatus.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in statuses]  # type: ignore[attr-defined]


class BriefingUseForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency", error_messages={"required": "Choose the team's agency."}
    )
    team = text_field("Team", required=True, max_length=200, help_text="For example, North MASH")
    discussed_on = date_field("Date the team discussed the briefing", required=True)
    attendees = forms.IntegerField(
        label="How many people took part (optional)",
        required=False,
        min_value=1,
        max_value=10000,
        error_messages={"invalid": "Enter how many people took part as a whole number, like 8."},
    )
    will_do = text_field(
        "What the team will do",
        required=True,
        long=True,
        max_length=2000,
        help_text="The team's actions from the 7 minute briefing action proforma.",
        required_message="Enter what the team will do.",
    )


class AttendanceForm(forms.Form):
    event = forms.ChoiceField(
        label="Learning event", error_messages={"required": "Choose the learning event."}
    )
    places = forms.IntegerField(
        label="Places offered (optional)",
        required=False,
        min_value=0,
        max_value=100000,
        error_messages={"invalid": "Enter the places offered as a whole number, like 40."},
    )
    attended = forms.IntegerField(
        label="How many attended",
        required=False,
        min_value=0,
        max_value=100000,
        error_messages={"invalid": "Enter how many attended as a whole number, like 32."},
    )
