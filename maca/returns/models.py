"""Agency returns: each agency's audit of its own involvement with one case."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"
    WAIVED = "waived", "Waived"


class AgencyReturn(models.Model):
    case = models.ForeignKey("audits.Case", on_delete=models.CASCADE, related_name="returns")
    agency = models.ForeignKey(
        "partnerships.Agency", on_delete=models.PROTECT, related_name="returns"
    )
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    grade = models.CharField(max_length=40, blank=True)
    grade_reason = models.TextField(blank=True)
    immediate_concern = models.BooleanField(default=False)
    immediate_concern_detail = models.TextField(blank=True)
    waived_reason = models.TextField(blank=True)
    # Optimistic concurrency: every save must name the version it was based on.
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case__number", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="return_case_agency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case.label}: {self.agency.name} return"


class Answer(models.Model):
    agency_return = models.ForeignKey(
        AgencyReturn, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey("audits.Question", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    why_not = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency_return", "question"], name="answer_question_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_return}: {self.question.code}"
