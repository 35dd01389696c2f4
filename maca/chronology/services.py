"""Recording chronology events and evaluating a case's chronology against its protocol.

Every event is validated by the same engine `maca evaluate` uses, so the app and the command
never disagree about what a valid event is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from maca.activity.services import activity_record
from maca.audits.models import Case
from maca.chronology.engine import (
    ChronologyError,
    Evaluation,
    InputError,
    evaluate,
    evaluate_many,
    load_protocol,
    parse_chronology,
)
from maca.chronology.models import (
    CONTRACT_COLUMNS,
    ChronologyEvent,
    Incident,
    contract_event,
)
from maca.core import permissions as perms
from maca.core.errors import NotAllowed, ServiceError
from maca.core.permissions import Actor
from maca.partnerships.models import Agency

DETAIL_FIELDS = ("attendees", "siblings_considered", "reason", "outcome", "plan", "next_steps")
CSV_COLUMNS = ("at", "type", "incident", "summary", *DETAIL_FIELDS)
MAX_UPLOAD_BYTES = 2_000_000


class ChronologyInvalid(ServiceError):
    """Events refused; `errors` lists (field, message) pairs. Nothing was saved."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in errors))
        self.errors = errors


@dataclass
class EventInput:
    event_type: str
    on_date: dt.date
    at_time: dt.time | None = None
    incident_code: str = ""
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        at = self.on_date.isoformat()
        if self.at_time is not None:
            at += "T" + self.at_time.strftime("%H:%M")
        out: dict[str, Any] = {"at": at, "type": self.event_type}
        if self.incident_code:
            out["incident"] = self.incident_code
        if self.summary:
            out["summary"] = self.summary
        out.update({k: v for k, v in self.details.items() if v not in ("", None, [])})
        return out


_MESSAGE = re.compile(r"^events\[(\d+)\]\.?([\w]*):?\s*(.*)$")


def _engine_errors(events: list[dict[str, Any]], label: str) -> list[tuple[str, str]]:
    """Validate events with the engine; messages re-labelled for the person (row or field)."""
    try:
        parse_chronology({"child": {"ref": "check"}, "events": events})
    except ChronologyError as exc:
        out = []
        for message in exc.messages:
            m = _MESSAGE.match(message)
            if m is None:
                out.append(("", message))
                continue
            index, field_name, text = int(m.group(1)), m.group(2) or "type", m.group(3)
            where = f"{label} {index + 1}, " if label else ""
            out.append((field_name, f"{where}{field_name}: {text}"))
        return out
    return []


def can_record(actor: Actor, case: Case, agency: Agency) -> bool:
    """The business unit for any agency; an auditor for their own agency on cases it knew."""
    if actor.partnership_id != case.audit.partnership_id or case.audit.status == "closed":
        return False
    if actor.is_admin:
        return agency.partnership_id == actor.partnership_id
    return (
        agency.pk in actor.agency_ids
        and perms.can_view_case(actor, case)
        and case.agencies.filter(pk=agency.pk).exists()
    )


def recording_agencies(actor: Actor, case: Case) -> list[Agency]:
    """The agencies this person may record events for on this case."""
    if actor.is_admin:
        return list(Agency.objects.filter(partnership_id=case.audit.partnership_id))
    return [a for a in case.agencies.all() if can_record(actor, case, a)]


def _incident(case: Case, code: str) -> Incident | None:
    if not code:
        return None
    incident, _ = Incident.objects.get_or_create(case=case, code=code)
    return incident


@transaction.atomic
def incident_add(*, actor: Actor, case: Case, description: str) -> Incident:
    """Name a new incident for the case; its code is the next number."""
    if not (actor.is_admin or any(can_record(actor, case, a) for a in case.agencies.all())):
        raise NotAllowed("You cannot add incidents to this case.")
    if not description.strip():
        raise ServiceError(
            "Describe the incident, for example “bruise to left cheek”.", field="description"
        )
    numbers = [int(c) for c in case.incidents.values_list("code", flat=True) if c.isdigit()]
    incident = Incident.objects.create(
        case=case, code=str(max(numbers, default=0) + 1), description=description.strip()[:200]
    )
    activity_record(
        actor=actor,
        partnership_id=case.audit.partnership_id,
        action="chronology.incident_added",
        target=incident,
        audit_id=case.audit_id,
        label=f"{case.label}: incident {incident.code}",
    )
    return incident


@transaction.atomic
def events_add(
    *, actor: Actor, case: Case, agency: Agency, events: list[EventInput], label: str = ""
) -> list[ChronologyEvent]:
    """Add events for one agency, all or nothing, after the engine has accepted every one."""
    if not can_record(actor, case, agency):
        raise NotAllowed("You cannot record events for this agency on this case.")
    errors = _engine_errors([e.to_contract() for e in events], label)
    if errors:
        raise ChronologyInvalid(errors)
    created = [
        ChronologyEvent.objects.create(
            case=case,
            agency=agency,
            event_type=e.event_type,
            on_date=e.on_date,
            at_time=e.at_time,
            incident=_incident(case, e.incident_code),
            summary=e.summary,
            details={k: v for k, v in e.details.items() if v not in ("", None, [])},
            recorded_by_id=actor.user_id,
        )
        for e in events
    ]
    activity_record(
        actor=actor,
        partnership_id=case.audit.partnership_id,
        action="chronology.events_added",
        target=case,
        audit_id=case.audit_id,
        label=case.label,
        data={"agency": agency.slug, "count": len(created)},
    )
    return created


@transaction.atomic
def event_delete(*, actor: Actor, event: ChronologyEvent) -> None:
    case = event.case
    if not can_record(actor, case, event.agency):
        raise NotAllowed("You cannot remove this event.")
    data = {"agency": event.agency.slug, "type": event.event_type, "on": event.on_date.isoformat()}
    event.delete()
    activity_record(
        actor=actor,
        partnership_id=case.audit.partnership_id,
        action="chronology.event_removed",
        target=case,
        audit_id=case.audit_id,
        label=case.label,
        data=data,
    )


def parse_upload(raw: bytes, filename: str) -> list[EventInput]:
    """Read a CSV or JSON upload (contracts.md section 3) into events, or list every problem."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ChronologyInvalid([("file", "The file must be smaller than 2 MB.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if filename.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        return _parse_json(text)
    return _parse_csv(text)


def _from_contract(item: dict[str, Any]) -> EventInput:
    at = str(item["at"])
    on_date = dt.date.fromisoformat(at[:10])
    at_time = dt.time.fromisoformat(at[11:16]) if len(at) > 10 else None
    return EventInput(
        event_type=str(item["type"]),
        on_date=on_date,
        at_time=at_time,
        incident_code=str(item.get("incident", "") or ""),
        summary=str(item.get("summary", "") or ""),
        details={k: item[k] for k in DETAIL_FIELDS if k in item},
    )


def _parse_json(text: str) -> list[EventInput]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChronologyInvalid(
            [("file", f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}).")]
        ) from exc
    items = data.get("events") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ChronologyInvalid(
            [("file", "The JSON must hold a list of events, or an object with “events”.")]
        )
    errors = _engine_errors(items, "Event")
    if errors:
        raise ChronologyInvalid(errors)
    return [_from_contract(item) for item in items]


def _parse_csv(text: str) -> list[EventInput]:
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("at", "type") if c not in headers]
    if missing:
        raise ChronologyInvalid(
            [
                (
                    "file",
                    f"The CSV needs the columns {', '.join(CSV_COLUMNS)}; missing: {', '.join(missing)}.",
                )
            ]
        )
    items: list[dict[str, Any]] = []
    for row in reader:
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        item: dict[str, Any] = {k: v for k, v in clean.items() if v and k in CSV_COLUMNS}
        if "attendees" in item:
            item["attendees"] = [a.strip() for a in item["attendees"].split(";") if a.strip()]
        if "siblings_considered" in item:
            value = item["siblings_considered"].lower()
            item["siblings_considered"] = {
                "yes": True,
                "true": True,
                "no": False,
                "false": False,
            }.get(value, value)
        items.append(item)
    if not items:
        raise ChronologyInvalid([("file", "The CSV has no events.")])
    # CSV rows are numbered as a spreadsheet shows them: the header is row 1.
    errors = [
        (f, re.sub(r"^Row (\d+),", lambda m: f"Row {int(m.group(1)) + 1},", msg))
        for f, msg in _engine_errors(items, "Row")
    ]
    if errors:
        raise ChronologyInvalid(errors)
    return [_from_contract(item) for item in items]


def case_events(case: Case) -> QuerySet[ChronologyEvent]:
    """The case's events in date order, with what their contract form reads."""
    return (
        ChronologyEvent.objects.filter(case=case)
        .select_related("agency", "incident")
        .order_by("on_date", "at_time", "id")
    )


def case_document(case: Case, events: Iterable[ChronologyEvent] | None = None) -> dict[str, Any]:
    """The case's chronology in the contract's file format (pseudonymous: label only).

    `events`, if given, are the case's events already loaded (in date order), so a page that
    evaluates many cases reads them all in one query.
    """
    return {
        "child": {"ref": case.label, "non_mobile": case.non_mobile},
        "events": contract_events(case) if events is None else [e.to_contract() for e in events],
    }


def contract_events(case: Case) -> list[dict[str, object]]:
    """The case's events in date order in the contract's format, read as rows, not models
    (the evidence on the return form and at moderation evaluates on every view)."""
    rows = (
        ChronologyEvent.objects.filter(case=case)
        .order_by("on_date", "at_time", "id")
        .values_list(*CONTRACT_COLUMNS)
    )
    return [contract_event(*row) for row in rows]


def case_evaluation(
    case: Case, as_of: dt.date | None = None, events: Iterable[ChronologyEvent] | None = None
) -> Evaluation:
    """Evaluate the case's merged chronology against its audit's protocol."""
    chronology = parse_chronology(case_document(case, events))
    return evaluate(chronology, load_protocol(case.audit.protocol), as_of)


def case_evaluations(
    cases: Iterable[Case],
    events_by_case: Mapping[int, Iterable[ChronologyEvent]],
    as_of: dt.date | None = None,
) -> dict[int, Evaluation]:
    """`case_evaluation` of many cases (events already loaded, in date order), by the batch
    evaluator: the same Evaluations, computed a protocol at a time with numpy."""
    by_protocol: dict[str, list[Case]] = {}
    for case in cases:
        by_protocol.setdefault(case.audit.protocol, []).append(case)
    out: dict[int, Evaluation] = {}
    for protocol_id, group in by_protocol.items():
        documents = [case_document(case, events_by_case.get(case.pk, ())) for case in group]
        outcomes = evaluate_many(documents, load_protocol(protocol_id), as_of)
        for case, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, InputError):
                raise outcome  # as case_evaluation would: stored events are checked on entry
            out[case.pk] = outcome
    return out


def evidence_by_question(
    case: Case, rules_by_question: dict[str, list[str]]
) -> dict[str, list[Any]]:
    """Rule results that bear on each audit question (the tool names the rules per question)."""
    document = case_document(case)  # one query: no separate check for "no chronology"
    if not document["events"]:
        return {}
    results = evaluate(parse_chronology(document), load_protocol(case.audit.protocol)).results
    return {
        code: [r for r in results if r.rule in rules]
        for code, rules in rules_by_question.items()
        if rules
    }
