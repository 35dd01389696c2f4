"""The panel's overall grade for each case."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseModeration(models.Model):
    case = models.OneToOneField("audits.Case", on_delete=models.CASCADE, related_name="moderation")
    grade = models.CharField(max_length=40)
    reasons = models.TextField()
    # "Good, with specific issues": the nuance panels record beside the grade.
    has_specific_issues = models.BooleanField(default=False)
    specific_issues = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Moderation of {self.case.label}"

    @property
    def grade_label(self) -> str:
        return self.case.audit.tool.scale.label_for(self.grade)
