"""Briefing writes: start, save wording (a new version each time), check, publish.

Publishing renders the version to every format, reads each file back through the disclosure
check (the text actually produced, not the draft) and refuses while anything identifying is
found or the PDF runs past one page. Only the business unit publishes; an override needs a
reason and is logged. The checked files are stored with the version, so what is downloaded
later is byte for byte what was checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from maca.activity.services import activity_record
from maca.audits.models import Audit
from maca.briefings import compose
from maca.briefings.content import (
    DEFAULT_HEADINGS,
    HEADING_MAX,
    SECTION_KEYS,
    BriefingContent,
    wording_problems,
)
from maca.briefings.disclosure import Finding as DisclosureFinding
from maca.briefings.disclosure import KnownIdentifiers, check_bytes
from maca.briefings.disclosure.detect import NATIONAL_REVIEW_NAMES
from maca.briefings.models import (
    Briefing,
    BriefingFile,
    BriefingStyle,
    BriefingVersion,
    SourceKind,
)
from maca.briefings.renderers import FORMATS, render
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed, ServiceError
from maca.core.permissions import Actor
from maca.partnerships.models import Partnership

STALE = (
    "Someone else saved a newer version of this briefing since you opened it. "
    "Open the latest version and make your changes again."
)
OVERRIDE_MIN = 20
PUBLISHED_FORMATS = ("html", "pdf", "docx", "txt")


# --- Starting and saving ---------------------------------------------------------------------


def latest_version(briefing: Briefing) -> BriefingVersion:
    version = briefing.versions.order_by("-number").first()
    assert version is not None, "a briefing always has a first version"
    return version


def _new_version(
    briefing: Briefing, actor: Actor, bodies: dict[str, str], number: int, note: str
) -> BriefingVersion:
    return BriefingVersion.objects.create(
        briefing=briefing,
        number=number,
        sections=[{"key": key, "body": bodies.get(key, "").strip()} for key in SECTION_KEYS],
        note=note[:200],
        created_by_id=actor.user_id,
    )


@transaction.atomic
def briefing_start(*, actor: Actor, audit: Audit) -> Briefing:
    """The audit's briefing, made on first use with a draft composed from the audit's data."""
    if not perms.can_start_briefing(actor, audit):
        raise NotAllowed("You cannot draft this audit's briefing.")
    Audit.objects.select_for_update().get(pk=audit.pk)  # one briefing even under a double click
    existing = Briefing.objects.filter(audit=audit).first()
    if existing is not None:
        return existing
    briefing = Briefing.objects.create(
        partnership_id=audit.partnership_id,
        reference=audit.reference,
        audit=audit,
        source_kind=SourceKind.AUDIT,
        title=audit.title,
    )
    _new_version(briefing, actor, compose.default_bodies(audit), 1, "Composed from the audit")
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="briefing.start",
        target=briefing,
        audit_id=audit.pk,
    )
    return briefing


@transaction.atomic
def review_briefing_create(
    *, actor: Actor, partnership: Partnership, reference: str, title: str, source_kind: str
) -> Briefing:
    """A briefing from a rapid review or local review: the same sections, written by hand."""
    if not (perms.can_create_review_briefing(actor) and actor.partnership_id == partnership.pk):
        raise NotAllowed("You cannot create briefings.")
    if source_kind not in (SourceKind.RAPID_REVIEW, SourceKind.LOCAL_REVIEW):
        raise ServiceError("Choose a rapid review or a local review", field="source_kind")
    title = title.strip()
    if not title or len(title) > 200:
        raise ServiceError("Enter a title of 200 characters or fewer", field="title")
    taken = Briefing.objects.filter(partnership=partnership, reference=reference).exists() or (
        Audit.objects.filter(partnership=partnership, reference=reference).exists()
    )
    if taken:
        raise ServiceError("That reference is already used: choose another", field="reference")
    briefing = Briefing.objects.create(
        partnership=partnership, reference=reference, title=title, source_kind=source_kind
    )
    _new_version(briefing, actor, dict.fromkeys(SECTION_KEYS, ""), 1, "Created")
    activity_record(
        actor=actor, partnership_id=partnership.pk, action="briefing.create", target=briefing
    )
    return briefing


def _locked_latest(briefing: Briefing, expected_number: int) -> BriefingVersion:
    Briefing.objects.select_for_update().get(pk=briefing.pk)
    latest = latest_version(briefing)
    if latest.number != expected_number:
        raise ConflictError(STALE)
    return latest


@transaction.atomic
def version_save(
    *,
    actor: Actor,
    briefing: Briefing,
    bodies: dict[str, str],
    expected_number: int,
    note: str = "",
) -> BriefingVersion:
    """Save the wording as a new version (or return the latest when nothing changed)."""
    if not perms.can_draft_briefing(actor, briefing):
        raise NotAllowed("You cannot edit this briefing.")
    latest = _locked_latest(briefing, expected_number)
    problems = wording_problems(bodies)
    if problems:
        key, message = next(iter(problems.items()))
        raise ServiceError(message, field=None if key == "__all__" else key)
    clean = {key: bodies.get(key, "").strip() for key in SECTION_KEYS}
    if clean == compose.bodies_of(latest):
        return latest
    version = _new_version(briefing, actor, clean, latest.number + 1, note)
    activity_record(
        actor=actor,
        partnership_id=briefing.partnership_id,
        action="briefing.save",
        target=briefing,
        audit_id=briefing.audit_id,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def version_recompose(*, actor: Actor, briefing: Briefing, expected_number: int) -> BriefingVersion:
    """A new version composed afresh from the audit (after findings or grades changed)."""
    if briefing.audit is None:
        raise ServiceError("Only an audit's briefing can be composed from its data.")
    return version_save(
        actor=actor,
        briefing=briefing,
        bodies=compose.default_bodies(briefing.audit),
        expected_number=expected_number,
        note="Composed again from the audit",
    )


@transaction.atomic
def style_save(
    *,
    actor: Actor,
    partnership: Partnership,
    headings: dict[str, str],
    accent_colour: str,
    contact: str,
    expected_version: int,
) -> BriefingStyle:
    """The partnership's own headings and panel colour for every briefing."""
    if not (perms.can_style_briefings(actor) and actor.partnership_id == partnership.pk):
        raise NotAllowed("You cannot change the briefing style.")
    style, _ = BriefingStyle.objects.select_for_update().get_or_create(
        partnership=partnership, defaults={"version": 0}
    )
    if style.version != expected_version:
        raise ConflictError("Someone else changed the briefing style since you opened it.")
    clean: dict[str, str] = {}
    for key in SECTION_KEYS:
        heading = headings.get(key, "").strip()
        if len(heading) > HEADING_MAX:
            raise ServiceError(
                f"The heading for {DEFAULT_HEADINGS[key]} must be {HEADING_MAX} characters or fewer",
                field=f"heading_{key}",
            )
        if heading and heading != DEFAULT_HEADINGS[key]:
            clean[key] = heading
    style.headings = clean
    style.accent_colour = accent_colour
    style.contact = contact.strip()[:200]
    style.version += 1
    style.save()
    activity_record(
        actor=actor, partnership_id=partnership.pk, action="briefing.style", target=style
    )
    return style


# --- Rendering and the disclosure check ------------------------------------------------------


def version_content(version: BriefingVersion, *, draft: bool | None = None) -> BriefingContent:
    briefing = version.briefing
    is_draft = version.published_at is None if draft is None else draft
    return compose.content_for(
        briefing,
        compose.bodies_of(version),
        version=version.number,
        draft=is_draft,
        published_on=timezone.localdate(version.published_at) if version.published_at else None,
    )


def draft_content(briefing: Briefing) -> BriefingContent:
    """The current draft marked DRAFT; for an unsaved briefing, composed from its audit now."""
    if briefing.pk is None:
        assert briefing.audit is not None
        return compose.content_for(
            briefing, compose.default_bodies(briefing.audit), version=0, draft=True
        )
    return version_content(latest_version(briefing), draft=True)


def preview_content(briefing: Briefing, bodies: dict[str, str], number: int) -> BriefingContent:
    """Unsaved wording as it would look (the live preview)."""
    return compose.content_for(briefing, bodies, version=number, draft=True)


def known_identifiers(briefing: Briefing) -> tuple[KnownIdentifiers | None, tuple[str, ...]]:
    """What the disclosure check looks for: the audit's identifiers on record, its allow-list."""
    if briefing.audit is None:
        return None, NATIONAL_REVIEW_NAMES
    from maca.briefings.disclosure.django_known import (
        allow_list_for_audit,
        known_identifiers_for_audit,
    )

    return known_identifiers_for_audit(briefing.audit), allow_list_for_audit(briefing.audit)


@dataclass
class CheckedRender:
    """Every format rendered and read back through the disclosure check."""

    files: dict[str, bytes]
    findings: dict[str, list[DisclosureFinding]] = field(default_factory=dict)
    pages: int = 1

    @property
    def clean(self) -> bool:
        return not any(self.findings.values())

    @property
    def fits(self) -> bool:
        return self.pages == 1

    @property
    def count(self) -> int:
        return sum(len(f) for f in self.findings.values())

    def unique_findings(self) -> list[tuple[str, DisclosureFinding]]:
        """One row per identifying text: the formats it was found in, and where (first)."""
        rows: dict[tuple[str, str], tuple[list[str], DisclosureFinding]] = {}
        for fmt, findings in self.findings.items():
            for finding in findings:
                key = (finding.kind, finding.text)
                if key not in rows:
                    rows[key] = ([], finding)
                if fmt.upper() not in rows[key][0]:
                    rows[key][0].append(fmt.upper())
        return [(", ".join(fmts), finding) for fmts, finding in rows.values()]


def check_rendered(briefing: Briefing, data: bytes, fmt: str) -> list[DisclosureFinding]:
    known, allow = known_identifiers(briefing)
    return check_bytes(data, fmt, known=known, allow=allow)


def render_checked(
    briefing: Briefing, content: BriefingContent, formats: tuple[str, ...] = PUBLISHED_FORMATS
) -> CheckedRender:
    from maca.briefings.renderers.pdf import render_pdf

    known, allow = known_identifiers(briefing)
    result = CheckedRender(files={})
    for fmt in formats:
        if fmt == "pdf":
            pdf = render_pdf(content)
            data, result.pages = pdf.data, pdf.pages
        else:
            data = render(content, fmt)
        result.files[fmt] = data
        # Read back from the file actually produced, not from the draft's text.
        result.findings[fmt] = check_bytes(data, fmt, known=known, allow=allow)
    return result


# --- Publishing ------------------------------------------------------------------------------


@transaction.atomic
def briefing_publish(
    *,
    actor: Actor,
    briefing: Briefing,
    expected_number: int,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> tuple[BriefingVersion, CheckedRender]:
    """Publish the latest version if its rendered files pass the disclosure check."""
    briefing = Briefing.objects.select_related("audit", "partnership").get(pk=briefing.pk)
    if not perms.can_publish_briefing(actor, briefing):
        raise NotAllowed("You cannot publish this briefing.")
    version = _locked_latest(briefing, expected_number)
    if version.published_at is not None:
        raise PreconditionFailed("This version is already published.")
    published_at = now or timezone.now()
    version.published_at = published_at  # so the files carry the publication date
    checked = render_checked(briefing, version_content(version, draft=False))
    if not checked.fits:
        raise PreconditionFailed(
            f"The briefing runs to {checked.pages} pages: shorten the wording so it fits on one."
        )
    reason = override_reason.strip()
    if not checked.clean:
        if not reason:
            raise PreconditionFailed(
                f"The disclosure check found {checked.count} possible identifier"
                f"{'s' if checked.count != 1 else ''}: fix the wording before publishing."
            )
        if len(reason) < OVERRIDE_MIN:
            raise ServiceError(
                f"Give a reason of at least {OVERRIDE_MIN} characters for publishing anyway",
                field="override_reason",
            )
    version.published_by_id = actor.user_id
    version.override_reason = reason if not checked.clean else ""
    version.save(update_fields=["published_at", "published_by", "override_reason"])
    for fmt, data in checked.files.items():
        BriefingFile.objects.create(
            version=version, fmt=fmt, data=data, sha256=hashlib.sha256(data).hexdigest()
        )
    briefing.published_version = version
    briefing.save(update_fields=["published_version"])
    if not checked.clean:
        # The reason and the kinds of finding, never the identifying text itself.
        activity_record(
            actor=actor,
            partnership_id=briefing.partnership_id,
            action="briefing.publish_override",
            target=briefing,
            audit_id=briefing.audit_id,
            data={
                "version": version.number,
                "findings": checked.count,
                "kinds": sorted({f.kind for _, f in checked.unique_findings()}),
                "reason": reason,
            },
        )
    activity_record(
        actor=actor,
        partnership_id=briefing.partnership_id,
        action="briefing.publish",
        target=briefing,
        audit_id=briefing.audit_id,
        data={"version": version.number},
    )
    audit = briefing.audit
    if audit is not None:
        from maca.audits.services import audit_mark_published

        audit_mark_published(actor=actor, audit=audit)
    return version, checked


def published_file(briefing: Briefing, fmt: str) -> BriefingFile | None:
    if briefing.published_version_id is None or fmt not in FORMATS:
        return None
    return BriefingFile.objects.filter(version_id=briefing.published_version_id, fmt=fmt).first()
