"""The case pool (children known to children's social care, pseudonymised), imports of it,
each audit's eligibility criteria and its selection record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from maca.sampling.importers.model import EVENT_KINDS, EVENT_LABELS

EVENT_KIND_CHOICES = [(k, EVENT_LABELS[k][:1].upper() + EVENT_LABELS[k][1:]) for k in EVENT_KINDS]
CATEGORY_CHOICES = [
    ("a) Neglect", "Neglect"),
    ("b) Physical abuse", "Physical abuse"),
    ("c) Sexual abuse", "Sexual abuse"),
    ("d) Emotional abuse", "Emotional abuse"),
    ("e) Multiple/not recommended", "Multiple"),
]
STRATIFY_FIELDS = {
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "team": "Team",
    "category": "Category of abuse",
}


class PoolChild(models.Model):
    """One child in the pool. `pseudo_id` is a keyed hash of the council's ID; the raw ID is
    never stored. Only what audits need is kept: no names, no allocated workers."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="pool"
    )
    pseudo_id = models.CharField(max_length=64)
    date_of_birth = models.DateField(null=True, blank=True)
    age_years = models.FloatField(null=True, blank=True)
    sex = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=40, blank=True)
    team = models.CharField(max_length=100, blank=True)
    # [{"kind": "referral", "date": "2022-01-10", "category": null, "team": "..."}], sorted.
    events = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "pseudo_id"], name="pool_child_unique")
        ]

    def __str__(self) -> str:
        return f"Pool child {self.pseudo_id[:10]}"

    @property
    def ref(self) -> str:
        """The short pseudonymous reference shown to people and in selection records."""
        return self.pseudo_id[:12]


class PoolImport(models.Model):
    """One file imported into the pool: what it was and what it changed."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    rows_read = models.PositiveIntegerField()
    children = models.PositiveIntegerField()
    created = models.PositiveIntegerField()
    updated = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    warnings = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


class EligibilityCriteria(models.Model):
    """What makes a pool child eligible for one audit's sample."""

    audit = models.OneToOneField("audits.Audit", on_delete=models.CASCADE, related_name="criteria")
    event_kind = models.CharField(max_length=30, choices=EVENT_KIND_CHOICES, default="referral")
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES, blank=True)
    min_age_months = models.PositiveIntegerField(null=True, blank=True)
    max_age_months = models.PositiveIntegerField(null=True, blank=True)
    # Window: the audit's period under review, or the last N months before its end.
    lookback_months = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Criteria for {self.audit}"


class SelectionRecord(models.Model):
    """How an audit's cases were drawn, so the draw can be reproduced and defended."""

    audit = models.OneToOneField("audits.Audit", on_delete=models.CASCADE, related_name="selection")
    seed = models.CharField(max_length=100)
    method = models.CharField(max_length=20)
    algorithm = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    stratify = models.CharField(max_length=20, blank=True)
    quotas = models.JSONField(default=dict, blank=True)
    criteria = models.JSONField(default=dict)
    criteria_text = models.TextField()
    population = models.PositiveIntegerField()
    eligible = models.PositiveIntegerField()
    eligible_hash = models.CharField(max_length=64)
    strata = models.JSONField(default=dict, blank=True)
    selected = models.JSONField(default=list)
    # Children taken out of the draw, with the recorded reason: {pseudo_id: reason}.
    exclusions = models.JSONField(default=dict, blank=True)
    # Which drawn child each exclusion's place went to (the next rank in its stratum).
    replacements = models.JSONField(default=list, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now=True)
    # Fixed once its cases are created: the draw can then no longer be replaced.
    fixed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Selection for {self.audit}"

    def to_dict(self) -> dict[str, object]:
        return {
            "audit": self.audit.reference,
            "seed": self.seed,
            "method": self.method,
            "algorithm": self.algorithm,
            "size": self.size,
            "stratify": self.stratify or None,
            "quotas": self.quotas,
            "criteria": self.criteria_text,
            "population": self.population,
            "eligible": self.eligible,
            "eligible_hash": self.eligible_hash,
            "strata": self.strata,
            "selected": self.selected,
            "exclusions": self.exclusions,
            "replacements": self.replacements,
            "fixed": self.fixed,
        }
