"""The chronology event vocabulary (contracts.md section 3) and how each event is worded.

One table drives input validation, protocol validation and the explanations, so a new event type
is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    """One event type: the fields it may carry and the words used for it in explanations."""

    name: str
    meaning: str
    # Sentence-opening past tense, used when this event closes a clock ("Referred").
    done: str
    # Noun phrase for a missing stop ("No referral recorded").
    noun: str
    # Clause after "after" when this event starts a clock ("after the injury was seen").
    since: str
    # The start's day as a phrase ("the day the injury was seen").
    day_of: str
    extra_fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


EVENT_TYPES: dict[str, EventType] = {
    event.name: event
    for event in (
        EventType(
            "injury_observed",
            "a professional sees, or is told of, a bruise, mark or injury",
            done="Injury seen",
            noun="observed injury",
            since="the injury was seen",
            day_of="the day the injury was seen",
            extra_fields=("incident",),
        ),
        EventType(
            "referral",
            "referral to children's social care / the front door (MASH)",
            done="Referred",
            noun="referral",
            since="the referral",
            day_of="the day of the referral",
            extra_fields=("incident",),
        ),
        EventType(
            "referral_decision",
            "children's social care decides what happens next",
            done="Referral decision made",
            noun="referral decision",
            since="the referral decision",
            day_of="the day of the referral decision",
        ),
        EventType(
            "strategy_discussion",
            "strategy meeting or discussion held",
            done="Strategy discussion held",
            noun="strategy discussion",
            since="the strategy discussion",
            day_of="the day of the strategy discussion",
            extra_fields=("attendees", "siblings_considered"),
        ),
        EventType(
            "strategy_discussion_not_held",
            "a recorded decision not to hold a strategy discussion",
            done="Decision not to hold a strategy discussion recorded",
            noun="decision not to hold a strategy discussion",
            since="the decision not to hold a strategy discussion",
            day_of="the day of the decision not to hold a strategy discussion",
            extra_fields=("reason",),
            required=("reason",),
        ),
        EventType(
            "cp_medical",
            "child protection medical by a paediatrician",
            done="Child protection medical done",
            noun="child protection medical",
            since="the child protection medical",
            day_of="the day of the child protection medical",
            extra_fields=("incident",),
        ),
        EventType(
            "cp_medical_not_done",
            "a recorded decision not to do a child protection medical",
            done="Decision not to do a child protection medical recorded",
            noun="decision not to do a child protection medical",
            since="the decision not to do a child protection medical",
            day_of="the day of the decision not to do a child protection medical",
            extra_fields=("incident", "reason"),
            required=("reason",),
        ),
        EventType(
            "second_opinion_requested",
            "a second medical opinion is requested",
            done="Second opinion requested",
            noun="request for a second opinion",
            since="the second opinion was requested",
            day_of="the day the second opinion was requested",
        ),
        EventType(
            "second_opinion_received",
            "a second medical opinion is received",
            done="Second opinion received",
            noun="second opinion",
            since="the second opinion was received",
            day_of="the day the second opinion was received",
        ),
        EventType(
            "escalation",
            "a professional raised an escalation or challenge",
            done="Escalation raised",
            noun="escalation",
            since="the escalation",
            day_of="the day of the escalation",
            extra_fields=("summary",),
        ),
        EventType(
            "section47_started",
            "section 47 enquiry begins",
            done="Section 47 enquiry started",
            noun="section 47 enquiry",
            since="the section 47 enquiry started",
            day_of="the day the section 47 enquiry started",
        ),
        EventType(
            "assessment_completed",
            "the social work assessment is authorised",
            done="Assessment authorised",
            noun="authorised assessment",
            since="the assessment was authorised",
            day_of="the day the assessment was authorised",
        ),
        EventType(
            "icpc",
            "initial child protection conference",
            done="Initial child protection conference held",
            noun="initial child protection conference",
            since="the initial child protection conference",
            day_of="the day of the initial child protection conference",
            extra_fields=("outcome",),
        ),
        EventType(
            "icpc_not_required",
            "recorded decision that no conference is needed",
            done="Decision that no initial conference is needed recorded",
            noun="decision that no initial conference is needed",
            since="the decision that no initial conference is needed",
            day_of="the day of the decision that no initial conference is needed",
            extra_fields=("reason",),
            required=("reason",),
        ),
        EventType(
            "core_group",
            "first or later core group meeting",
            done="Core group met",
            noun="core group meeting",
            since="the core group meeting",
            day_of="the day of the core group meeting",
        ),
        EventType(
            "review_conference",
            "child protection review conference",
            done="Review conference held",
            noun="review conference",
            since="the review conference",
            day_of="the day of the review conference",
        ),
        EventType(
            "plan_started",
            "a plan (cp, cin or early_help) starts",
            done="Plan started",
            noun="plan start",
            since="the plan started",
            day_of="the day the plan started",
            extra_fields=("plan",),
        ),
        EventType(
            "plan_ended",
            "a plan (cp, cin or early_help) ends",
            done="Plan ended",
            noun="plan end",
            since="the plan ended",
            day_of="the day the plan ended",
            extra_fields=("plan", "next_steps"),
        ),
    )
}

# Fields whose values come from a closed list; input and protocol filters are checked against it.
ENUM_FIELDS: dict[str, tuple[str, ...]] = {
    "outcome": ("plan", "no_plan"),
    "plan": ("cp", "cin", "early_help"),
}

# Fields every event may carry.
COMMON_FIELDS: tuple[str, ...] = ("at", "type", "agency", "summary", "id")
