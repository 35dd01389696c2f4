"""The 7 minute briefing: one per audit (or per rapid or local review), versioned.

Every save of the wording makes a new immutable `BriefingVersion`, so the history of what was
drafted, checked and published is kept. One version at most is published; its rendered files
are stored with it (in the database, so app servers stay stateless) exactly as checked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SourceKind(models.TextChoices):
    AUDIT = "audit", "Multi-agency case audit"
    RAPID_REVIEW = "rapid_review", "Rapid review"
    LOCAL_REVIEW = "local_review", "Local child safeguarding practice review"


class BriefingStyle(models.Model):
    """A partnership's own section headings and colours (many use other headings)."""

    partnership = models.OneToOneField(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="briefing_style"
    )
    headings = models.JSONField(default=dict, blank=True)  # section key -> heading
    # The panels' background; the partnership's own colour (Partnership.colour) is the primary.
    accent_colour = models.CharField(max_length=7, default="#f3f2f1")
    contact = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Briefing style for {self.partnership}"


class Briefing(models.Model):
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="briefings"
    )
    reference = models.SlugField(max_length=80)
    audit = models.OneToOneField(
        "audits.Audit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="briefing",
    )
    source_kind = models.CharField(
        max_length=20, choices=SourceKind.choices, default=SourceKind.AUDIT
    )
    title = models.CharField(max_length=200)
    published_version = models.ForeignKey(
        "BriefingVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="briefing_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(source_kind="audit", audit__isnull=False)
                | (~Q(source_kind="audit") & Q(audit__isnull=True)),
                name="briefing_audit_matches_source",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BriefingVersion(models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # [{"key": "background", "body": "..."}, ...] in section order; headings come from the
    # partnership's style at render time, bodies are the officer's wording.
    sections = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["briefing", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "number"], name="briefing_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.briefing} v{self.number}"


class BriefingFile(models.Model):
    """A published version rendered to one format, stored as checked by the disclosure check."""

    version = models.ForeignKey(BriefingVersion, on_delete=models.CASCADE, related_name="files")
    fmt = models.CharField(max_length=10)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "fmt"], name="briefing_file_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.fmt})"
