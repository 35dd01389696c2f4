"""A case's multi-agency chronology: dated events recorded by each agency, and its incidents."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from maca.chronology.engine import EVENT_TYPES

EVENT_TYPE_CHOICES = [
    (name, t.meaning[:1].upper() + t.meaning[1:]) for name, t in EVENT_TYPES.items()
]


class Incident(models.Model):
    """One injury or concern, named at case level so every agency's events about it share it."""

    case = models.ForeignKey("audits.Case", on_delete=models.CASCADE, related_name="incidents")
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="incident_code_unique")
        ]

    def __str__(self) -> str:
        return (
            f"Incident {self.code}: {self.description}"
            if self.description
            else f"Incident {self.code}"
        )


class ChronologyEvent(models.Model):
    """One dated event. A date-only event has no time: it is never stored as midnight."""

    case = models.ForeignKey("audits.Case", on_delete=models.CASCADE, related_name="events")
    agency = models.ForeignKey("partnerships.Agency", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=40, choices=EVENT_TYPE_CHOICES)
    on_date = models.DateField()
    at_time = models.TimeField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    summary = models.TextField(blank=True)
    # Type-specific fields from the contract: attendees, siblings_considered, reason,
    # outcome, plan, next_steps.
    details = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on_date", models.F("at_time").asc(nulls_first=True), "id"]
        indexes = [models.Index(fields=["case", "on_date"])]

    def __str__(self) -> str:
        return f"{self.on_date} {self.event_type}"

    @property
    def at(self) -> str:
        """The contract's `at`: a date, or a local date-time."""
        if self.at_time is None:
            return self.on_date.isoformat()
        return f"{self.on_date.isoformat()}T{self.at_time.strftime('%H:%M')}"

    def to_contract(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": str(self.pk),
            "at": self.at,
            "type": self.event_type,
            "agency": self.agency.slug,
        }
        if self.incident is not None:
            out["incident"] = self.incident.code
        if self.summary:
            out["summary"] = self.summary
        out.update(self.details)
        return out
