"""The demo partnership, built through the same services the application uses.

Everything here is invented. The audit mirrors the shape and figures of a real published
7 minute briefing (five cases, six agencies, five questions, four good and one requires
improvement, two of the good ones with specific issues); no sentence is taken from it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from maca.audits import services as audit_services
from maca.audits.models import Audit, AuditTool, Case
from maca.briefings import services as briefing_services
from maca.chronology import services as chronology_services
from maca.chronology.services import EventInput
from maca.core.permissions import Actor, actor_for
from maca.findings import services as finding_services
from maca.moderation.services import case_moderate
from maca.partnerships.demo_pool import demo_pool_csv
from maca.partnerships.models import Agency, Membership, Partnership, Role, User
from maca.returns import services as return_services
from maca.returns.models import AgencyReturn
from maca.sampling import services as sampling_services

DEMO_SLUG = "demo"
DEMO_PASSWORD = "maca-demo"  # noqa: S105 - published demo sign-in, only in a demo database  # nosec B105
NMB_REFERENCE = "injuries-in-non-mobile-babies-2022"
NMB_SEED = "demo-panel-2022"
NEGLECT_REFERENCE = "neglect-2023"

AGENCIES = [
    ("csc", "Children's social care", "CSC"),
    ("early-help", "Early help", "Early help"),
    ("health-visiting", "Health visiting", "Health visiting"),
    ("police", "Police", "Police"),
    ("mental-health", "Mental health trust", "Mental health"),
    ("gp", "GP practices", "GPs"),
]

# username, first name, last name, role, agency slug
ACCOUNTS = [
    ("admin", "Ayesha", "Brennan", Role.ADMIN, None),
    ("chair", "Morgan", "Ellery", Role.CHAIR, None),
    ("csc", "Priya", "Lindqvist", Role.AUDITOR, "csc"),
    ("early-help", "Tomasz", "Hale", Role.AUDITOR, "early-help"),
    ("health-visiting", "Grace", "Oyelaran", Role.AUDITOR, "health-visiting"),
    ("police", "Dylan", "Marsh", Role.AUDITOR, "police"),
    ("mental-health", "Ruth", "Abernethy", Role.AUDITOR, "mental-health"),
    ("gp", "Sanjay", "Okafor", Role.AUDITOR, "gp"),
    ("viewer", "Elin", "Varga", Role.VIEWER, None),
]


class NotADemoDatabase(Exception):
    """The database holds something the demo did not make; the demo will not touch it."""


@dataclass
class DemoCase:
    given_name: str
    family_name: str
    born: dt.date
    council_id: str
    agencies: tuple[str, ...]
    grade: str
    reasons: str
    specific_issues: str = ""


CASES = [
    DemoCase(
        "Ivy",
        "Calloway",
        dt.date(2021, 6, 14),
        "DEMO-40117",
        ("csc", "early-help", "health-visiting", "police", "mental-health", "gp"),
        "good",
        "A bruise seen at a routine health visit was referred the same morning; the strategy "
        "discussion and the child protection medical followed that day, and every agency "
        "shared what it knew.",
    ),
    DemoCase(
        "Reuben",
        "Ashdown",
        dt.date(2021, 8, 2),
        "DEMO-40562",
        ("csc", "early-help", "health-visiting", "gp"),
        "good",
        "The first response was prompt and the baby was safe throughout.",
        "The second medical opinion took more than three weeks to arrive and decisions waited "
        "for it; nobody recorded an escalation of the delay.",
    ),
    DemoCase(
        "Maisie",
        "Trent",
        dt.date(2021, 9, 20),
        "DEMO-41008",
        ("csc", "health-visiting", "police", "gp"),
        "requires_improvement",
        "The mark was first noticed at a GP appointment but not referred until two days later, "
        "and no reason was recorded for holding the strategy discussion without health.",
    ),
    DemoCase(
        "Otis",
        "Fairweather",
        dt.date(2021, 5, 30),
        "DEMO-41339",
        ("csc", "health-visiting", "police", "mental-health", "gp"),
        "good",
        "Decisions at the point of referral were timely and well reasoned.",
        "Once the child protection plan started, the plan described mostly what children's "
        "social care would do; the other agencies' parts were vague.",
    ),
    DemoCase(
        "Hazel",
        "Pennant",
        dt.date(2021, 10, 11),
        "DEMO-41870",
        ("csc", "health-visiting", "police"),
        "good",
        "Quick, careful work: the mark was referred the same morning, a paediatrician saw the "
        "baby that afternoon, and the decision not to hold a strategy discussion was recorded "
        "with its reason.",
    ),
]


def _ev(
    agency: str, at: str, kind: str, incident: str = "", summary: str = "", **details: Any
) -> tuple[str, EventInput]:
    on = dt.date.fromisoformat(at[:10])
    time = dt.time.fromisoformat(at[11:]) if len(at) > 10 else None
    return agency, EventInput(kind, on, time, incident, summary, dict(details))


def _by_agency(events: list[tuple[str, EventInput]]) -> dict[str, list[EventInput]]:
    out: dict[str, list[EventInput]] = {}
    for agency, event in events:
        out.setdefault(agency, []).append(event)
    return out


STRATEGY: dict[str, Any] = {
    "attendees": ["csc", "police", "health-visiting"],
    "siblings_considered": True,
}

# One chronology per case, in CASES order. Invented; the dates fit each case's story.
CHRONOLOGIES: list[list[tuple[str, EventInput]]] = [
    [
        _ev(
            "health-visiting",
            "2021-11-08T09:40",
            "injury_observed",
            "1",
            "Small bruise behind the right ear seen at a home visit.",
        ),
        _ev(
            "health-visiting",
            "2021-11-08T10:15",
            "referral",
            "1",
            "Phoned the front door, then confirmed in writing.",
        ),
        _ev(
            "csc",
            "2021-11-08T15:00",
            "referral_decision",
            summary="Strategy discussion to be held today.",
        ),
        _ev("csc", "2021-11-08T17:00", "strategy_discussion", **STRATEGY),
        _ev("csc", "2021-11-08", "section47_started"),
        _ev(
            "csc",
            "2021-11-08T19:30",
            "cp_medical",
            "1",
            "Paediatrician examined the baby on the ward.",
        ),
        _ev("csc", "2021-11-25", "icpc", outcome="no_plan"),
        _ev("csc", "2021-12-17", "assessment_completed"),
        _ev("early-help", "2022-01-05", "plan_started", plan="early_help"),
    ],
    [
        _ev(
            "health-visiting",
            "2021-09-13T11:05",
            "injury_observed",
            "1",
            "Two small marks on the upper arm at a clinic visit.",
        ),
        _ev("health-visiting", "2021-09-13T12:00", "referral", "1"),
        _ev("csc", "2021-09-14T09:30", "referral_decision"),
        _ev(
            "csc",
            "2021-09-14T14:00",
            "strategy_discussion",
            attendees=["csc", "health-visiting", "gp"],
            siblings_considered=True,
        ),
        _ev("csc", "2021-09-14", "section47_started"),
        _ev("csc", "2021-09-13T16:30", "cp_medical", "1"),
        _ev(
            "csc",
            "2021-09-15",
            "second_opinion_requested",
            summary="Second paediatric opinion asked for on the age of the marks.",
        ),
        _ev("csc", "2021-10-08", "second_opinion_received"),
        _ev("csc", "2021-10-04", "icpc", outcome="plan"),
        _ev("csc", "2021-10-04", "plan_started", plan="cp"),
        _ev("csc", "2021-10-12", "core_group"),
        _ev("csc", "2021-11-12", "assessment_completed"),
        _ev("csc", "2022-01-04", "review_conference"),
    ],
    [
        _ev(
            "gp",
            "2021-12-06T11:20",
            "injury_observed",
            "1",
            "Bruise on the cheek noticed at a vaccination appointment.",
        ),
        _ev("gp", "2021-12-08T10:00", "referral", "1"),
        _ev("csc", "2021-12-08T16:00", "referral_decision"),
        _ev(
            "csc",
            "2021-12-09",
            "strategy_discussion",
            attendees=["csc", "police"],
            siblings_considered=False,
        ),
        _ev("csc", "2021-12-09", "section47_started"),
        _ev("csc", "2021-12-09", "cp_medical", "1"),
        _ev("csc", "2022-01-06", "icpc", outcome="plan"),
        _ev("csc", "2022-01-06", "plan_started", plan="cp"),
        _ev("csc", "2022-01-13", "core_group"),
        _ev("csc", "2022-02-25", "assessment_completed"),
        _ev("csc", "2022-04-05", "review_conference"),
    ],
    [
        _ev(
            "police",
            "2021-07-19T20:10",
            "injury_observed",
            "1",
            "Officers at a domestic incident saw a graze on the baby's forehead.",
        ),
        _ev("police", "2021-07-19T21:00", "referral", "1"),
        _ev("csc", "2021-07-20T09:15", "referral_decision"),
        _ev("csc", "2021-07-20T11:00", "strategy_discussion", **STRATEGY),
        _ev("csc", "2021-07-20", "section47_started"),
        _ev("csc", "2021-07-19T23:00", "cp_medical", "1"),
        _ev("csc", "2021-08-09", "icpc", outcome="plan"),
        _ev("csc", "2021-08-09", "plan_started", plan="cp"),
        _ev("csc", "2021-08-17", "core_group"),
        _ev("csc", "2021-09-20", "assessment_completed"),
        _ev("csc", "2021-11-08", "review_conference"),
    ],
    [
        _ev(
            "health-visiting",
            "2022-01-10T09:30",
            "injury_observed",
            "1",
            "Blue-grey mark on the lower back at the new birth review.",
        ),
        _ev("health-visiting", "2022-01-10T11:00", "referral", "1"),
        _ev("csc", "2022-01-10T14:00", "cp_medical", "1", "The paediatrician found a birthmark."),
        _ev("csc", "2022-01-10T16:00", "referral_decision"),
        _ev(
            "csc",
            "2022-01-10T16:30",
            "strategy_discussion_not_held",
            reason=(
                "The paediatrician found a birthmark, not an injury; the duty manager and the "
                "paediatrician agreed that no strategy discussion was needed."
            ),
        ),
        _ev("csc", "2022-01-28", "assessment_completed"),
    ],
]

# What an auditor of each agency says, in turn, about each of the case's questions.
ANSWER_TEXT = {
    "yes": "Our records show this was done, on time, and written up clearly.",
    "partly": "Some of this was done; the record shows a gap that is described in the evidence.",
    "no": "This did not happen for this child.",
}
EVIDENCE = {
    "csc": "Contact record, strategy discussion minutes and the assessment on the case system.",
    "early-help": "Family support notes and the early help assessment.",
    "health-visiting": "Health visiting contact notes and the body map recorded at the visit.",
    "police": "Police protection referral log and the joint investigation notes.",
    "mental-health": "Adult mental health service notes for the baby's parent.",
    "gp": "GP consultation notes and the practice's safeguarding register entry.",
}


def _ensure_clean_or_demo() -> Partnership | None:
    """The existing demo partnership, None for an empty database; refuse anything else."""
    others = Partnership.objects.exclude(slug=DEMO_SLUG, is_demo=True)
    demo_names = {a[0] for a in ACCOUNTS}
    strangers = User.objects.exclude(username__in=demo_names)
    if others.exists() or strangers.exists():
        raise NotADemoDatabase(
            "This database holds data that `maca demo` did not create; it has not been changed. "
            "Point MACA_DATA_DIR (or DATABASE_URL) at an empty location to run the demo."
        )
    return Partnership.objects.filter(slug=DEMO_SLUG, is_demo=True).first()


def demo_load() -> bool:
    """Build the demo partnership if it is not there yet. Returns True if anything was made."""
    if _ensure_clean_or_demo() is not None:
        return False
    with transaction.atomic():
        _build()
    return True


def _build() -> None:
    partnership = Partnership.objects.create(
        name="Demo Safeguarding Partnership", slug=DEMO_SLUG, is_demo=True
    )
    agencies = {
        slug: Agency.objects.create(partnership=partnership, slug=slug, name=name, short_name=short)
        for slug, name, short in AGENCIES
    }
    users: dict[str, User] = {}
    for username, first, last, role, agency in ACCOUNTS:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.invalid",
        )
        Membership.objects.create(
            user=user,
            partnership=partnership,
            role=role,
            agency=agencies[agency] if agency else None,
        )
        users[username] = user
    audit_services.tools_load_builtin(partnership=partnership)
    admin = actor_for(users["admin"])
    sampling_services.pool_import(
        actor=admin,
        partnership=partnership,
        source=io.BytesIO(demo_pool_csv()),
        filename="demo-annex-a-pool.csv",
        format="csv",
        today=dt.date(2026, 11, 26),
    )
    nmb_tool = AuditTool.objects.get(partnership=partnership, slug="injuries-in-non-mobile-babies")
    _build_nmb_audit(partnership, admin, users, agencies, nmb_tool)
    _build_neglect_audit(partnership, admin, users, agencies)
    from maca.actions.demo import follow_up_build

    follow_up_build(partnership, users, agencies)


def _build_nmb_audit(
    partnership: Partnership,
    admin: Actor,
    users: dict[str, User],
    agencies: dict[str, Agency],
    tool: AuditTool,
) -> Audit:
    details = audit_services.AuditDetails(
        reference=NMB_REFERENCE,
        title="Injuries in non-mobile babies",
        tool=tool,
        aim=(
            "To learn how well agencies in the partnership work together when a baby who "
            "cannot yet move about on their own is found with an injury that may not be "
            "accidental."
        ),
        background=(
            "Part of the partnership's audit programme for 2021 to 2022. The audit ran from "
            "January to March 2022 to check that learning from recent local reviews about "
            "bruising in babies had taken hold. The panel met on 11 April 2022."
        ),
        prompted_by="Two local child safeguarding practice reviews about bruised babies (2020 and 2021).",
        period_start=dt.date(2021, 4, 1),
        period_end=dt.date(2022, 1, 31),
        return_deadline=dt.date(2022, 3, 18),
        panel_date=dt.date(2022, 4, 11),
        chair_id=users["chair"].pk,
        agency_ids=tuple(a.pk for a in agencies.values()),
    )
    audit = audit_services.audit_create(actor=admin, partnership=partnership, details=details)
    audit_services.audit_transition(actor=admin, audit=audit, to_status="sampling")
    # Babies referred under 6 months old during the period; five drawn at random.
    sampling_services.criteria_set(
        actor=admin,
        audit=audit,
        event_kind="referral",
        category="",
        min_age_months=None,
        max_age_months=5,
        lookback_months=None,
    )
    sampling_services.sample_draw(actor=admin, audit=audit, size=5, seed=NMB_SEED)
    cases = sampling_services.sample_fix(actor=admin, audit=audit, agency_ids=(agencies["csc"].pk,))
    for case, c in zip(cases, CASES, strict=True):
        audit_services.case_update(
            actor=admin,
            case=case,
            agency_ids=tuple(agencies[s].pk for s in c.agencies),
            identity=audit_services.CaseIdentity(c.given_name, c.family_name, c.born, c.council_id),
        )
    for case, events in zip(cases, CHRONOLOGIES, strict=True):
        for agency_slug, batch in _by_agency(events).items():
            chronology_services.events_add(
                actor=admin, case=case, agency=agencies[agency_slug], events=batch
            )
    audit_services.audit_transition(actor=admin, audit=audit, to_status="auditing")
    during_audit = timezone.make_aware(dt.datetime(2022, 3, 1, 10, 0))
    questions = list(tool.questions.all())
    for index, (case, spec) in enumerate(zip(cases, CASES, strict=True)):
        for ret in AgencyReturn.objects.filter(case=case).select_related("agency", "case__audit"):
            auditor = actor_for(users[ret.agency.slug])
            data = _return_input(ret.agency.slug, spec, questions, index)
            return_services.return_submit(
                actor=auditor, ret=ret, data=data, expected_version=ret.version, now=during_audit
            )
    audit_services.audit_transition(actor=admin, audit=audit, to_status="moderation")
    chair = actor_for(users["chair"])
    audit.refresh_from_db()
    for case, spec in zip(cases, CASES, strict=True):
        case.refresh_from_db()
        case_moderate(
            actor=chair,
            case=case,
            grade=spec.grade,
            reasons=spec.reasons,
            has_specific_issues=bool(spec.specific_issues),
            specific_issues=spec.specific_issues,
        )
    audit = audit_services.audit_transition(actor=chair, audit=audit, to_status="reporting")
    _record_findings(audit, chair, cases)
    _publish_briefing(audit, admin, chair)
    return audit


# (kind, wording, indexes of the cases that evidence it). Invented afresh for the demo.
FINDINGS: list[tuple[str, str, tuple[int, ...]]] = [
    (
        "summary",
        "Across the five cases, agencies spotted the injuries, shared what they knew and made "
        "the early safeguarding decisions quickly and for good reasons, so the babies were "
        "kept safe.",
        (0, 1, 2, 3, 4),
    ),
    (
        "summary",
        "Joint work with the family after those first decisions was weaker: plans tended to "
        "rest on one agency rather than on everyone involved.",
        (1, 3),
    ),
    (
        "good_practice",
        "Police, children's social care and health worked closely together, and this kept "
        "the children safe.",
        (0, 2, 3, 4),
    ),
    (
        "good_practice",
        "Partners in the front door triaged information well; sharing was timely and raised "
        "no serious concerns.",
        (0, 1, 3, 4),
    ),
    (
        "good_practice",
        "Strategy discussions happened quickly, with the right people, and led to clear "
        "safety plans.",
        (0, 1, 3),
    ),
    (
        "good_practice",
        "Practitioners kept working relationships with parents under strain while still "
        "following up the concerns about possible injuries.",
        (1, 4),
    ),
    (
        "good_practice",
        "The child protection medical pathway mostly worked: babies were seen when they "
        "should be and reports helped the partners decide what to do.",
        (0, 3, 4),
    ),
    (
        "area_for_development",
        "Some risks could have been handled in a way that lessened the impact on the family "
        "while keeping the baby's safety first.",
        (2,),
    ),
    (
        "area_for_development",
        "A wait for a second medical opinion held up decisions for one baby, and no agency "
        "recorded challenging or escalating the delay.",
        (1,),
    ),
    (
        "area_for_development",
        "Longer-term plans mostly described what children's social care would do; the parts "
        "played by other agencies were thin.",
        (3,),
    ),
    (
        "area_for_development",
        "Medical opinions can only go as far as the evidence allows and are often not "
        "conclusive; other professionals need help to understand what a medical finding "
        "does and does not tell them.",
        (1, 2),
    ),
]
STEPS = [
    "Play your part in assessments and in shaping the child's plan.",
    "When a plan ends, make sure you know what happens next for the child and family.",
    "Read the partnership's guidance on injuries in babies and children under two.",
]
LEARNING_EVENTS = [
    (
        "Learning from the national review into the murders of Arthur Labinjo-Hughes and Star Hobson",
        dt.date(2022, 6, 9),
        "all practitioners",
    ),
    (
        "The lived experience of babies and children who do not yet speak",
        dt.date(2022, 6, 23),
        "all practitioners",
    ),
    (
        "Keeping the child's voice at the centre of assessments and plans",
        dt.date(2022, 7, 7),
        "social workers and health visitors",
    ),
]


def _record_findings(audit: Audit, chair: Actor, cases: list[Case]) -> None:
    for kind, text, evidence in FINDINGS:
        finding_services.finding_save(
            actor=chair,
            audit=audit,
            data=finding_services.FindingInput(
                kind=kind, text=text, case_ids=tuple(cases[i].pk for i in evidence)
            ),
        )
    for text in STEPS:
        finding_services.step_save(
            actor=chair,
            audit=audit,
            data=finding_services.StepInput(text=text, link_url="https://example.org/guidance")
            if "guidance" in text
            else finding_services.StepInput(text=text),
        )
    for title, date, audience in LEARNING_EVENTS:
        finding_services.event_save(
            actor=chair,
            audit=audit,
            data=finding_services.EventInput(
                title=title,
                date=date,
                audience=audience,
                booking_url="https://example.org/learning",
            ),
        )


def _publish_briefing(audit: Audit, admin: Actor, chair: Actor) -> None:
    """The chair drafts from the composed text; the business unit publishes it on 2 May 2022."""
    briefing = briefing_services.briefing_start(actor=chair, audit=audit)
    draft = briefing_services.latest_version(briefing)
    briefing_services.briefing_publish(
        actor=admin,
        briefing=briefing,
        expected_number=draft.number,
        now=timezone.make_aware(dt.datetime(2022, 5, 2, 10, 0)),
    )


def _return_input(
    agency: str, spec: DemoCase, questions: list, index: int
) -> return_services.ReturnInput:
    weaker = spec.grade != "good" or bool(spec.specific_issues)
    answers = {}
    for q_index, q in enumerate(questions):
        if q.answer_type == "choice":
            choice = "partly" if weaker and q_index % 3 == index % 3 else "yes"
            answers[q.code] = return_services.AnswerInput(
                answer=choice,
                evidence=EVIDENCE[agency],
                why_not=(
                    "The record does not say why; the auditor could find no decision note."
                    if choice != "yes" and q.why_not_required
                    else ""
                ),
            )
        else:
            answers[q.code] = return_services.AnswerInput(
                text=ANSWER_TEXT["partly" if weaker else "yes"], evidence=EVIDENCE[agency]
            )
    return return_services.ReturnInput(
        answers=answers,
        strengths="Staff knew the baby and the family, and wrote down what they saw and heard.",
        areas_for_development=(
            "Follow up delays with other agencies in writing, and escalate when a decision is "
            "waiting on someone else."
            if weaker
            else "Keep recording the carer's explanation in their own words."
        ),
        grade="requires_improvement" if spec.grade == "requires_improvement" else "good",
        grade_reason=spec.reasons,
    )


NEGLECT_TOOL = """\
slug: neglect
name: Neglect
description: A short tool for audits of children living with neglect.
theme: Neglect
grading_scale: ofsted
sections:
  - title: Aim of the audit
    aim: true
    questions:
      - code: q1
        text: Was neglect recognised early, using the partnership's neglect screening tool?
        why_not: true
        guidance: Look for a completed screening tool and when it was done.
      - code: q2
        text: Did the plan make a measurable difference to the child's daily care?
      - code: q3
        text: Were the child's wishes and feelings sought and recorded?
  - title: Multi-agency working
    questions:
      - code: q4
        text: How well did agencies share information and challenge each other?
        answer: text
"""


def _build_neglect_audit(
    partnership: Partnership, admin: Actor, users: dict[str, User], agencies: dict[str, Agency]
) -> Audit:
    tool = audit_services.tool_load(
        actor=admin, partnership=partnership, text=NEGLECT_TOOL, source="demo neglect tool"
    )
    details = audit_services.AuditDetails(
        reference=NEGLECT_REFERENCE,
        title="Neglect",
        tool=tool,
        aim="To learn whether neglect is recognised early and whether plans change children's daily lives.",
        background="Neglect was the most common category of child protection plan in the partnership in 2022.",
        prompted_by="The partnership's annual data report for 2022.",
        period_start=dt.date(2022, 4, 1),
        period_end=dt.date(2023, 3, 31),
        return_deadline=dt.date(2023, 9, 29),
        panel_date=dt.date(2023, 10, 16),
        chair_id=users["chair"].pk,
        agency_ids=tuple(a.pk for a in agencies.values()),
    )
    audit = audit_services.audit_create(actor=admin, partnership=partnership, details=details)
    audit_services.audit_transition(actor=admin, audit=audit, to_status="sampling")
    sampling_services.criteria_set(
        actor=admin,
        audit=audit,
        event_kind="cp_plan_start",
        category="a) Neglect",
        min_age_months=None,
        max_age_months=None,
        lookback_months=None,
    )
    return audit
