"""The partnership's view across audits: the programme, and re-audits linked to earlier ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PromptKind(models.TextChoices):
    LOCAL_REVIEW = "local_review", "Local review recommendation"
    NATIONAL_REVIEW = "national_review", "National review"
    DATA = "data", "Data"
    OTHER = "other", "Other"


class ProgrammeEntry(models.Model):
    """An audit's place in the year's programme: what prompted it and what happens next."""

    audit = models.OneToOneField("audits.Audit", on_delete=models.CASCADE, related_name="programme")
    year = models.PositiveIntegerField(help_text="The year the programme starts (April).")
    prompt_kind = models.CharField(max_length=20, choices=PromptKind.choices)
    next_steps = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["year", "audit__title"]

    def __str__(self) -> str:
        return f"{self.audit} in the {self.year} programme"


class Reaudit(models.Model):
    """This audit looks again at the theme of an earlier one."""

    audit = models.OneToOneField("audits.Audit", on_delete=models.CASCADE, related_name="reaudit")
    earlier = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="reaudits")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.audit} re-audits {self.earlier}"


class Verdict(models.TextChoices):
    IMPROVED = "improved", "Improved"
    CONTINUED = "continued", "Continued area for development"
    NEW = "new", "New"


class FindingLink(models.Model):
    """The panel's judgement of how a re-audit's finding compares with an earlier one."""

    finding = models.OneToOneField(
        "findings.Finding", on_delete=models.CASCADE, related_name="reaudit_link"
    )
    earlier = models.ForeignKey(
        "findings.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_links",
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: finding {self.finding_id}"
