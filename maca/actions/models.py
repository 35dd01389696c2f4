"""What happens after the briefing: action plans, their progress, teams' use of the briefing,
and the reminders already sent (so no one is e-mailed twice for the same thing on one day).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class ActionKind(models.TextChoices):
    PRACTICE_CHANGE = "practice_change", "Practice change"
    ASSURANCE = "assurance", "Assurance requested"
    TRAINING = "training", "Training"
    POLICY = "policy", "Policy or procedure"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    CLOSED = "closed", "Closed by the board"


OPEN_STATUSES = frozenset(
    {ActionStatus.NOT_STARTED, ActionStatus.ON_TRACK, ActionStatus.AT_RISK, ActionStatus.BLOCKED}
)
# GOV.UK tag colours per status, so the template stays free of decisions.
STATUS_TAGS = {
    ActionStatus.NOT_STARTED: "govuk-tag--grey",
    ActionStatus.ON_TRACK: "govuk-tag--blue",
    ActionStatus.AT_RISK: "govuk-tag--yellow",
    ActionStatus.BLOCKED: "govuk-tag--red",
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.CLOSED: "govuk-tag--turquoise",
}


class Action(models.Model):
    """One action from an audit's plan, owned by an agency, with a lead and a due date."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="actions"
    )
    # From an audit's plan, or (no audit) from a local review named in `review`.
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    review = models.CharField(max_length=200, blank=True)
    number = models.PositiveIntegerField()
    finding = models.ForeignKey(
        "findings.Finding", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    owner_agency = models.ForeignKey(
        "partnerships.Agency", on_delete=models.PROTECT, related_name="actions"
    )
    lead = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    blocked_reason = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="action_number_unique"),
            # A local review's actions have no audit (NULLs never clash): their numbers are
            # unique within the partnership.
            models.UniqueConstraint(
                fields=["partnership", "number"],
                condition=models.Q(audit__isnull=True),
                name="review_action_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(audit__isnull=False) | ~models.Q(review=""),
                name="action_has_a_source",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status", "due_date"], name="action_due_idx")
        ]

    def __str__(self) -> str:
        return f"Action {self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        if self.audit is not None:
            return reverse("actions:detail", args=[self.audit.reference, self.number])
        return reverse("actions:review", args=[self.number])

    @property
    def label(self) -> str:
        return f"Action {self.number}"

    @property
    def source_title(self) -> str:
        """The audit's title, or the local review's name."""
        return self.audit.title if self.audit is not None else self.review

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_date < today

    @property
    def tag_class(self) -> str:
        return STATUS_TAGS.get(ActionStatus(self.status), "govuk-tag--grey")


class ActionUpdate(models.Model):
    """A progress note, with the status it left the action in (append-only)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Update to {self.action}"


class BriefingUse(models.Model):
    """A team discussed the briefing and says what it will do (the 7MB action proforma)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="+"
    )
    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.CASCADE, related_name="briefing_uses"
    )
    agency = models.ForeignKey(
        "partnerships.Agency", on_delete=models.PROTECT, related_name="briefing_uses"
    )
    team = models.CharField(max_length=200)
    discussed_on = models.DateField()
    attendees = models.PositiveIntegerField(null=True, blank=True)
    will_do = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audit", "discussed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.team} discussed the briefing"


class ReminderKind(models.TextChoices):
    RETURN_DUE = "return_due", "Return due"
    ACTION_DUE = "action_due", "Action due"
    ACTION_OVERDUE = "action_overdue", "Action overdue"


class ReminderSent(models.Model):
    """One reminder about one thing to one address on one day: the record that stops repeats."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    subject_key = models.CharField(max_length=80)  # e.g. "action:12:2022-06-30"
    recipient = models.EmailField()
    sent_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key", "recipient", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_key} on {self.sent_on}"
