"""Writes for the audit programme and re-audits; the wording matcher that suggests links.

The matcher compares a re-audit's finding with each finding of the earlier audit by word
overlap (difflib's ratio over the sorted content words), so the panel starts from the likely
match instead of reading every earlier finding; the panel decides.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db import transaction

from maca.activity.services import activity_record
from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.errors import NotAllowed, ServiceError
from maca.core.permissions import Actor
from maca.findings.models import Finding
from maca.insight.models import FindingLink, ProgrammeEntry, PromptKind, Reaudit, Verdict

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "which",
        "while",
        "who",
        "will",
        "with",
        "would",
    ]
)
SUGGEST_AT = 0.25  # below this a match is not worth suggesting


def _words(text: str) -> list[str]:
    return sorted({w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS})


def similarity(a: str, b: str) -> float:
    """0..1: how alike two findings' wording is (content words, order ignored)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    overlap = len(set(wa) & set(wb)) / min(len(wa), len(wb))
    ratio = difflib.SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio()
    return round((overlap + ratio) / 2, 3)


@dataclass(frozen=True)
class Suggestion:
    earlier: Finding
    score: float


def suggest(finding: Finding, earlier: list[Finding]) -> Suggestion | None:
    """The earlier finding most like this one, if any is alike enough."""
    best = max(
        (Suggestion(e, similarity(finding.text, e.text)) for e in earlier),
        key=lambda s: s.score,
        default=None,
    )
    return best if best is not None and best.score >= SUGGEST_AT else None


@transaction.atomic
def reaudit_mark(*, actor: Actor, audit: Audit, earlier: Audit | None) -> Reaudit | None:
    """Mark `audit` as a re-audit of `earlier` (None: not a re-audit)."""
    if not perms.can_link_reaudit(actor, audit):
        raise NotAllowed("You cannot change this audit.")
    if earlier is None:
        Reaudit.objects.filter(audit=audit).delete()
        link = None
    else:
        if earlier.pk == audit.pk or earlier.partnership_id != audit.partnership_id:
            raise ServiceError("Choose an earlier audit of this partnership", field="earlier")
        link, _ = Reaudit.objects.update_or_create(
            audit=audit, defaults={"earlier": earlier, "created_by_id": actor.user_id}
        )
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="audit.reaudit",
        target=audit,
        audit_id=audit.pk,
        data={"earlier": earlier.reference if earlier else None},
    )
    return link


@transaction.atomic
def finding_link(
    *, actor: Actor, audit: Audit, finding_id: int, earlier_id: int | None, verdict: str
) -> FindingLink:
    """The panel's judgement: this finding improved on, continues, or is new beside an earlier one."""
    if not perms.can_link_reaudit(actor, audit):
        raise NotAllowed("You cannot change this audit.")
    reaudit = Reaudit.objects.filter(audit=audit).select_related("earlier").first()
    if reaudit is None:
        raise ServiceError("Mark the audit as a re-audit first", field="earlier")
    finding = audit.findings.filter(pk=finding_id).first()
    if finding is None:
        raise ServiceError("Choose a finding of this audit", field="finding")
    if verdict not in Verdict.values:
        raise ServiceError("Choose how the finding compares", field="verdict")
    if verdict == Verdict.NEW:
        earlier_id = None
    elif earlier_id is None or not reaudit.earlier.findings.filter(pk=earlier_id).exists():
        raise ServiceError(
            "Choose the earlier finding it compares with, or say it is new", field="earlier_finding"
        )
    link, _ = FindingLink.objects.update_or_create(
        finding=finding,
        defaults={"earlier_id": earlier_id, "verdict": verdict, "updated_by_id": actor.user_id},
    )
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="finding.reaudit_link",
        target=finding,
        audit_id=audit.pk,
        label=finding.get_kind_display(),
        data={"verdict": verdict},
    )
    return link


@transaction.atomic
def programme_set(
    *, actor: Actor, audit: Audit, year: int, prompt_kind: str, next_steps: str = ""
) -> ProgrammeEntry:
    """Place an audit in a year's programme, with what prompted it and its next steps."""
    if not (perms.can_manage_programme(actor) and actor.partnership_id == audit.partnership_id):
        raise NotAllowed("You cannot change the audit programme.")
    if not 2000 <= year <= 2100:
        raise ServiceError("Enter the programme year, like 2022", field="year")
    if prompt_kind not in PromptKind.values:
        raise ServiceError("Choose what prompted the audit", field="prompt_kind")
    if len(next_steps) > 1000:
        raise ServiceError("The next steps must be 1,000 characters or fewer", field="next_steps")
    entry, _ = ProgrammeEntry.objects.update_or_create(
        audit=audit,
        defaults={"year": year, "prompt_kind": prompt_kind, "next_steps": next_steps.strip()},
    )
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="audit.programme",
        target=audit,
        audit_id=audit.pk,
        data={"year": year, "prompt": prompt_kind},
    )
    return entry
