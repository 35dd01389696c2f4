"""Request and response shapes of the API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import model_validator

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
TEXT_MAX = 20000
AuditStatus = Literal[
    "planning",
    "sampling",
    "auditing",
    "moderation",
    "reporting",
    "published",
    "follow_up",
    "closed",
]
AnswerValue = Literal["", "yes", "no", "partly", "not_applicable", "unknown"]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class In(Schema):
    """Every request body: text may not hold NUL characters (no database stores them)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("Text may not contain NUL characters.")
        return data


class FieldError(Schema):
    field: str = Field(description="The field (or `body.events[2].at`-style path) at fault.")
    message: str


class ErrorOut(Schema):
    """Every error has this shape, whatever its status."""

    code: str = Field(
        description="not_authenticated, not_found, invalid, conflict, refused, too_large"
    )
    detail: str
    errors: list[FieldError] = []


class PageMeta(Schema):
    count: int
    limit: int
    offset: int


class Me(Schema):
    username: str
    partnership: str | None
    roles: list[str]
    agencies: list[str]


class Grade(Schema):
    code: str
    label: str


class ToolOut(Schema):
    slug: str
    version: int
    name: str


class AuditOut(Schema):
    reference: str
    title: str
    status: str
    aim: str
    period_start: dt.date | None
    period_end: dt.date | None
    return_deadline: dt.date | None
    panel_date: dt.date | None
    protocol: str
    tool: ToolOut
    grading_scale: list[Grade] = Field(description="Best grade first.")
    agencies: list[str]


class AuditPage(PageMeta):
    items: list[AuditOut]


class ReturnSummary(Schema):
    agency: str
    status: str
    grade: str = Field(description="The agency's own grade (a code from the grading scale).")


class CaseOut(Schema):
    """A case is known by its label (Child A); the child's identity never leaves maca."""

    number: int
    label: str
    non_mobile: bool
    agencies: list[str]
    panel_grade: str | None = Field(description="The panel's moderated grade, when there is one.")
    panel_grade_label: str | None
    has_specific_issues: bool
    returns: list[ReturnSummary] = Field(description="Only the returns you may read.")


class CasePage(PageMeta):
    items: list[CaseOut]


class AnswerOut(Schema):
    question: str
    answer: str
    text: str
    evidence: str
    why_not: str


class ReturnOut(Schema):
    case: str
    agency: str
    status: str
    version: int = Field(description="Send this back when saving (optimistic concurrency).")
    editable: bool
    strengths: str
    areas_for_development: str
    grade: str
    grade_reason: str
    immediate_concern: bool
    immediate_concern_detail: str
    submitted_at: dt.datetime | None
    answers: list[AnswerOut]


class AnswerIn(In):
    answer: AnswerValue = ""
    text: str = Field("", max_length=TEXT_MAX)
    evidence: str = Field("", max_length=TEXT_MAX)
    why_not: str = Field("", max_length=TEXT_MAX)


class ReturnIn(In):
    """The whole draft (what is left out is saved empty), as the return page saves it."""

    version: int = Field(ge=1, le=2**31 - 1, description="The version you read.")
    answers: dict[str, AnswerIn] = Field({}, description="By question code (q1, q2 ...).")
    strengths: str = Field("", max_length=TEXT_MAX)
    areas_for_development: str = Field("", max_length=TEXT_MAX)
    grade: str = Field("", max_length=40)
    grade_reason: str = Field("", max_length=TEXT_MAX)
    immediate_concern: bool = False
    immediate_concern_detail: str = Field("", max_length=TEXT_MAX)
    submit: bool = Field(False, description="Submit as well (the return is then locked).")


class ChronologyChild(Schema):
    ref: str
    non_mobile: bool


class ChronologyOut(Schema):
    """contracts.md section 3: the file `maca evaluate` reads."""

    child: ChronologyChild
    events: list[dict[str, Any]]


class EventsIn(In):
    agency: str = Field(pattern=SLUG_PATTERN, max_length=50, description="The recording agency.")
    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=500,
        description="Events in the chronology file format (contracts.md section 3).",
    )


class EventsAdded(Schema):
    added: int
    events: list[dict[str, Any]]


class RuleResult(Schema):
    rule: str
    question: str
    incident: str | None
    status: str
    started: str
    due: str | None
    done: str | None
    explanation: str


class QuestionResult(Schema):
    question: str
    status: str
    rules: list[str]


class EvaluationOut(Schema):
    """contracts.md section 4: what `maca evaluate` prints."""

    protocol: str
    child: str
    as_of: str
    results: list[RuleResult]
    questions: list[QuestionResult]


class FindingOut(Schema):
    id: int
    kind: str
    text: str
    cases: list[str]


class StepOut(Schema):
    text: str
    link_url: str


class LearningEventOut(Schema):
    title: str
    date: dt.date | None
    audience: str
    booking_url: str


class FindingsOut(Schema):
    findings: list[FindingOut]
    practitioner_steps: list[StepOut]
    learning_events: list[LearningEventOut]


class BriefingOut(Schema):
    reference: str
    title: str
    audit: str | None
    published: bool
    published_version: int | None
    published_at: dt.datetime | None
    downloads: dict[str, str] = Field(description="Format -> API address of the published file.")


class BriefingPage(PageMeta):
    items: list[BriefingOut]


class PoolImportOut(Schema):
    filename: str
    format: str
    rows_read: int
    children: int
    created: int
    updated: int
    unchanged: int
    warnings: list[str]
    notes: list[str]


class JobOut(Schema):
    id: uuid.UUID
    status: str
    finished: bool
    done: int | None
    total: int | None
    result: dict[str, Any]
    error: str


# --- Follow-up: action plans and learning ---------------------------------------------------

EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
ActionStatusValue = Literal["not_started", "on_track", "at_risk", "blocked", "done", "closed"]
ActionKindValue = Literal["practice_change", "assurance", "training", "policy", "other"]
VERSION = Field(ge=1, le=2**31 - 1, description="The version you read.")


class ActionOut(Schema):
    """An action names an agency and a lead, never a child."""

    number: int = Field(
        description="Unique within its audit (or among the partnership's local reviews' actions)."
    )
    audit: str | None = Field(description="The audit's reference; null for a local review's.")
    review: str = Field(description="The local review's name (empty for an audit's action).")
    description: str
    kind: str
    owner_agency: str
    lead: str
    due_date: dt.date
    status: str
    overdue: bool = Field(description="Still open and past its due date (today, in maca).")
    blocked_reason: str
    evidence: str
    finding: int | None = Field(description="The id of the finding it answers, if any.")
    closed_at: dt.datetime | None
    version: int = Field(description="Send this back when changing it (optimistic concurrency).")
    updated_at: dt.datetime
    editable: bool = Field(description="You may change its wording, type, owner, lead or date.")
    statuses: list[str] = Field(description="The statuses you may give it in a progress update.")
    url: str = Field(description="Its address in this API (an audit's action or a review's).")


class ActionUpdateOut(Schema):
    status: str = Field(description="The status the update left the action in.")
    note: str
    author: str
    created_at: dt.datetime


class ActionDetailOut(ActionOut):
    updates: list[ActionUpdateOut] = Field(description="Progress updates, oldest first.")


class ActionPage(PageMeta):
    items: list[ActionOut]


class ActionIn(In):
    """A new action for the audit's plan (it starts as not_started)."""

    description: str = Field(max_length=TEXT_MAX, description="What needs to happen.")
    kind: ActionKindValue
    owner_agency: str = Field(pattern=SLUG_PATTERN, max_length=50, description="Agency slug.")
    lead: str = Field(max_length=TEXT_MAX, description="A name or job title.")
    due_date: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    finding: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The id of a finding of this audit it answers."
    )


class ReviewActionIn(In):
    """A new action from a local review, with no audit behind it (it starts as not_started)."""

    review: str = Field(
        max_length=TEXT_MAX, description="The review's published name, e.g. Rapid review: Child T."
    )
    description: str = Field(max_length=TEXT_MAX, description="What needs to happen.")
    kind: ActionKindValue
    owner_agency: str = Field(pattern=SLUG_PATTERN, max_length=50, description="Agency slug.")
    lead: str = Field(max_length=TEXT_MAX, description="A name or job title.")
    due_date: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)


class ActionChangeIn(In):
    """Only the fields sent are changed; the rest stay as they are."""

    version: int = VERSION
    description: str | None = Field(None, max_length=TEXT_MAX)
    kind: ActionKindValue | None = None
    owner_agency: str | None = Field(None, pattern=SLUG_PATTERN, max_length=50)
    lead: str | None = Field(None, max_length=TEXT_MAX)
    due_date: dt.date | None = Field(None, ge=EARLIEST_DATE, le=LATEST_DATE)


class ProgressIn(In):
    """A progress note and the status it leaves the action in. `blocked` needs
    `blocked_reason`, `done` needs `evidence`; `closed` is the board's, once it is done."""

    version: int = VERSION
    status: ActionStatusValue
    note: str = Field("", max_length=TEXT_MAX)
    blocked_reason: str = Field("", max_length=TEXT_MAX)
    evidence: str = Field("", max_length=TEXT_MAX)


class LearningEventDetail(LearningEventOut):
    id: int
    places: int | None = Field(description="Places offered, once recorded.")
    attended: int | None = Field(description="How many came, once recorded.")


class BriefingUseOut(Schema):
    agency: str
    team: str
    discussed_on: dt.date
    attendees: int | None
    will_do: str


class LearningOut(Schema):
    learning_events: list[LearningEventDetail]
    briefing_uses: list[BriefingUseOut] = Field(description="Teams that discussed the briefing.")
