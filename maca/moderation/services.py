"""The panel's moderated grade for each case."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from maca.activity.services import activity_record
from maca.audits.models import Case
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.core.permissions import Actor
from maca.moderation.models import CaseModeration


@transaction.atomic
def case_moderate(
    *,
    actor: Actor,
    case: Case,
    grade: str,
    reasons: str,
    has_specific_issues: bool = False,
    specific_issues: str = "",
    expected_version: int | None = None,
) -> CaseModeration:
    """Record (or revise) the panel's overall grade. `expected_version` None means 'new'."""
    audit = case.audit
    if not perms.can_moderate(actor, audit):
        raise NotAllowed("Only the panel can moderate, while the audit is in moderation.")
    if grade not in {code for code, _ in audit.tool.scale.choices()}:
        raise ServiceError("Select the overall grade for this case.", field="grade")
    if not reasons.strip():
        raise ServiceError("Enter the panel's reasons for the grade.", field="reasons")
    if has_specific_issues and not specific_issues.strip():
        raise ServiceError("Describe the specific issues.", field="specific_issues")
    fields = {
        "grade": grade,
        "reasons": reasons,
        "has_specific_issues": has_specific_issues,
        "specific_issues": specific_issues if has_specific_issues else "",
        "moderated_by_id": actor.user_id,
    }
    stale = ConflictError(
        "Another panel member saved this case's grade after you opened it. Your text is still "
        "on this page: reload to see theirs before saving again."
    )
    if expected_version is None:
        try:
            with transaction.atomic():
                moderation = CaseModeration.objects.create(case=case, **fields)
        except IntegrityError:
            raise stale from None
        action = "case.moderated"
    else:
        updated = CaseModeration.objects.filter(case=case, version=expected_version).update(
            version=F("version") + 1, moderated_at=timezone.now(), **fields
        )
        if updated != 1:
            raise stale
        moderation = CaseModeration.objects.get(case=case)
        action = "case.moderation_revised"
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action=action,
        target=moderation,
        audit_id=audit.pk,
        label=case.label,
        data={"grade": grade, "specific_issues": has_specific_issues},
    )
    return moderation
