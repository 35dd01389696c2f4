"""A case's multi-agency chronology: dated events recorded by each agency, and its incidents."""

from __future__ import annotations

import datetime as dt

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
        return contract_at(self.on_date, self.at_time)

    def to_contract(self) -> dict[str, object]:
        return contract_event(
            self.pk,
            self.on_date,
            self.at_time,
            self.event_type,
            self.agency.slug,
            self.incident.code if self.incident is not None else None,
            self.summary,
            self.details,
        )


# The columns `contract_event` takes, in order: pages that only evaluate a chronology read
# these with values_list rather than building a model (and its agency and incident) per event.
CONTRACT_COLUMNS = (
    "pk",
    "on_date",
    "at_time",
    "event_type",
    "agency__slug",
    "incident__code",
    "summary",
    "details",
)


def contract_at(on_date: dt.date, at_time: dt.time | None) -> str:
    """The contract's `at`: a date, or a local date-time to the minute."""
    if at_time is None:
        return on_date.isoformat()
    return f"{on_date.isoformat()}T{at_time.hour:02d}:{at_time.minute:02d}"


def contract_event(
    pk: int,
    on_date: dt.date,
    at_time: dt.time | None,
    event_type: str,
    agency: str,
    incident: str | None,
    summary: str,
    details: dict[str, object],
) -> dict[str, object]:
    """One event in the contract's file format (contracts.md section 3)."""
    out: dict[str, object] = {
        "id": str(pk),
        "at": contract_at(on_date, at_time),
        "type": event_type,
        "agency": agency,
    }
    if incident is not None:
        out["incident"] = incident
    if summary:
        out["summary"] = summary
    out.update(details)
    return out
