"""Roles and permission predicates: the one place that says who may do what.

Views declare what they need by calling these (through the access-checked getters in each
app's selectors); lists filter with the matching `*_visible_q` and details check with the
predicate. Anything not allowed answers 404, exactly like something that does not exist.
See docs/domain.md ("Roles") for the table this implements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from maca.audits.models import Audit, Case
    from maca.briefings.models import Briefing
    from maca.returns.models import AgencyReturn

ADMIN = "admin"
CHAIR = "chair"
AUDITOR = "auditor"
VIEWER = "viewer"

# Audit states in which other agencies' answers become readable to auditors.
SHARED_STATES = frozenset({"moderation", "reporting", "published", "follow_up", "closed"})
EDITABLE_AUDIT_STATES = frozenset({"planning", "sampling", "auditing"})


@dataclass(frozen=True)
class Actor:
    """Who is asking, built afresh on every request so a revoked membership bites at once."""

    user_id: int
    partnership_id: int | None
    roles: frozenset[str]
    agency_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_chair(self) -> bool:
        return CHAIR in self.roles

    @property
    def is_auditor(self) -> bool:
        return AUDITOR in self.roles

    @property
    def has_any_role(self) -> bool:
        return bool(self.roles)


ANONYMOUS = Actor(user_id=0, partnership_id=None, roles=frozenset(), agency_ids=frozenset())


def actor_for(user: Any) -> Actor:
    """The user's active memberships, in one query. Inactive users have no roles."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    from maca.partnerships.models import Membership

    rows = list(
        Membership.objects.filter(user_id=user.pk, is_active=True).values_list(
            "partnership_id", "role", "agency_id"
        )
    )
    if not rows:
        return Actor(
            user_id=user.pk, partnership_id=None, roles=frozenset(), agency_ids=frozenset()
        )
    partnership_id = rows[0][0]
    rows = [r for r in rows if r[0] == partnership_id]
    return Actor(
        user_id=user.pk,
        partnership_id=partnership_id,
        roles=frozenset(r[1] for r in rows),
        agency_ids=frozenset(r[2] for r in rows if r[1] == AUDITOR and r[2] is not None),
    )


def _same_partnership(actor: Actor, partnership_id: int) -> bool:
    return actor.partnership_id is not None and actor.partnership_id == partnership_id


# --- Planning ------------------------------------------------------------------------------


def can_plan_audits(actor: Actor) -> bool:
    """Create and change audits, manage tools, add cases: the business unit only."""
    return actor.is_admin


def can_view_activity(actor: Actor) -> bool:
    return actor.is_admin


# --- Audits and cases ----------------------------------------------------------------------


def audits_visible_q(actor: Actor) -> Q:
    """Audits a person may open: all (business unit), chaired ones, ones their agency is in."""
    if actor.partnership_id is None:
        return Q(pk__in=[])
    base = Q(partnership_id=actor.partnership_id)
    if actor.is_admin:
        return base
    q = Q(pk__in=[])
    if actor.is_chair:
        q |= Q(chair_id=actor.user_id)
    if actor.is_auditor:
        q |= Q(agencies__in=actor.agency_ids)
    return base & q


def can_view_audit(actor: Actor, audit: Audit) -> bool:
    if not _same_partnership(actor, audit.partnership_id):
        return False
    if actor.is_admin:
        return True
    if actor.is_chair and audit.chair_id == actor.user_id:
        return True
    if actor.is_auditor:
        # Agencies taking part see the audit; only the cases their agency knew.
        return audit.agencies.filter(pk__in=actor.agency_ids).exists()
    return False


def cases_visible_q(actor: Actor, audit: Audit) -> Q:
    """Within an audit: all cases for the business unit and its chair; an agency's own cases."""
    if actor.is_admin or (actor.is_chair and audit.chair_id == actor.user_id):
        return Q(audit_id=audit.pk)
    if actor.is_auditor:
        return Q(audit_id=audit.pk, agencies__in=actor.agency_ids)
    return Q(pk__in=[])


def can_view_case(actor: Actor, case: Case) -> bool:
    audit = case.audit
    if not _same_partnership(actor, audit.partnership_id):
        return False
    if actor.is_admin:
        return True
    if actor.is_chair and audit.chair_id == actor.user_id:
        return True
    if actor.is_auditor:
        return _case_known_to(actor, case)
    return False


def _case_known_to(actor: Actor, case: Case) -> bool:
    """Did one of the actor's agencies know the child? Remembered on the case instance (one
    request's object), because a return page asks it for the case and again for the return."""
    key = frozenset(actor.agency_ids)
    known: dict[frozenset[int], bool] = case.__dict__.setdefault("_known_to_agencies", {})
    if key not in known:
        known[key] = case.agencies.filter(pk__in=key).exists()
    return known[key]


def can_view_case_record(actor: Actor, case: Case) -> bool:
    """The restricted record (real name, date of birth, council ID): business unit only."""
    return actor.is_admin and _same_partnership(actor, case.audit.partnership_id)


def can_change_cases(actor: Actor, audit: Audit) -> bool:
    return can_plan_audits(actor) and audit.status in EDITABLE_AUDIT_STATES


# --- Returns -------------------------------------------------------------------------------


def deadline_passed(audit: Audit, now: dt.datetime | None = None) -> bool:
    """Returns lock at the end of the deadline day, Europe/London."""
    if audit.return_deadline is None:
        return False
    today = timezone.localdate(now or timezone.now())
    return today > audit.return_deadline


def can_read_return(actor: Actor, ret: AgencyReturn) -> bool:
    audit = ret.case.audit
    if not can_view_case(actor, ret.case):
        return False
    if actor.is_admin or (actor.is_chair and audit.chair_id == actor.user_id):
        return True
    if ret.agency_id in actor.agency_ids:
        return True
    # Other agencies' answers stay hidden until the panel stage.
    return actor.is_auditor and audit.status in SHARED_STATES


def can_edit_return(actor: Actor, ret: AgencyReturn, now: dt.datetime | None = None) -> bool:
    """An agency's own auditor, while the audit is running, before submission and deadline."""
    audit = ret.case.audit
    return (
        _same_partnership(actor, audit.partnership_id)
        and ret.agency_id in actor.agency_ids
        and audit.status == "auditing"
        and ret.status == "draft"
        and not deadline_passed(audit, now)
    )


def can_manage_returns(actor: Actor, audit: Audit) -> bool:
    """Reopen or waive returns: the business unit, while the audit is running."""
    return (
        actor.is_admin
        and _same_partnership(actor, audit.partnership_id)
        and audit.status == "auditing"
    )


def can_see_progress(actor: Actor, audit: Audit) -> bool:
    return (actor.is_admin or (actor.is_chair and audit.chair_id == actor.user_id)) and (
        _same_partnership(actor, audit.partnership_id)
    )


# --- Moderation ----------------------------------------------------------------------------


def can_moderate(actor: Actor, audit: Audit) -> bool:
    """The business unit and the audit's chair, while the audit is in moderation."""
    return (
        _same_partnership(actor, audit.partnership_id)
        and (actor.is_admin or (actor.is_chair and audit.chair_id == actor.user_id))
        and audit.status == "moderation"
    )


def can_compare_returns(actor: Actor, audit: Audit) -> bool:
    """Read every return side by side: the panel, and auditors once the audit is shared."""
    if not can_view_audit(actor, audit):
        return False
    if actor.is_admin or (actor.is_chair and audit.chair_id == actor.user_id):
        return True
    return actor.is_auditor and audit.status in SHARED_STATES


# --- Findings and briefings ----------------------------------------------------------------

# Findings are written at the panel and while the briefing is drafted.
FINDING_STATES = frozenset({"moderation", "reporting"})
# A briefing can be drafted from moderation on, and corrected (a new version) after publishing.
BRIEFING_DRAFT_STATES = frozenset({"moderation", "reporting", "published", "follow_up", "closed"})
BRIEFING_PUBLISH_STATES = frozenset({"reporting", "published", "follow_up", "closed"})


def _panel(actor: Actor, audit: Audit) -> bool:
    """The business unit and the audit's own chair."""
    return _same_partnership(actor, audit.partnership_id) and (
        actor.is_admin or (actor.is_chair and audit.chair_id == actor.user_id)
    )


def can_read_findings(actor: Actor, audit: Audit) -> bool:
    return _panel(actor, audit)


def can_write_findings(actor: Actor, audit: Audit) -> bool:
    return _panel(actor, audit) and audit.status in FINDING_STATES


def can_draft_briefing(actor: Actor, briefing: Briefing) -> bool:
    """Edit the wording: the panel for an audit's briefing; the business unit for a review's."""
    if briefing.audit is not None:
        return _panel(actor, briefing.audit) and briefing.audit.status in BRIEFING_DRAFT_STATES
    return actor.is_admin and _same_partnership(actor, briefing.partnership_id)


def can_start_briefing(actor: Actor, audit: Audit) -> bool:
    return _panel(actor, audit) and audit.status in BRIEFING_DRAFT_STATES


def can_create_review_briefing(actor: Actor) -> bool:
    return actor.is_admin


def can_publish_briefing(actor: Actor, briefing: Briefing) -> bool:
    """The business unit, once the panel has finished (the audit is in reporting or later)."""
    if not (actor.is_admin and _same_partnership(actor, briefing.partnership_id)):
        return False
    return briefing.audit is None or briefing.audit.status in BRIEFING_PUBLISH_STATES


def can_read_briefing(actor: Actor, briefing: Briefing) -> bool:
    """Published: everyone in the partnership (viewers included). Drafts: those who draft."""
    if not _same_partnership(actor, briefing.partnership_id) or not actor.has_any_role:
        return False
    return briefing.published_version_id is not None or can_draft_briefing(actor, briefing)


def can_style_briefings(actor: Actor) -> bool:
    return actor.is_admin


# --- Follow-up: action plans, learning, insight (docs/follow-up.md) --------------------------

# Actions are planned from reporting on; the plan is followed up after publishing.
ACTION_PLAN_STATES = frozenset({"reporting", "published", "follow_up"})
FOLLOW_UP_STATES = frozenset({"published", "follow_up", "closed"})


def _follow_up_reader(actor: Actor, audit: Audit) -> bool:
    """Once the audit is published: the board (viewers) and agencies taking part."""
    if not _same_partnership(actor, audit.partnership_id) or audit.status not in FOLLOW_UP_STATES:
        return False
    if VIEWER in actor.roles or actor.is_chair:
        return True
    return actor.is_auditor and audit.agencies.filter(pk__in=actor.agency_ids).exists()


def can_read_actions(actor: Actor, audit: Audit) -> bool:
    """The panel always; the board and agencies taking part once the audit is published.

    Actions name agencies and leads, never a child, so they are not case-level data.
    """
    return _panel(actor, audit) or _follow_up_reader(actor, audit)


def can_plan_actions(actor: Actor, audit: Audit) -> bool:
    """Add actions: the business unit and the audit's chair, from reporting to follow-up."""
    return _panel(actor, audit) and audit.status in ACTION_PLAN_STATES


def can_update_action(actor: Actor, audit: Audit, owner_agency_id: int) -> bool:
    """Record progress: the panel, or the owning agency's auditor, while the plan is live."""
    if audit.status not in ACTION_PLAN_STATES or not _same_partnership(actor, audit.partnership_id):
        return False
    return _panel(actor, audit) or (actor.is_auditor and owner_agency_id in actor.agency_ids)


def can_close_action(actor: Actor, audit: Audit) -> bool:
    """The partnership's board (viewers) and the business unit close actions that are done."""
    return (
        _same_partnership(actor, audit.partnership_id)
        and (actor.is_admin or VIEWER in actor.roles)
        and audit.status in ACTION_PLAN_STATES
    )


def can_progress_action(actor: Actor, action: Any) -> bool:
    """An audit's action: as `can_update_action`; a local review's: business unit and owner."""
    if action.audit is not None:
        return can_update_action(actor, action.audit, action.owner_agency_id)
    return _same_partnership(actor, action.partnership_id) and (
        actor.is_admin or (actor.is_auditor and action.owner_agency_id in actor.agency_ids)
    )


def can_close(actor: Actor, action: Any) -> bool:
    if action.audit is not None:
        return can_close_action(actor, action.audit)
    return _same_partnership(actor, action.partnership_id) and (
        actor.is_admin or VIEWER in actor.roles
    )


def can_add_review_actions(actor: Actor) -> bool:
    """Actions from local reviews (no audit behind them): the business unit."""
    return actor.is_admin


def can_edit_action(actor: Actor, action: Any) -> bool:
    """Change an action's wording, type, owner, lead or due date: whoever may add it (the
    panel for an audit's plan, the business unit for a local review's)."""
    if action.audit is not None:
        return can_plan_actions(actor, action.audit)
    return _same_partnership(actor, action.partnership_id) and can_add_review_actions(actor)


def can_read_review_action(actor: Actor, action: Any) -> bool:
    if not _same_partnership(actor, action.partnership_id) or not actor.has_any_role:
        return False
    if actor.is_admin or actor.is_chair or VIEWER in actor.roles:
        return True
    return action.owner_agency_id in actor.agency_ids


def actions_visible_q(actor: Actor) -> Q:
    """The actions overview: what the actor could open on each plan (`can_read_actions`,
    `can_read_review_action`). The business unit: everything. A chair: the audits they chair
    at any stage, and every audit's plan once published. The board: published plans. An
    agency's auditors: their own agency's actions on the published plans of audits their
    agency took part in. Local reviews' actions: as `can_read_review_action`."""
    from maca.audits.models import Audit

    if actor.partnership_id is None or not actor.has_any_role:
        return Q(pk__in=[])
    base = Q(partnership_id=actor.partnership_id)
    if actor.is_admin:
        return base
    review = Q(audit__isnull=True)
    published = Q(audit__status__in=FOLLOW_UP_STATES)
    if actor.is_chair or VIEWER in actor.roles:
        chaired = Q(audit__chair_id=actor.user_id) if actor.is_chair else Q(pk__in=[])
        return base & (review | published | chaired)
    taking_part = Audit.agencies.through.objects.filter(agency_id__in=actor.agency_ids).values(
        "audit_id"
    )
    own = Q(owner_agency_id__in=actor.agency_ids)
    return base & own & (review | (published & Q(audit_id__in=taking_part)))


def can_read_learning(actor: Actor, audit: Audit) -> bool:
    return can_read_actions(actor, audit)


def can_record_attendance(actor: Actor, audit: Audit) -> bool:
    """Attendance at learning events: the business unit, once the panel has reported."""
    return (
        actor.is_admin
        and _same_partnership(actor, audit.partnership_id)
        and audit.status in ACTION_PLAN_STATES | FOLLOW_UP_STATES
    )


def can_record_briefing_use(actor: Actor, audit: Audit) -> bool:
    """A team's use of the published briefing: the business unit, or an agency taking part."""
    if not _same_partnership(actor, audit.partnership_id) or audit.status not in FOLLOW_UP_STATES:
        return False
    return actor.is_admin or (
        actor.is_auditor and audit.agencies.filter(pk__in=actor.agency_ids).exists()
    )


def can_view_insight(actor: Actor) -> bool:
    """Aggregate figures across audits (never case-level): everyone with a role."""
    return actor.partnership_id is not None and actor.has_any_role


def can_manage_programme(actor: Actor) -> bool:
    return actor.is_admin


def can_link_reaudit(actor: Actor, audit: Audit) -> bool:
    """Mark a re-audit and link its findings: the panel."""
    return _panel(actor, audit)


def can_export_audit(actor: Actor, audit: Audit) -> bool:
    return actor.is_admin and _same_partnership(actor, audit.partnership_id)
