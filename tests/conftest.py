"""Shared fixtures: a small partnership with one member of each role, and audit builders.

Tests build their own data (they never depend on the demo).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings

from maca.audits import services as audit_services
from maca.audits.models import Audit, AuditTool
from maca.briefings import services as briefing_services
from maca.core.permissions import Actor, actor_for
from maca.moderation.services import case_moderate
from maca.partnerships.models import Agency, Membership, Partnership, Role, User
from maca.returns import services as return_services
from maca.returns.models import AgencyReturn

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

# CI runs a lighter hypothesis profile so the suite stays well inside its time budget.
settings.register_profile("ci", max_examples=25, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

PASSWORD = "correct-horse-battery"
AGENCY_SLUGS = ["csc", "health-visiting", "police", "gp"]


@pytest.fixture(autouse=True)
def _email_and_hosts(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]


class World:
    """A partnership with agencies and one user per role (auditors for csc and police)."""

    def __init__(self) -> None:
        self.partnership = Partnership.objects.create(name="Test Partnership", slug="test")
        self.agencies = {
            slug: Agency.objects.create(partnership=self.partnership, slug=slug, name=slug.upper())
            for slug in AGENCY_SLUGS
        }
        self.users: dict[str, User] = {}
        self.add_user("admin", Role.ADMIN)
        self.add_user("chair", Role.CHAIR)
        self.add_user("other-chair", Role.CHAIR)
        self.add_user("csc", Role.AUDITOR, "csc")
        self.add_user("police", Role.AUDITOR, "police")
        self.add_user("gp", Role.AUDITOR, "gp")
        self.add_user("viewer", Role.VIEWER)
        self.tool = audit_services.tools_load_builtin(partnership=self.partnership)[0]

    def add_user(self, username: str, role: str, agency: str | None = None) -> User:
        user = User.objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.invalid"
        )
        Membership.objects.create(
            user=user,
            partnership=self.partnership,
            role=role,
            agency=self.agencies[agency] if agency else None,
        )
        self.users[username] = user
        return user

    def actor(self, username: str) -> Actor:
        return actor_for(self.users[username])

    def audit(
        self,
        reference: str = "test-audit",
        *,
        status: str = "planning",
        cases: list[tuple[str, ...]] | None = None,
        tool: AuditTool | None = None,
        deadline: dt.date | None = None,
    ) -> Audit:
        """An audit moved through the real lifecycle to `status` (up to published).

        Reporting: every case graded 'good' by the chair. Published: the composed briefing,
        published by the business unit.
        """
        admin = self.actor("admin")
        audit = audit_services.audit_create(
            actor=admin,
            partnership=self.partnership,
            details=audit_services.AuditDetails(
                reference=reference,
                title=f"Audit {reference}",
                tool=tool or self.tool,
                period_start=dt.date(2022, 1, 1),
                period_end=dt.date(2022, 12, 31),
                return_deadline=deadline or (dt.date.today() + dt.timedelta(days=30)),
                panel_date=dt.date.today() + dt.timedelta(days=45),
                chair_id=self.users["chair"].pk,
                agency_ids=tuple(a.pk for a in self.agencies.values()),
            ),
        )
        order = ["planning", "sampling", "auditing", "moderation", "reporting", "published"]
        if order.index(status) >= 1:
            audit = audit_services.audit_transition(actor=admin, audit=audit, to_status="sampling")
            for agency_slugs in cases if cases is not None else [("csc", "police"), ("csc", "gp")]:
                audit_services.case_add(
                    actor=admin,
                    audit=audit,
                    agency_ids=tuple(self.agencies[s].pk for s in agency_slugs),
                    identity=audit_services.CaseIdentity(
                        "Testchild", "Surname", dt.date(2021, 5, 1), "C123"
                    ),
                )
        if order.index(status) >= 2:
            audit = audit_services.audit_transition(actor=admin, audit=audit, to_status="auditing")
        if order.index(status) >= 3:
            for ret in AgencyReturn.objects.filter(case__audit=audit).select_related("agency"):
                self.submit(ret)
            audit = audit_services.audit_transition(
                actor=admin, audit=audit, to_status="moderation"
            )
        if order.index(status) >= 4:
            self.moderate_all(audit)
            audit = audit_services.audit_transition(
                actor=self.actor("chair"), audit=audit, to_status="reporting"
            )
        if order.index(status) >= 5:
            briefing = briefing_services.briefing_start(actor=admin, audit=audit)
            briefing_services.briefing_publish(
                actor=admin,
                briefing=briefing,
                expected_number=briefing_services.latest_version(briefing).number,
            )
            audit.refresh_from_db()
        return audit

    def moderate_all(self, audit: Audit, grade: str = "good") -> None:
        for case in audit.cases.order_by("number"):
            case_moderate(
                actor=self.actor("chair"), case=case, grade=grade, reasons="Sound practice."
            )

    def complete_input(self, audit: Audit) -> return_services.ReturnInput:
        answers = {}
        for q in audit.tool.questions.all():
            if q.answer_type == "choice":
                answers[q.code] = return_services.AnswerInput(answer="yes", evidence="Case notes.")
            else:
                answers[q.code] = return_services.AnswerInput(
                    text="Worked well.", evidence="Notes."
                )
        return return_services.ReturnInput(
            answers=answers, grade="good", grade_reason="Timely and thorough."
        )

    def submit(self, ret: AgencyReturn) -> AgencyReturn:
        ret.refresh_from_db()
        auditor = next(
            u
            for u, user in self.users.items()
            if user.memberships.filter(agency=ret.agency).exists()
        )
        return return_services.return_submit(
            actor=self.actor(auditor),
            ret=ret,
            data=self.complete_input(ret.case.audit),
            expected_version=ret.version,
        )


@pytest.fixture
def world(db) -> World:
    return World()


def verified_login(client: Client, user: User) -> None:
    """Sign `client` in as `user` with the second factor given, as after the code page.

    Gives the user a confirmed authenticator app if they have none. Use this (or the `login`
    fixture) instead of `client.force_login`, which leaves the second factor owed, so every
    page but the code page redirects (see tests/accounts/test_second_factor.py).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def login(client, world) -> Callable[[str], None]:
    """`login("csc")`: the test client signed in as that user, second factor given."""

    def _login(username: str) -> None:
        verified_login(client, world.users[username])

    return _login
