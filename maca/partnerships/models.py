"""Partnership, agencies, users and their memberships (the role each person holds)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Partnership(models.Model):
    """A local safeguarding children partnership; every other record is reachable from one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # Only the demo partnership may let case-level accounts sign in without a second factor.
    is_demo = models.BooleanField(default=False)
    colour = models.CharField(max_length=7, default="#1d70b8")

    class Meta:
        constraints = [
            # Slugs are unique, so at most one partnership (the demo's) can carry the flag.
            models.CheckConstraint(
                condition=Q(is_demo=False) | Q(slug="demo"), name="only_the_demo_is_demo"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An organisation in the partnership: children's social care, police, health visiting..."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agencies")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="agency_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; what they may do comes from their memberships, not from here."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "Business unit"
    CHAIR = "chair", "Panel chair"
    AUDITOR = "auditor", "Agency auditor"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role in a partnership; an agency auditor's membership names their agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="auditor") | Q(agency__isnull=False),
                name="auditor_has_agency",
            ),
            models.UniqueConstraint(
                fields=["user", "partnership", "role", "agency"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.agency})" if self.agency_id else ""
        return f"{self.user}: {self.get_role_display()}{where}"
