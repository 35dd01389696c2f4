"""The permission matrix: every URL in the URL configuration, every role, GET and POST.

The matrix is generated from `django.urls.get_resolver()`: each URL name must have a rule in
`RULES` (one declarative table) or the test fails ("URL x has no permission rule: add it to the
matrix"), so a new URL cannot slip in without saying who may use it. Each rule names the targets
to try (symbolic, resolved against the scenario), the HTTP methods its view accepts and, per
role, when the request is allowed. Expected outcomes follow docs/domain.md ("Roles") and the
per-app READMEs' "who" tables:

* allowed: 200 (or the rule's `post_ok`, e.g. 302 for a POST that redirects after success);
* forbidden: 404, byte for byte the same answer as for something that does not exist (checked
  against a request, by the same user, for a missing case number, reference, event or tool);
* anonymous, and a user deactivated after signing in: 302 to the login page;
* signed in, but the membership revoked after signing in: 404 for everything role-gated;
* a method the view does not accept: 405.

Every response carries the security headers (tests/core/headers.py: Content-Security-Policy,
X-Frame-Options, nosniff, Referrer-Policy; no-store for signed-in people). A forbidden POST
must write nothing (no INSERT/UPDATE/DELETE outside the session and access-log
tables, and audit/return/case/log rows unchanged). Every successful GET of a case-level page
writes exactly one access-log entry for that user; a denied one writes none. A return page
shows its edit form exactly when the same person may POST to it.

Defects it found were fixed in the application (reopen/waive only while auditing, one
access entry per case-level page view and none for a refusal, auditors' counts limited to
what they may see).

The scenario is built once per module inside a transaction that is rolled back at the end; each
test runs in a savepoint inside it (pytest-django's `db`), with a session made once per user.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maca.actions import services as action_services
from maca.activity.models import AccessEntry, ActivityEntry
from maca.audits import services as audit_services
from maca.audits.models import Audit, Case, CaseRecord
from maca.briefings import services as briefing_services
from maca.briefings.models import BriefingVersion
from maca.chronology import services as chronology_services
from maca.chronology.models import ChronologyEvent
from maca.findings import services as finding_services
from maca.findings.models import Finding
from maca.jobs import services as job_services
from maca.moderation.models import CaseModeration
from maca.partnerships.models import Membership, Role, User
from maca.returns.models import AgencyReturn
from tests.conftest import World, verified_login
from tests.core.headers import security_header_problems

pytestmark = pytest.mark.django_db

MISSING = "missing"  # a target that does not exist (unknown reference, case number, agency...)

# --- The scenario (facts the rules are written against) ---------------------------------------

CSC_POLICE = frozenset({"csc", "police"})
CSC_GP = frozenset({"csc", "gp"})
ALL_AGENCIES = frozenset({"csc", "health-visiting", "police", "gp"})
CASE_NUMBERS = {"A": 1, "B": 2, MISSING: 99}


@dataclass(frozen=True)
class AuditFacts:
    status: str
    cases: dict[str, frozenset[str]] = field(default_factory=dict)  # case -> agencies that knew
    agencies: frozenset[str] = ALL_AGENCIES  # agencies taking part
    submitted: frozenset[tuple[str, str]] = frozenset()  # (case, agency) returns submitted
    events: frozenset[tuple[str, str]] = frozenset()  # (case, agency) chronology events
    deadline_passed: bool = False


# Child A is known to CSC and police, Child B to CSC and GPs: the police auditor has one own
# case and one other agency's case. Every audit is chaired by "chair"; "other-chair" chairs none.
AB = {"A": CSC_POLICE, "B": CSC_GP}
AUDITS: dict[str, AuditFacts] = {
    "planning": AuditFacts("planning"),
    "sampling": AuditFacts("sampling", AB),
    # One return already submitted while the audit is running (no longer editable).
    # Chronology events: two agencies' on Child A, the GPs' on Child B.
    "auditing": AuditFacts(
        "auditing",
        AB,
        submitted=frozenset({("B", "gp")}),
        events=frozenset({("A", "csc"), ("A", "police"), ("B", "gp")}),
    ),
    # Returns are all submitted before moderation.
    "moderation": AuditFacts("moderation", AB),
    # Running, but the return deadline has passed (drafts are locked).
    "late": AuditFacts("auditing", AB, deadline_passed=True),
    # After the panel: findings written and the briefing drafted (reporting) or published.
    "reporting": AuditFacts("reporting", AB),
    "published": AuditFacts("published", AB),
    # GPs do not take part: the GP auditor must not even see the audit.
    "no-gp": AuditFacts(
        "auditing", {"A": CSC_POLICE}, agencies=frozenset({"csc", "health-visiting", "police"})
    ),
}


def reference_for(audit: str) -> str:
    return "no-such-audit" if audit == MISSING else f"mx-{audit}"


# Briefings: the reporting audit's draft, the published audit's published briefing, and a
# draft briefing for a rapid review (no audit behind it: the business unit's alone).
BRIEFINGS = {"reporting": "draft", "published": "published", "review": "draft"}
# Findings, steps and learning events exist in the reporting audit only.
ITEM_KINDS = ("finding", "step", "event")


class Scenario:
    """The database side of the facts above, built through the real services."""

    def __init__(self) -> None:
        world = World()
        self.world = world
        for key, facts in AUDITS.items():
            if key == "no-gp":
                self._audit_without_gp(key, facts)
                continue
            audit = world.audit(
                reference_for(key),
                status=facts.status,
                cases=[tuple(sorted(agencies)) for agencies in facts.cases.values()],
                deadline=dt.date.today() - dt.timedelta(days=1) if facts.deadline_passed else None,
            )
            for case, agency in facts.submitted:
                world.submit(
                    AgencyReturn.objects.get(
                        case__audit=audit, case__number=CASE_NUMBERS[case], agency__slug=agency
                    )
                )
        self.events: dict[tuple[str, str, str], int] = {}
        for key, facts in AUDITS.items():
            for case, agency in sorted(facts.events):
                row = Case.objects.get(
                    audit__reference=reference_for(key), number=CASE_NUMBERS[case]
                )
                (event,) = chronology_services.events_add(
                    actor=world.actor(agency),  # the agency's auditor is called by its slug
                    case=row,
                    agency=world.agencies[agency],
                    events=[chronology_services.EventInput("referral", dt.date(2022, 3, 1))],
                )
                self.events[(key, case, agency)] = event.pk
        self.items = self._findings_and_briefings()
        # Follow-up: Action 1 of the published audit, owned by the police.
        action_services.action_add(
            actor=world.actor("admin"),
            audit=Audit.objects.get(reference=reference_for("published")),
            data=action_services.ActionInput(
                "Brief every team.",
                "training",
                world.agencies["police"].pk,
                "Lead",
                dt.date.today(),
            ),
        )
        # ...and Action 1 of the partnership's local reviews, also the police's.
        action_services.review_action_add(
            actor=world.actor("admin"),
            partnership_id=world.partnership.pk,
            review="Rapid review",
            data=action_services.ActionInput(
                "Agree a protocol.", "policy", world.agencies["police"].pk, "Lead", dt.date.today()
            ),
        )
        # Admins who lose access after signing in, and a CSC auditor for the before/after test.
        world.add_user("inactive", Role.ADMIN)
        world.add_user("revoked", Role.ADMIN)
        world.add_user("csc-2", Role.AUDITOR, "csc")
        self.tool = world.tool
        self._check_facts()
        # One signed-in session per user, made here (outside the tests' savepoints).
        self._sessions: dict[int, str] = {}
        for user in world.users.values():
            client = Client()
            verified_login(client, user)
            self._sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def _findings_and_briefings(self) -> dict[str, int]:
        world = self.world
        chair, admin = world.actor("chair"), world.actor("admin")
        audit = Audit.objects.get(reference=reference_for("reporting"))
        items = {
            "finding": finding_services.finding_save(
                actor=chair,
                audit=audit,
                data=finding_services.FindingInput("good_practice", "Timely referrals."),
            ).pk,
            "step": finding_services.step_save(
                actor=chair, audit=audit, data=finding_services.StepInput("Read the guidance.")
            ).pk,
            "event": finding_services.event_save(
                actor=chair, audit=audit, data=finding_services.EventInput("Learning session")
            ).pk,
        }
        briefing_services.briefing_start(actor=chair, audit=audit)
        self.job = job_services.enqueue(
            kind="pool_import", partnership_id=world.partnership.pk, created_by_id=None
        )
        briefing_services.review_briefing_create(
            actor=admin,
            partnership=world.partnership,
            reference=reference_for("review"),
            title="Rapid review",
            source_kind="rapid_review",
        )
        return items

    def session_for(self, user: User) -> str:
        return self._sessions[user.pk]

    def _audit_without_gp(self, key: str, facts: AuditFacts) -> None:
        world = self.world
        admin = world.actor("admin")
        audit = audit_services.audit_create(
            actor=admin,
            partnership=world.partnership,
            details=audit_services.AuditDetails(
                reference=reference_for(key),
                title="Audit without GPs",
                tool=world.tool,
                period_start=dt.date(2022, 1, 1),
                period_end=dt.date(2022, 12, 31),
                return_deadline=dt.date.today() + dt.timedelta(days=30),
                chair_id=world.users["chair"].pk,
                agency_ids=tuple(world.agencies[s].pk for s in sorted(facts.agencies)),
            ),
        )
        audit = audit_services.audit_transition(actor=admin, audit=audit, to_status="sampling")
        for agencies in facts.cases.values():
            audit_services.case_add(
                actor=admin,
                audit=audit,
                agency_ids=tuple(world.agencies[s].pk for s in sorted(agencies)),
                identity=audit_services.CaseIdentity("Nogp", "Child", dt.date(2021, 3, 1), "C9"),
            )
        audit_services.audit_transition(actor=admin, audit=audit, to_status=facts.status)

    def _check_facts(self) -> None:
        """The database agrees with AUDITS, so the rules are judged against the truth."""
        for key, facts in AUDITS.items():
            audit = Audit.objects.get(reference=reference_for(key))
            assert audit.status == facts.status, key
            assert audit.chair_id == self.world.users["chair"].pk, key
            assert set(audit.agencies.values_list("slug", flat=True)) == facts.agencies, key
            for case, agencies in facts.cases.items():
                row = Case.objects.get(audit=audit, number=CASE_NUMBERS[case])
                assert set(row.agencies.values_list("slug", flat=True)) == agencies, (key, case)
                assert CaseRecord.objects.filter(case=row).exists(), (key, case)
            assert audit.cases.count() == len(facts.cases), key
            events = ChronologyEvent.objects.filter(case__audit=audit)
            assert {
                (e.case.label.removeprefix("Child "), e.agency.slug)
                for e in events.select_related("case", "agency")
            } == facts.events, key
            for ret in AgencyReturn.objects.filter(case__audit=audit).select_related("case"):
                target = Target(key, ret.case.label.removeprefix("Child "), ret.agency.slug)
                assert target.exists, (key, str(ret))
                assert ret.status == target.return_status, (key, str(ret), ret.status)

    def kwargs(self, target: Target) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if target.audit is not None:
            kwargs["reference"] = reference_for(target.audit)
        if target.case is not None:
            kwargs["number"] = CASE_NUMBERS[target.case]
        if target.agency is not None:
            kwargs["agency"] = "nobody" if target.agency == MISSING else target.agency
        if target.action is not None:
            kwargs["action"] = target.action
        if target.event is not None:
            kwargs["event_id"] = (
                999_999
                if target.event == MISSING
                else self.events[(target.audit or "", *target.event)]
            )
        if target.tool is not None:
            kwargs["slug"] = self.tool.slug
            kwargs["version"] = 99 if target.tool == MISSING else self.tool.version
        if target.kind is not None:
            kwargs["kind"] = target.kind
        if target.item is not None:
            kwargs["item_id"] = 999_999 if target.item == MISSING else self.items[target.item]
        if target.briefing is not None:
            kwargs["reference"] = reference_for(target.briefing)
        if target.fmt is not None:
            kwargs["fmt"] = target.fmt
        if target.version is not None:
            kwargs["number"] = 99 if target.version == MISSING else 1
        if target.job is not None:
            kwargs["job_id"] = uuid.UUID(int=0) if target.job == MISSING else self.job.pk
        if target.review is not None:
            kwargs["number"] = 99 if target.review == MISSING else 1
        return kwargs


@dataclass(frozen=True)
class Target:
    """What a URL points at, symbolically (resolved against the scenario when requested)."""

    audit: str | None = None
    case: str | None = None
    agency: str | None = None
    action: str | None = None
    tool: str | None = None
    event: tuple[str, str] | str | None = None  # (case, agency) of a chronology event
    kind: str | None = None  # findings: "finding", "step" or "event" (in the URL)
    item: str | None = None  # findings: which of the reporting audit's items (by kind)
    briefing: str | None = None  # a key of BRIEFINGS
    fmt: str | None = None  # a briefing download format
    version: str | None = None  # "1" or MISSING
    job: str | None = None  # "queued" (a background pool import) or MISSING
    review: str | None = None  # a local review's action: "1" or MISSING

    @property
    def label(self) -> str:
        parts = [
            f"briefing-{self.briefing}" if self.briefing else None,
            f"{self.kind}-{self.item or 'new'}" if self.kind else None,
            self.fmt,
            f"v{self.version}" if self.version else None,
            f"job-{self.job}" if self.job else None,
            f"review-action-{self.review}" if self.review else None,
            self.audit,
            f"Child-{self.case}" if self.case else None,
            f"{self.agency}-return" if self.agency else None,
            self.action,
            f"tool-{self.tool}" if self.tool else None,
            f"event-{'-'.join(self.event) if self.event != MISSING else MISSING}"
            if self.event
            else None,
        ]
        return "/".join(p for p in parts if p) or "-"

    @property
    def facts(self) -> AuditFacts:
        assert self.audit is not None and self.audit != MISSING
        return AUDITS[self.audit]

    @property
    def exists(self) -> bool:
        if self.review is not None:
            return self.review != MISSING
        if self.job is not None:
            return self.job != MISSING
        if self.briefing is not None:
            return (
                self.briefing in BRIEFINGS
                and self.fmt in {None, "pdf", "docx", "html", "txt"}
                and self.version != MISSING
            )
        if self.kind is not None and self.kind not in ITEM_KINDS:
            return False
        if self.item is not None:
            # An item is reached through its own audit and kind only.
            return self.item == self.kind and self.audit == "reporting"
        if self.tool is not None:
            return self.tool != MISSING
        if self.audit is None:
            return True
        if self.audit == MISSING:
            return False
        if self.case is None:
            return True
        if self.case not in self.facts.cases:
            return False
        if self.event is not None:
            # An event is reached through its own case only.
            return self.event in self.facts.events and self.event[0] == self.case
        if self.agency is None:
            return True
        # One return per case for each agency that knew the child, opened when auditing starts.
        return self.agency in self.facts.cases[self.case] and self.state in {
            "auditing",
            *SHARED,
        }

    @property
    def state(self) -> str:
        return self.facts.status

    @property
    def case_agencies(self) -> frozenset[str]:
        return self.facts.cases.get(self.case or "", frozenset())

    @property
    def return_status(self) -> str:
        if self.state in SHARED or (self.case, self.agency) in self.facts.submitted:
            return "submitted"
        return "draft"

    def missing_variant(self) -> Target | None:
        """The same request for something that does not exist (must answer the same 404)."""
        if self.review is not None:
            return replace(self, review=MISSING)
        if self.job is not None:
            return replace(self, job=MISSING)
        if self.briefing is not None:
            return replace(self, briefing=MISSING)
        if self.item is not None:
            return replace(self, item=MISSING)
        if self.tool is not None:
            return replace(self, tool=MISSING)
        if self.event is not None:
            return replace(self, event=MISSING)
        if self.case is not None:
            return replace(self, case=MISSING)
        if self.audit is not None:
            return replace(self, audit=MISSING)
        return None


# --- Principals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    name: str
    role: str | None  # the role the rules see; None: signed in with no active role
    agency: str | None = None
    signed_in: bool = True  # False: anonymous, or signed out by deactivation
    deactivate: str | None = None  # "user" or "membership", after signing in


PRINCIPALS = [
    Principal("anonymous", None, signed_in=False),
    Principal("admin", "admin"),
    Principal("chair", "chair"),
    Principal("other-chair", "chair"),
    Principal("csc", "auditor", "csc"),
    Principal("police", "auditor", "police"),
    Principal("gp", "auditor", "gp"),
    Principal("viewer", "viewer"),
    # A business-unit user whose account is deactivated after signing in: signed out at once.
    Principal("inactive", None, signed_in=False, deactivate="user"),
    # A business-unit user whose membership is revoked after signing in: no role any more.
    Principal("revoked", None, deactivate="membership"),
]
PRINCIPAL_BY_NAME = {p.name: p for p in PRINCIPALS}

# --- Predicates: when a role may use a URL --------------------------------------------------

Pred = Callable[[Principal, Target], bool]


def anything(p: Principal, t: Target) -> bool:
    return t.exists


def chaired(p: Principal, t: Target) -> bool:
    """ "chair" chairs every scenario audit; "other-chair" chairs none."""
    return t.exists and p.name == "chair"


def takes_part(p: Principal, t: Target) -> bool:
    return t.exists and p.agency in t.facts.agencies


def knew(p: Principal, t: Target) -> bool:
    """The auditor's agency knew the child (and takes part in the audit)."""
    return takes_part(p, t) and p.agency in t.case_agencies


def own_return(p: Principal, t: Target) -> bool:
    return t.agency == p.agency


def open_draft(p: Principal, t: Target) -> bool:
    return t.return_status == "draft" and not t.facts.deadline_passed


def own_event(p: Principal, t: Target) -> bool:
    return isinstance(t.event, tuple) and t.event[1] == p.agency


def in_state(*states: str) -> Pred:
    return lambda p, t: t.exists and t.state in states


def valid_action(p: Principal, t: Target) -> bool:
    return t.action in {"reopen", "waive"}


def all_of(*preds: Pred) -> Pred:
    return lambda p, t: all(f(p, t) for f in preds)


def any_of(*preds: Pred) -> Pred:
    return lambda p, t: any(f(p, t) for f in preds)


EDITABLE = ("planning", "sampling", "auditing")
SHARED = ("moderation", "reporting", "published")
FINDING_STATES = ("moderation", "reporting")
BRIEFING_STATES = ("moderation", "reporting", "published")


def briefing_published(p: Principal, t: Target) -> bool:
    return t.exists and BRIEFINGS[t.briefing or ""] == "published"


def audit_briefing(p: Principal, t: Target) -> bool:
    """A briefing made from an audit (the chair chairs every scenario audit)."""
    return t.exists and t.briefing != "review"


def has_role(p: Principal, t: Target) -> bool:
    return p.role is not None


# --- Targets --------------------------------------------------------------------------------

GLOBAL = (Target(),)
AUDIT_TARGETS = tuple(Target(a) for a in [*AUDITS, MISSING])
# Every state with cases, both children: for pages whose rule depends on the audit's state.
CASE_TARGETS = (
    *(Target(a, c) for a in ("sampling", "auditing", "moderation") for c in "AB"),
    Target("no-gp", "A"),
    Target("planning", "A"),  # no cases yet
    Target("auditing", MISSING),
)
# Fewer states for pages whose rule does not depend on the state (keeps the module fast).
CASE_CORE_TARGETS = (
    Target("sampling", "A"),
    Target("auditing", "A"),
    Target("auditing", "B"),
    Target("moderation", "B"),
    Target("no-gp", "A"),
    Target("auditing", MISSING),
)
RETURN_TARGETS = (
    *(Target("auditing", c, ag) for c, ag in [("A", "csc"), ("A", "police"), ("B", "csc")]),
    Target("auditing", "B", "gp"),  # submitted
    Target("auditing", "A", "gp"),  # no such return: GPs did not know Child A
    Target("auditing", "A", MISSING),
    Target("auditing", MISSING, "csc"),
    Target("sampling", "A", "csc"),  # no returns before auditing
    *(Target("moderation", c, ag) for c, ag in [("A", "csc"), ("A", "police"), ("B", "csc")]),
    Target("moderation", "B", "gp"),
    Target("late", "A", "csc"),
    Target("late", "A", "police"),
)
MANAGE_TARGETS = (
    *(
        Target(a, c, ag, action)
        for a in ("auditing", "moderation")
        for c, ag in [("A", "police"), ("B", "gp")]
        for action in ("reopen", "waive")
    ),
    Target("auditing", "A", "police", "delete"),  # no such action
    Target("auditing", MISSING, "police", "reopen"),
)
TOOL_TARGETS = (Target(tool="builtin"), Target(tool=MISSING))
NEW_ITEM_TARGETS = (
    *(Target("reporting", kind=k) for k in ITEM_KINDS),
    *(Target(a, kind="finding") for a in ("auditing", "moderation", "published")),
    Target("reporting", kind="bogus"),
    Target(MISSING, kind="finding"),
)
ITEM_TARGETS = (
    *(Target("reporting", kind=k, item=k) for k in ITEM_KINDS),
    Target("published", kind="finding", item="finding"),  # another audit's finding
    Target("reporting", kind="finding", item=MISSING),
)
BRIEFING_TARGETS = (*(Target(briefing=b) for b in BRIEFINGS), Target(briefing=MISSING))
DOWNLOAD_TARGETS = (
    *(Target(briefing=b, fmt="txt") for b in BRIEFINGS),
    Target(briefing="published", fmt="pdf"),
    Target(briefing="published", fmt="exe"),
    Target(briefing=MISSING, fmt="txt"),
)
JOB_TARGETS = (Target(job="queued"), Target(job=MISSING))
VERSION_TARGETS = (
    *(Target(briefing=b, version="1") for b in BRIEFINGS),
    Target(briefing="reporting", version=MISSING),
)
EVENT_TARGETS = (
    Target("auditing", "A", event=("A", "csc")),
    Target("auditing", "A", event=("A", "police")),
    Target("auditing", "B", event=("B", "gp")),
    Target("auditing", "A", event=("B", "gp")),  # another case's event
    Target("auditing", "A", event=MISSING),
)

# --- The table ------------------------------------------------------------------------------

GET = frozenset({"GET"})
POST = frozenset({"POST"})
GET_POST = frozenset({"GET", "POST"})


@dataclass(frozen=True)
class Expect:
    status: int
    location: str | None = None  # prefix of the redirect target
    allowed: bool = False
    json: dict[str, Any] | None = None


@dataclass(frozen=True)
class Rule:
    """Who may use one URL. Roles: admin, chair, auditor, viewer; "user": anyone signed in."""

    targets: tuple[Target, ...]
    methods: frozenset[str]  # what the view accepts; others answer 405
    get: dict[str, Pred]  # role -> allowed? (roles not named: never)
    post: dict[str, Pred] | None = None  # defaults to `get`
    post_ok: int = 200
    post_data: Callable[[Target], dict[str, str]] | None = None
    login_required: bool = True
    case_level: bool = False  # successful GETs write one access-log entry
    # Bytes found on an allowed GET exactly when the same person may also POST (an edit form).
    edit_marker: bytes | None = None
    special: Callable[[Principal, str], Expect] | None = None  # public pages

    def expect(self, p: Principal, method: str, t: Target) -> Expect:
        if self.special is not None:
            return self.special(p, method)
        if self.login_required and not p.signed_in:
            return Expect(302, location=login_url())
        if method not in self.methods:
            return Expect(405)
        preds = self.post if method == "POST" and self.post is not None else self.get
        if any(pred(p, t) for role, pred in preds.items() if role in {"user", p.role}):
            return Expect(200 if method == "GET" else self.post_ok, allowed=True)
        return Expect(404)


def login_url() -> str:
    return reverse("login")


def healthz_expect(p: Principal, method: str) -> Expect:
    if method != "GET":
        return Expect(405)
    return Expect(200, allowed=True, json={"status": "ok"})


def login_expect(p: Principal, method: str) -> Expect:
    if p.signed_in:  # redirect_authenticated_user
        return Expect(302, location=reverse("dashboard"), allowed=True)
    return Expect(200, allowed=True)  # the form (with errors, for an empty POST)


def logout_expect(p: Principal, method: str) -> Expect:
    if method != "POST":
        return Expect(405)
    return Expect(302, location=login_url(), allowed=True)


def token_revoke_expect(p: Principal, method: str) -> Expect:
    """Revoking names the token in the form; an empty POST names none (tests/api has the rest)."""
    if not p.signed_in:
        return Expect(302, location=login_url())
    return Expect(405) if method != "POST" else Expect(404)


def redirects_signed_in(to: str, methods: frozenset[str] = frozenset({"GET", "POST"})) -> Any:
    """Second-factor pages: someone who has already given it is sent on (all principals in
    the scenario have); anyone else signed out to the login page."""

    def expect(p: Principal, method: str) -> Expect:
        if not p.signed_in:
            return Expect(302, location=login_url())
        if method not in methods:
            return Expect(405)
        return Expect(302, location=reverse(to), allowed=True)

    return expect


def move_data(t: Target) -> dict[str, str]:
    """Ask for the next state: the business unit may; the chair only moderation -> reporting.

    From reporting on there is no button (publishing the briefing moves the audit on): asking
    anyway is refused with a message, after the same permission check.
    """
    status = "planning" if t.audit == MISSING else t.state
    return {"to": audit_services.NEXT_STATUS.get(status, "published")}


BUSINESS_UNIT = {"admin": anything}
CASE_READERS = {"admin": anything, "chair": chaired, "auditor": knew}
# Add chronology events (and name incidents): the business unit for any agency; an auditor for
# their own agency on cases it knew; not the chair.
RECORDERS = {"admin": anything, "auditor": knew}

PANEL = {"admin": anything, "chair": chaired}
PANEL_WRITES = {
    "admin": in_state(*FINDING_STATES),
    "chair": all_of(chaired, in_state(*FINDING_STATES)),
}
ANY_ROLE = {"user": has_role}
BRIEFING_READERS = {
    "admin": anything,
    "chair": any_of(briefing_published, all_of(chaired, audit_briefing)),
    "auditor": briefing_published,
    "viewer": briefing_published,
}
BRIEFING_DRAFTERS = {"admin": anything, "chair": all_of(chaired, audit_briefing)}

ACTION_PLAN_STATES = ("reporting", "published")  # of the scenario's states
FOLLOW_UP_READERS = {
    "admin": anything,
    "chair": any_of(chaired, in_state("published")),  # any chair once published
    "auditor": all_of(takes_part, in_state("published")),
    "viewer": in_state("published"),
}
ACTION_TARGETS = (Target("published", "A"), Target("published", MISSING))


def owns_action(p: Principal, t: Target) -> bool:
    return p.agency == "police"


RULES: dict[str, Rule] = {
    "healthz": Rule(GLOBAL, GET, {}, login_required=False, special=healthz_expect),
    "login": Rule(GLOBAL, GET_POST, {}, login_required=False, special=login_expect),
    "logout": Rule(GLOBAL, POST, {}, login_required=False, special=logout_expect),
    # Second factor (maca/accounts/README.md): everyone in the scenario has given theirs, so
    # the code page sends them on, set-up to the code page (already set up) and the recovery
    # codes page on (nothing to show). tests/accounts covers the people who still owe one.
    "accounts:verify": Rule(GLOBAL, GET_POST, {}, special=redirects_signed_in("dashboard")),
    "accounts:setup": Rule(GLOBAL, GET_POST, {}, special=redirects_signed_in("accounts:verify")),
    "accounts:recovery_codes": Rule(GLOBAL, GET, {}, special=redirects_signed_in("dashboard", GET)),
    # Anyone signed in changes their own password and confirms it is them (an empty POST:
    # the form again with its errors).
    "accounts:password": Rule(GLOBAL, GET_POST, {"user": anything}),
    "accounts:confirm": Rule(GLOBAL, GET_POST, {"user": anything}),
    "accounts:account": Rule(GLOBAL, GET, {"user": anything}),
    # Everyone in the scenario has an authenticator app and signed in moments ago.
    "accounts:recovery_codes_new": Rule(GLOBAL, GET_POST, {"user": anything}, post_ok=302),
    # Anyone signed in makes and revokes their own API tokens (an empty POST: the form again).
    "tokens:list": Rule(GLOBAL, GET, {"user": anything}),
    "tokens:create": Rule(GLOBAL, GET_POST, {"user": anything}),
    "tokens:revoke": Rule(GLOBAL, POST, {}, special=token_revoke_expect),
    # Everyone signed in has a dashboard (published briefings and figures; no audits for viewers).
    "dashboard": Rule(GLOBAL, GET, {"user": anything}),
    "audits:list": Rule(GLOBAL, GET, {"admin": anything, "chair": anything, "auditor": anything}),
    "audits:create": Rule(GLOBAL, GET_POST, BUSINESS_UNIT),
    "audits:detail": Rule(
        AUDIT_TARGETS, GET, {"admin": anything, "chair": chaired, "auditor": takes_part}
    ),
    "audits:edit": Rule(AUDIT_TARGETS, GET_POST, {"admin": in_state(*EDITABLE)}),
    "audits:move": Rule(
        AUDIT_TARGETS,
        POST,
        {"admin": anything, "chair": all_of(chaired, in_state("moderation"))},
        post_ok=302,
        post_data=move_data,
    ),
    "audits:progress": Rule(AUDIT_TARGETS, GET, {"admin": anything, "chair": chaired}),
    "audits:timeliness": Rule(AUDIT_TARGETS, GET, {"admin": anything, "chair": chaired}),
    "audits:case_create": Rule(AUDIT_TARGETS, GET_POST, {"admin": in_state(*EDITABLE)}),
    # Sampling: the business unit (and, read-only, the chair: can_see_progress) may look; only
    # the business unit draws, and only while planning or sampling. The POST asks to draw with
    # no size: allowed -> the form again with its error (200), refused -> 404.
    "audits:sampling": Rule(
        AUDIT_TARGETS,
        GET_POST,
        {"admin": anything, "chair": chaired},
        post={"admin": in_state("planning", "sampling")},
        post_data=lambda t: {"action": "draw"},
    ),
    "audits:case": Rule(CASE_CORE_TARGETS, GET, CASE_READERS, case_level=True),
    "audits:case_record": Rule(CASE_CORE_TARGETS, GET, BUSINESS_UNIT, case_level=True),
    # Correct the agencies and the restricted record: the business unit, before moderation.
    "audits:case_edit": Rule(
        CASE_TARGETS, GET_POST, {"admin": in_state(*EDITABLE)}, case_level=True
    ),
    "audits:chronology": Rule(CASE_CORE_TARGETS, GET, CASE_READERS, case_level=True),
    # A download: it also needs a sign-in within 15 minutes (maca.core.reauth), which the
    # scenario's sessions, made when the module starts, have; tests/accounts/test_reauth.py
    # covers an older one.
    "audits:chronology_json": Rule(CASE_CORE_TARGETS, GET, CASE_READERS, case_level=True),
    "audits:chronology_add": Rule(CASE_CORE_TARGETS, GET_POST, RECORDERS, case_level=True),
    "audits:chronology_upload": Rule(CASE_CORE_TARGETS, GET_POST, RECORDERS, case_level=True),
    "audits:incident_add": Rule(CASE_CORE_TARGETS, GET_POST, RECORDERS, case_level=True),
    "audits:chronology_delete": Rule(
        EVENT_TARGETS,
        POST,
        {"admin": anything, "auditor": all_of(knew, own_event)},
        post_ok=302,
    ),
    "audits:compare": Rule(
        CASE_TARGETS,
        GET,
        {"admin": anything, "chair": chaired, "auditor": all_of(knew, in_state(*SHARED))},
        case_level=True,
    ),
    "audits:moderate": Rule(
        CASE_TARGETS,
        GET_POST,
        {
            "admin": in_state("moderation"),
            "chair": all_of(chaired, in_state("moderation")),
        },
        case_level=True,
    ),
    "audits:return": Rule(
        RETURN_TARGETS,
        GET_POST,
        # Read: the panel always; an auditor their own agency's return (read-only outside
        # auditing), other agencies' returns once the audit is in moderation.
        {
            "admin": anything,
            "chair": chaired,
            "auditor": all_of(knew, any_of(own_return, in_state(*SHARED))),
        },
        # Write: only the own agency's draft, while auditing, before the deadline.
        post={"auditor": all_of(knew, own_return, in_state("auditing"), open_draft)},
        case_level=True,
        edit_marker=b'name="version"',  # the edit form's hidden version field
    ),
    "audits:return_manage": Rule(
        MANAGE_TARGETS,
        GET_POST,
        # maca/returns/README.md: business unit, while the audit is auditing.
        {"admin": all_of(anything, valid_action, in_state("auditing"))},
    ),
    "pool": Rule(GLOBAL, GET_POST, BUSINESS_UNIT),  # import the case pool
    # A background import's progress and result: the business unit of its partnership.
    "pool_job": Rule(JOB_TARGETS, GET, BUSINESS_UNIT),
    "pool_job_status": Rule(JOB_TARGETS, GET, BUSINESS_UNIT),
    "tools:list": Rule(GLOBAL, GET, BUSINESS_UNIT),
    "tools:load": Rule(GLOBAL, GET_POST, BUSINESS_UNIT),
    "tools:detail": Rule(TOOL_TARGETS, GET, BUSINESS_UNIT),
    "activity:list": Rule(GLOBAL, GET, BUSINESS_UNIT),
    "activity:access": Rule(GLOBAL, GET, BUSINESS_UNIT),
    # CSV downloads of the (filtered) logs: also need a recent sign-in (maca.core.reauth).
    "activity:export": Rule(GLOBAL, GET, BUSINESS_UNIT),
    "activity:access_export": Rule(GLOBAL, GET, BUSINESS_UNIT),
    # Who viewed one case's records (itself logged as a view of the case).
    "activity:case_access": Rule(CASE_CORE_TARGETS, GET, BUSINESS_UNIT, case_level=True),
    # Findings: the panel reads them; writes while in moderation or reporting. Empty POSTs:
    # allowed -> the form again with its errors (200), refused -> 404.
    "audits:findings": Rule(AUDIT_TARGETS, GET, PANEL),
    "audits:finding_new": Rule(NEW_ITEM_TARGETS, GET_POST, PANEL_WRITES),
    "audits:finding_edit": Rule(ITEM_TARGETS, GET_POST, PANEL_WRITES),
    "audits:finding_delete": Rule(ITEM_TARGETS, POST, PANEL_WRITES, post_ok=302),
    # Start (or reopen) the audit's briefing: the panel, from moderation on.
    "audits:briefing_start": Rule(
        AUDIT_TARGETS,
        POST,
        {
            "admin": in_state(*BRIEFING_STATES),
            "chair": all_of(chaired, in_state(*BRIEFING_STATES)),
        },
        post_ok=302,
    ),
    # Briefings: published ones for everyone with a role; drafts for those who draft them
    # (the panel for an audit's, the business unit for a review's); publishing: business unit.
    "briefings:list": Rule(GLOBAL, GET, ANY_ROLE),
    "briefings:style_css": Rule(GLOBAL, GET, ANY_ROLE),
    "briefings:review_new": Rule(GLOBAL, GET_POST, BUSINESS_UNIT),
    "briefings:style": Rule(GLOBAL, GET_POST, BUSINESS_UNIT),
    "briefings:detail": Rule(BRIEFING_TARGETS, GET, BRIEFING_READERS),
    "briefings:download": Rule(DOWNLOAD_TARGETS, GET, BRIEFING_READERS),
    "briefings:edit": Rule(BRIEFING_TARGETS, GET_POST, BRIEFING_DRAFTERS),
    "briefings:preview": Rule(BRIEFING_TARGETS, POST, BRIEFING_DRAFTERS),
    "briefings:versions": Rule(BRIEFING_TARGETS, GET, BRIEFING_DRAFTERS),
    "briefings:version": Rule(VERSION_TARGETS, GET, BRIEFING_DRAFTERS),
    "briefings:publish": Rule(BRIEFING_TARGETS, GET_POST, BUSINESS_UNIT),
    # Follow-up (docs/follow-up.md). Action plans and learning: the panel always; the board
    # (viewers) and agencies taking part once the audit is published. Empty POSTs: allowed ->
    # the form again with its errors (200), refused -> 404.
    "actions:overview": Rule(GLOBAL, GET, ANY_ROLE),
    # Actions from local reviews: added by the business unit; read by the business unit,
    # chairs, the board and the owning agency; progress by the business unit and the owner.
    "actions:review_new": Rule(GLOBAL, GET_POST, BUSINESS_UNIT),
    "actions:review": Rule(
        (Target(review="1"), Target(review=MISSING)),
        GET_POST,
        {
            "admin": anything,
            "chair": anything,
            "viewer": anything,
            "auditor": all_of(anything, owns_action),
        },
        post={"admin": anything, "auditor": all_of(anything, owns_action)},
    ),
    # Changing an action after it is added: whoever may add it (closed ones are refused).
    "actions:review_edit": Rule(
        (Target(review="1"), Target(review=MISSING)), GET_POST, BUSINESS_UNIT
    ),
    "actions:edit": Rule(
        ACTION_TARGETS,
        GET_POST,
        {
            "admin": in_state(*ACTION_PLAN_STATES),
            "chair": all_of(chaired, in_state(*ACTION_PLAN_STATES)),
        },
    ),
    "actions:plan": Rule(AUDIT_TARGETS, GET, FOLLOW_UP_READERS),
    "actions:learning": Rule(AUDIT_TARGETS, GET, FOLLOW_UP_READERS),
    "actions:new": Rule(
        AUDIT_TARGETS,
        GET_POST,
        {
            "admin": in_state(*ACTION_PLAN_STATES),
            "chair": all_of(chaired, in_state(*ACTION_PLAN_STATES)),
        },
    ),
    # The action's number rides in the case slot: Action 1 exists in the published audit.
    "actions:detail": Rule(
        ACTION_TARGETS,
        GET_POST,
        FOLLOW_UP_READERS,
        post={"admin": anything, "chair": chaired, "auditor": all_of(takes_part, owns_action)},
    ),
    "actions:briefing_use": Rule(
        AUDIT_TARGETS,
        GET_POST,
        {"admin": in_state("published"), "auditor": all_of(takes_part, in_state("published"))},
    ),
    "actions:attendance": Rule(AUDIT_TARGETS, GET_POST, {"admin": in_state(*ACTION_PLAN_STATES)}),
    # Insight across audits: counts only, for everyone with a role; the programme is kept by
    # the business unit; re-audit links by the panel; the export (after confirming it is you,
    # as for chronology_json) by the business unit.
    "insight:dashboard": Rule(GLOBAL, GET, ANY_ROLE),
    "insight:programme": Rule(GLOBAL, GET, ANY_ROLE),
    "insight:programme_edit": Rule(AUDIT_TARGETS, GET_POST, BUSINESS_UNIT),
    "insight:reaudit": Rule(AUDIT_TARGETS, GET_POST, PANEL),
    "insight:export": Rule(AUDIT_TARGETS, GET_POST, BUSINESS_UNIT),
}

# --- Enumerating the URL configuration ------------------------------------------------------


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[str]:
    """Every URL pattern's full name (namespace:name), recursively through includes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            if namespace.startswith("api-v1:"):
                continue  # token-only, no pages: tests/api/test_api_matrix.py covers each one
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


def matrix() -> Iterator[Any]:
    for name in url_names():
        rule = RULES.get(name)
        if rule is None:
            yield pytest.param(name, None, None, "GET", id=f"{name}-NO-RULE")
            continue
        for target in rule.targets:
            for principal in PRINCIPALS:
                for method in ("GET", "POST"):
                    yield pytest.param(
                        name,
                        target,
                        principal.name,
                        method,
                        id=f"{method}-{name}-{target.label}-{principal.name}",
                    )


# --- Fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario(django_db_setup: None, django_db_blocker: Any) -> Iterator[Scenario]:
    """Built once for the module, rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield Scenario()
        transaction.set_rollback(True)


def sign_in(client: Client, scenario: Scenario, p: Principal) -> User | None:
    """Sign in, then apply any deactivation: it must bite on the very next request.

    The session is made once per principal (with the scenario) and reused: each test runs in a
    savepoint, so whatever a request does to it (logout, expiry refresh) is rolled back.
    """
    if p.name == "anonymous":
        return None
    user = scenario.world.users[p.name]
    client.cookies[settings.SESSION_COOKIE_NAME] = scenario.session_for(user)
    if p.deactivate == "user":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif p.deactivate == "membership":
        Membership.objects.filter(user=user).update(is_active=False)
    return user


def send(client: Client, method: str, path: str, data: dict[str, str] | None) -> Any:
    if method == "GET":
        return client.get(path)
    return client.post(path, data or {})


def snapshot() -> dict[str, Any]:
    """The state a forbidden POST must leave alone (the write capture below catches the rest)."""
    return {
        "audits": list(Audit.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "cases": Case.objects.count(),
        "returns": list(AgencyReturn.objects.order_by("pk").values_list("pk", "status", "version")),
        "moderations": CaseModeration.objects.count(),
        "findings": list(Finding.objects.order_by("pk").values_list("pk", "version")),
        "briefing versions": BriefingVersion.objects.count(),
        "chronology events": ChronologyEvent.objects.count(),
        "activity entries": ActivityEntry.objects.count(),  # every change is logged
    }


# Tables a refused request may still write: the session (saved on every request) and the access
# log (judged by its own assertions).
WRITABLE_WHEN_REFUSED = (Session._meta.db_table, AccessEntry._meta.db_table)
WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.IGNORECASE)


def writes(queries: CaptureQueriesContext) -> list[str]:
    """The SQL statements that changed a table other than WRITABLE_WHEN_REFUSED."""
    out = []
    for query in queries.captured_queries:
        m = WRITE.match(query["sql"])
        if m and m.group(2) not in WRITABLE_WHEN_REFUSED:
            out.append(query["sql"][:200])
    return out


NOT_FOUND_BODIES: dict[str, bytes] = {}  # per person: the answer for a URL that does not exist


def same_page(body: bytes) -> bytes:
    """A page without its per-render CSRF token, so two renders of one page compare equal."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b'name="csrfmiddlewaretoken"', body)


# --- Tests ----------------------------------------------------------------------------------


def test_every_url_has_a_rule() -> None:
    names = list(url_names())
    missing = [n for n in names if n not in RULES]
    assert not missing, "\n".join(
        f"URL {n} has no permission rule: add it to the matrix" for n in missing
    )
    stale = sorted(set(RULES) - set(names))
    assert not stale, f"Rules for URLs that no longer exist: {stale}"
    assert len(names) == len(set(names)), f"Duplicate URL names: {names}"


@pytest.mark.parametrize(("url_name", "target", "principal_name", "method"), list(matrix()))
def test_permission_matrix(
    scenario: Scenario,
    client: Client,
    url_name: str,
    target: Target | None,
    principal_name: str | None,
    method: str,
) -> None:
    rule = RULES.get(url_name)
    if rule is None or target is None or principal_name is None:
        pytest.fail(f"URL {url_name} has no permission rule: add it to the matrix")
    p = PRINCIPAL_BY_NAME[principal_name]
    path = reverse(url_name, kwargs=scenario.kwargs(target))
    where = f"{method} {path} ({url_name}, {target.label}) as {p.name}"
    user = sign_in(client, scenario, p)
    exp = rule.expect(p, method, target)
    data = rule.post_data(target) if method == "POST" and rule.post_data else None
    forbidden_post = method == "POST" and not exp.allowed
    before = snapshot() if forbidden_post else None
    accesses_before = AccessEntry.objects.count()

    with CaptureQueriesContext(connection) as queries:
        response = send(client, method, path, data)

    assert response.status_code == exp.status, (
        f"{where}: expected {exp.status}, got {response.status_code}"
    )
    if exp.location is not None:
        location = response["Location"]
        assert location.startswith(exp.location), (
            f"{where}: redirected to {location}, expected {exp.location}"
        )
    if exp.status == 302 and exp.location == login_url() and rule.login_required:
        assert response["Location"].startswith(f"{login_url()}?next="), where
    if rule.edit_marker is not None and method == "GET" and exp.allowed:
        editable = rule.expect(p, "POST", target).allowed
        shown = rule.edit_marker in response.content
        assert shown == editable, (
            f"{where}: the edit form is {'shown' if shown else 'missing'}, but this person "
            f"{'may' if editable else 'may not'} change it"
        )
    if exp.json is not None:
        assert json.loads(response.content) == exp.json, f"{where}: {response.content!r}"

    # Case-level pages: one access entry per successful GET; a denied one writes at most one,
    # a refusal (when what was asked for exists in the person's partnership).
    if rule.case_level and method == "GET":
        new = list(AccessEntry.objects.order_by("pk")[accesses_before:])
        actions = [e.action for e in new]
        if exp.allowed:
            assert len(new) == 1 and not actions[0].endswith(".refused"), (
                f"{where}: wrote access entries {actions}, expected one view"
            )
        else:
            assert len(new) <= 1 and all(a.endswith(".refused") for a in actions), (
                f"{where}: wrote access entries {actions}, expected at most one refusal"
            )
        if new:
            assert user is not None and new[0].user_id == user.pk, where

    # Forbidden answers exactly like missing: the same body as a URL that does not exist,
    # and (GET) the same answer the same user gets for a target that does not exist.
    if exp.status == 404:
        # The menu marks the section the address is in, so compare within the same section.
        section = "/" + path.strip("/").split("/")[0] + "/" if path.strip("/") else "/"
        key = f"{p.name} {section}"
        if key not in NOT_FOUND_BODIES:
            missing = client.get(f"{section}no-such-page-at-all/")
            NOT_FOUND_BODIES[key] = same_page(missing.content)
        assert same_page(response.content) == NOT_FOUND_BODIES[key], (
            f"{where}: a 404 unlike the one for a missing page: {response.content[:200]!r}"
        )
        twin = target.missing_variant() if method == "GET" else None
        if twin is not None and twin != target:
            twin_path = reverse(url_name, kwargs=scenario.kwargs(twin))
            twin_response = client.get(twin_path)
            assert twin_response.status_code == 404, (
                f"GET {twin_path} as {p.name} (missing): got {twin_response.status_code}"
            )
            assert same_page(response.content) == same_page(twin_response.content), (
                f"{where}: the 404 differs from the one for a missing target ({twin_path})"
            )
            assert response.get("Content-Type") == twin_response.get("Content-Type"), where

    if forbidden_post:
        assert not writes(queries), f"{where}: a forbidden POST wrote {writes(queries)}"
        assert snapshot() == before, f"{where}: a forbidden POST changed something"

    # Every answer, allowed or not, carries the security headers (CSP, framing, sniffing,
    # referrer); pages for a signed-in person are never cached.
    still_signed_in = p.signed_in and url_name != "logout"
    problems = security_header_problems(response, signed_in=still_signed_in)
    assert not problems, f"{where}: {problems}"


def test_revocation_takes_effect_on_the_next_request(scenario: Scenario, client: Client) -> None:
    path = reverse("audits:case", kwargs=scenario.kwargs(Target("auditing", "A")))
    world = scenario.world

    verified_login(client, world.users["csc-2"])
    assert client.get(path).status_code == 200, "csc-2 before revocation"
    Membership.objects.filter(user=world.users["csc-2"]).update(is_active=False)
    assert client.get(path).status_code == 404, "csc-2 after the membership was revoked"

    verified_login(client, world.users["admin"])
    assert client.get(path).status_code == 200, "admin before deactivation"
    User.objects.filter(pk=world.users["admin"].pk).update(is_active=False)
    response = client.get(path)
    assert response.status_code == 302, "admin after the account was deactivated"
    assert response["Location"].startswith(f"{login_url()}?next="), response["Location"]


def test_audit_overview_counts_only_the_cases_an_auditor_may_see(
    scenario: Scenario, client: Client
) -> None:
    sign_in(client, scenario, PRINCIPAL_BY_NAME["gp"])  # knew Child B only
    response = client.get(reverse("audits:detail", kwargs=scenario.kwargs(Target("auditing"))))
    if response.status_code != 200:
        pytest.fail(f"the GP auditor cannot open the audit: {response.status_code}")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "Child A" not in text
    for leak in ("2 cases", "of 2 cases", "3 outstanding"):
        assert leak not in text, f"the GP auditor's audit overview says {leak!r}"
