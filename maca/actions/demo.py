"""The demo's follow-up: the published audit's action plan in every status, attendance at its
learning events, teams' briefing records, the audit programme and a planned re-audit.

Called by `maca.partnerships.demo` once the audits exist; everything goes through services.
Due dates are set around the day the demo is built, so its dashboards show something overdue,
something blocked and something due soon, and reminders go out (to the console) that day.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from maca.actions import services
from maca.audits import services as audit_services
from maca.audits.models import Audit
from maca.core.permissions import actor_for
from maca.insight import services as insight_services
from maca.partnerships.models import Agency, Partnership, User

# (owner, kind, what needs to happen, lead, due in days from today, final status, note)
ACTIONS: list[tuple[str, str, str, str, int, str]] = [
    (
        "csc",
        "practice_change",
        "Add a prompt to the front door's recording template to consider siblings at every "
        "strategy discussion about an injured baby.",
        "Head of the front door",
        -120,
        "closed",
    ),
    (
        "health-visiting",
        "training",
        "Run refresher training on the bruising protocol for every health visiting team.",
        "Named nurse for safeguarding",
        -30,
        "done",
    ),
    (
        "police",
        "assurance",
        "Report to the board on how often officers attend strategy discussions about babies "
        "within one working day.",
        "Detective Inspector, child abuse investigation",
        45,
        "on_track",
    ),
    (
        "gp",
        "practice_change",
        "Ask every practice to record who the baby's carers are at the new birth check.",
        "Named GP for safeguarding",
        -14,
        "at_risk",
    ),
    (
        "mental-health",
        "policy",
        "Agree how adult mental health services share a parent's risk with the health visitor "
        "when a baby is born.",
        "Safeguarding lead, adult services",
        30,
        "blocked",
    ),
    (
        "early-help",
        "training",
        "Brief early help workers on what a medical opinion about an injury can and cannot "
        "tell them.",
        "Early help service manager",
        5,
        "not_started",
    ),
]
EVIDENCE = {
    "done": "Training delivered to all eight teams; 94% of staff attended (training register).",
    "closed": "Template changed on 1 July 2022; a dip sample of 20 strategy discussions found "
    "siblings considered in 19.",
}
NOTES = {
    "on_track": "Data request agreed with the force's analysts; first report due next quarter.",
    "at_risk": "Half of the practices have changed their template; the rest are waiting for "
    "the system supplier.",
    "blocked": "",
    "done": "All teams trained.",
    "closed": "The board saw the dip sample and is satisfied.",
}
BLOCKED = "Waiting for the two trusts' information-sharing agreement to be signed."
ATTENDANCE = [(60, 54), (40, 31), (30, 30)]
USES = [
    (
        "csc",
        "Front door (MASH)",
        dt.date(2022, 5, 10),
        12,
        "Check siblings at every strategy discussion about an injured baby.",
    ),
    (
        "csc",
        "Child protection team east",
        dt.date(2022, 5, 17),
        8,
        "Invite health and police to the first core group of every plan for a baby.",
    ),
    (
        "health-visiting",
        "Health visiting north",
        dt.date(2022, 5, 12),
        15,
        "Use the body map at every new birth visit where a mark is seen.",
    ),
    (
        "police",
        "Child abuse investigation team",
        dt.date(2022, 5, 24),
        9,
        "Escalate in writing when a second medical opinion is late.",
    ),
]
REAUDIT_REFERENCE = "injuries-in-non-mobile-babies-2025"


def follow_up_build(
    partnership: Partnership, users: dict[str, User], agencies: dict[str, Agency]
) -> None:
    admin, chair = actor_for(users["admin"]), actor_for(users["chair"])
    board = actor_for(users["viewer"])
    audit = Audit.objects.get(
        partnership=partnership, reference="injuries-in-non-mobile-babies-2022"
    )
    today = timezone.localdate()
    for owner, kind, text, lead, days, final in ACTIONS:
        action = services.action_add(
            actor=chair,
            audit=audit,
            data=services.ActionInput(
                description=text,
                kind=kind,
                owner_agency_id=agencies[owner].pk,
                lead=lead,
                due_date=today + dt.timedelta(days=days),
            ),
        )
        agency = actor_for(users[owner])
        steps = {"closed": ["on_track", "done", "closed"], "done": ["on_track", "done"]}.get(
            final, [] if final == "not_started" else [final]
        )
        for status in steps:
            action.refresh_from_db()
            services.action_progress(
                actor=board if status == "closed" else agency,
                action=action,
                expected_version=action.version,
                data=services.ProgressInput(
                    status=status,
                    note=NOTES.get(status, "") or "Work has started.",
                    blocked_reason=BLOCKED if status == "blocked" else "",
                    evidence=EVIDENCE.get(final, "") if status == "done" else "",
                ),
            )
    for event, (places, attended) in zip(
        audit.learning_events.order_by("date", "pk"), ATTENDANCE, strict=False
    ):
        services.attendance_record(
            actor=admin, audit=audit, event_id=event.pk, places=places, attended=attended
        )
    for owner, team, on, people, will_do in USES:
        services.briefing_use_record(
            actor=actor_for(users[owner]),
            audit=audit,
            data=services.BriefingUseInput(agencies[owner].pk, team, on, will_do, people),
        )
    audit_services.audit_transition(actor=admin, audit=audit, to_status="follow_up")
    insight_services.programme_set(
        actor=admin,
        audit=audit,
        year=2021,
        prompt_kind="local_review",
        next_steps="Follow the action plan to the board; re-audit in 2025.",
    )
    review = services.review_action_add(
        actor=admin,
        partnership_id=partnership.pk,
        review="Rapid review: baby with a fractured arm (2024)",
        data=services.ActionInput(
            description="Make sure the out-of-hours team can see the health visitor's notes "
            "for every baby under one.",
            kind="practice_change",
            owner_agency_id=agencies["csc"].pk,
            lead="Out-of-hours team manager",
            due_date=today + dt.timedelta(days=90),
        ),
    )
    services.action_progress(
        actor=actor_for(users["csc"]),
        action=review,
        expected_version=review.version,
        data=services.ProgressInput(status="on_track", note="Access agreed with the trust."),
    )
    neglect = Audit.objects.get(partnership=partnership, reference="neglect-2023")
    insight_services.programme_set(
        actor=admin,
        audit=neglect,
        year=2023,
        prompt_kind="data",
        next_steps="Draw the sample of children on plans for neglect.",
    )
    reaudit = audit_services.audit_create(
        actor=admin,
        partnership=partnership,
        details=audit_services.AuditDetails(
            reference=REAUDIT_REFERENCE,
            title="Injuries in non-mobile babies: re-audit",
            tool=audit.tool,
            aim="To check whether the 2022 audit's learning about injured babies has taken hold.",
            background="Re-audit of the 2022 audit, agreed by the board when it closed the first "
            "actions.",
            prompted_by="The 2022 audit of injuries in non-mobile babies and its action plan.",
            period_start=dt.date(2024, 4, 1),
            period_end=dt.date(2025, 3, 31),
            chair_id=users["chair"].pk,
            agency_ids=tuple(a.pk for a in agencies.values()),
        ),
    )
    insight_services.reaudit_mark(actor=admin, audit=reaudit, earlier=audit)
    insight_services.programme_set(
        actor=admin,
        audit=reaudit,
        year=2025,
        prompt_kind="local_review",
        next_steps="Set the period under review and the criteria; panel in the autumn.",
    )
