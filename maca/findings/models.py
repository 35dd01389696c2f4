"""What the panel found, what it asks practitioners to do now, and the learning on offer.

Findings are written after moderation and feed the 7 minute briefing. Each links to the cases
(and, where useful, the agency returns) that evidence it, so the briefing can say "in 2 of 5
cases" and the panel can show its working.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FindingKind(models.TextChoices):
    SUMMARY = "summary", "Summary"
    GOOD_PRACTICE = "good_practice", "Good practice"
    AREA_FOR_DEVELOPMENT = "area_for_development", "Area for development"


class Finding(models.Model):
    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)
    cases = models.ManyToManyField("audits.Case", related_name="findings", blank=True)
    returns = models.ManyToManyField("returns.AgencyReturn", related_name="findings", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audit", "kind", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class PractitionerStep(models.Model):
    """One "What can you do now?" item for practitioners, optionally with a link."""

    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.CASCADE, related_name="practitioner_steps"
    )
    text = models.TextField()
    link_url = models.URLField(blank=True)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["audit", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class LearningEvent(models.Model):
    """Training or a briefing session offered on the back of an audit."""

    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.CASCADE, related_name="learning_events"
    )
    title = models.CharField(max_length=200)
    date = models.DateField(null=True, blank=True)
    audience = models.CharField(max_length=200, blank=True)
    booking_url = models.URLField(blank=True)
    # Recorded afterwards (maca.actions): places offered and how many came.
    places = models.PositiveIntegerField(null=True, blank=True)
    attended = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["audit", "date", "pk"]

    def __str__(self) -> str:
        return self.title
