"""Audit tools (questions and grading scales), audits, their cases and the restricted record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class GradingScale(models.Model):
    """Ordered grade labels, best first (Ofsted by default; RAG and others pluggable)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="scales"
    )
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    # [{"code": "good", "label": "Good", "description": ""}, ...] best first.
    grades = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="scale_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def choices(self) -> list[tuple[str, str]]:
        return [(g["code"], g["label"]) for g in self.grades]

    def label_for(self, code: str) -> str:
        return dict(self.choices()).get(code, code)


class AuditTool(models.Model):
    """One immutable version of a question set; editing a tool creates the next version."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="tools"
    )
    slug = models.SlugField()
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    theme = models.CharField(max_length=200, blank=True)
    scale = models.ForeignKey(GradingScale, on_delete=models.PROTECT, related_name="tools")
    source_yaml = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug", "version"], name="tool_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class AnswerType(models.TextChoices):
    CHOICE = "choice", "Yes / no / partly / not applicable / unknown"
    TEXT = "text", "Free text"


class Question(models.Model):
    tool = models.ForeignKey(AuditTool, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=20)
    order = models.PositiveIntegerField()
    section = models.CharField(max_length=200)
    text = models.TextField()
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    why_not_required = models.BooleanField(default=False)
    guidance = models.TextField(blank=True)
    rules = models.JSONField(default=list, blank=True)
    is_aim = models.BooleanField(default=False)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"


class AuditStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    SAMPLING = "sampling", "Sampling"
    AUDITING = "auditing", "Auditing"
    MODERATION = "moderation", "Moderation"
    REPORTING = "reporting", "Reporting"
    PUBLISHED = "published", "Published"
    FOLLOW_UP = "follow_up", "Follow-up"
    CLOSED = "closed", "Closed"


class Audit(models.Model):
    """One themed multi-agency case audit."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="audits"
    )
    reference = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    aim = models.TextField(blank=True)
    background = models.TextField(blank=True)
    prompted_by = models.TextField(blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    agencies = models.ManyToManyField("partnerships.Agency", related_name="audits", blank=True)
    return_deadline = models.DateField(null=True, blank=True)
    panel_date = models.DateField(null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="audits")
    # The chronology protocol cases are checked against: a built-in protocol id.
    protocol = models.CharField(max_length=80, default="injuries-in-non-mobile-babies")
    status = models.CharField(
        max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="audit_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="audit_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def case_label(number: int) -> str:
    """Child A, Child B ... Child Z, Child AA: the pseudonym shown everywhere but the record."""
    letters = ""
    n = number
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return f"Child {letters}"


class Case(models.Model):
    """A child in an audit, known everywhere (but the restricted record) by its label."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="cases")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=40)
    # The pool child this case was drawn from (None for cases added by hand).
    pool_child = models.ForeignKey(
        "sampling.PoolChild", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # Rules about injuries in babies apply to children not yet moving about on their own.
    non_mobile = models.BooleanField(default=True)
    # The agencies that knew this child: they audit it and see it.
    agencies = models.ManyToManyField("partnerships.Agency", related_name="cases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="case_number_unique")
        ]

    def __str__(self) -> str:
        return self.label


class CaseRecord(models.Model):
    """The restricted case record: the only place a child's real identity is kept."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="record")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    council_id = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return f"Restricted record for {self.case.label}"
