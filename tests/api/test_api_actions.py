"""Action plans and learning through the API: what a program reading or updating actions
notices (filters, pages, versions, who may change what, nothing half-saved)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from maca.actions.models import Action, ActionUpdate
from maca.activity.models import ActivityEntry
from maca.findings.models import LearningEvent
from tests.actions.support import add_action, progress
from tests.api.support import api_client, token_for

pytestmark = pytest.mark.django_db
PLAN = "/api/v1/audits/pub/actions"


def _send(client: Any, method: str, path: str, body: Any) -> Any:
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def plan(world):
    """A published audit with an overdue CSC action and a police action not yet due."""
    audit = world.audit("pub", status="published")
    late = add_action(world, audit, owner="csc", due=dt.date.today() - dt.timedelta(days=3))
    soon = add_action(world, audit, owner="police", description="Train the front desk.")
    return audit, late, soon


def test_anonymous_and_bad_tokens_get_401(plan):
    for client in (api_client(None), api_client("maca_nonsense")):
        for method, path in [
            ("GET", "/api/v1/actions"),
            ("GET", PLAN),
            ("GET", f"{PLAN}/1"),
            ("PATCH", f"{PLAN}/1"),
            ("POST", f"{PLAN}/1/updates"),
            ("POST", PLAN),
            ("GET", "/api/v1/audits/pub/learning"),
        ]:
            response = _send(client, method, path, {"version": 1})
            assert response.status_code == 401, (method, path)
            assert response.json()["code"] == "not_authenticated"
    assert not ActionUpdate.objects.exists()


def test_the_plan_is_paged_and_filtered(plan, world):
    client = api_client(token_for(world.users["viewer"]))  # the board reads every plan
    body = client.get(PLAN).json()
    assert body["count"] == 2
    assert [(a["number"], a["owner_agency"], a["overdue"]) for a in body["items"]] == [
        (1, "csc", True),
        (2, "police", False),
    ]
    assert body["items"][0]["editable"] is False and body["items"][0]["statuses"] == []
    assert [a["number"] for a in client.get(f"{PLAN}?overdue=true").json()["items"]] == [1]
    assert [a["number"] for a in client.get(f"{PLAN}?overdue=false").json()["items"]] == [2]
    police = client.get(f"{PLAN}?owner_agency=police").json()["items"]
    assert [a["description"] for a in police] == ["Train the front desk."]
    assert client.get(f"{PLAN}?status=done").json()["count"] == 0
    page = client.get(f"{PLAN}?limit=1&offset=1").json()
    assert page["count"] == 2 and [a["number"] for a in page["items"]] == [2]
    bad = client.get(f"{PLAN}?status=finished&overdue=maybe")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"query.status", "query.overdue"}


def test_the_overview_pulls_overdue_actions_across_audits(plan, world):
    _audit, late, _soon = plan
    board = api_client(token_for(world.users["viewer"]))
    overdue = board.get("/api/v1/actions?overdue=true").json()
    assert [(a["audit"], a["number"]) for a in overdue["items"]] == [("pub", late.number)]
    # An agency's auditor sees its own agency's actions only, as on the overview page.
    csc = api_client(token_for(world.users["csc"])).get("/api/v1/actions").json()
    assert {a["owner_agency"] for a in csc["items"]} == {"csc"}
    gp = api_client(token_for(world.users["gp"])).get("/api/v1/actions").json()
    assert gp["count"] == 0


def test_progress_is_recorded_with_its_rules(plan, world):
    _audit, late, _soon = plan
    csc = api_client(token_for(world.users["csc"]))
    action = csc.get(f"{PLAN}/1").json()
    assert action["statuses"] == ["not_started", "on_track", "at_risk", "blocked", "done"]
    assert action["updates"] == []
    # Blocked needs the reason: refused, naming the field, and nothing saved.
    refused = _send(
        csc, "POST", f"{PLAN}/1/updates", {"version": action["version"], "status": "blocked"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "blocked_reason", "message": "Enter the reason it is blocked"}
    ]
    assert not ActionUpdate.objects.exists()
    done = _send(
        csc,
        "POST",
        f"{PLAN}/1/updates",
        {
            "version": action["version"],
            "status": "on_track",
            "note": "Draft procedure written.",
        },
    )
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["status"] == "on_track" and body["version"] == action["version"] + 1
    assert [(u["status"], u["note"]) for u in body["updates"]] == [
        ("on_track", "Draft procedure written.")
    ]
    assert ActivityEntry.objects.filter(action="action.progress").count() == 1
    # The version read before that update is stale now: 409, nothing saved.
    stale = _send(
        csc,
        "POST",
        f"{PLAN}/1/updates",
        {"version": action["version"], "status": "at_risk", "note": "Slipping."},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert Action.objects.get(pk=late.pk).status == "on_track"
    assert ActionUpdate.objects.count() == 1
    # Only the board (or the business unit) closes an action.
    close = _send(
        csc, "POST", f"{PLAN}/1/updates", {"version": body["version"], "status": "closed"}
    )
    assert close.status_code == 422 and close.json()["errors"][0]["field"] == "status"


def test_another_agency_cannot_update_or_change_an_action(plan, world):
    police = api_client(token_for(world.users["police"]))
    assert police.get(f"{PLAN}/1").status_code == 200  # the plan is shared once published
    assert police.get(f"{PLAN}/1").json()["statuses"] == []
    missing = police.get("/api/v1/audits/pub/actions/99")
    update = _send(police, "POST", f"{PLAN}/1/updates", {"version": 1, "status": "on_track"})
    assert update.status_code == 404 and update.content == missing.content
    # Changing the wording is for the panel, not the owning agency either.
    csc = api_client(token_for(world.users["csc"]))
    assert _send(csc, "PATCH", f"{PLAN}/1", {"version": 1, "lead": "Me"}).status_code == 404
    assert Action.objects.get(number=1).lead == "Head of Safeguarding"
    assert not ActionUpdate.objects.exists()


def test_the_panel_changes_an_action_until_the_board_closes_it(plan, world):
    _audit, _late, soon = plan
    chair = api_client(token_for(world.users["chair"]))
    changed = _send(
        chair, "PATCH", f"{PLAN}/2", {"version": 1, "due_date": "2027-05-31", "lead": "Inspector"}
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["due_date"], body["lead"], body["version"]) == ("2027-05-31", "Inspector", 2)
    assert body["description"] == "Train the front desk."  # what was not sent is kept
    entry = ActivityEntry.objects.get(action="action.edit")
    assert entry.data == {"fields": ["lead", "due_date"]}
    stale = _send(chair, "PATCH", f"{PLAN}/2", {"version": 1, "lead": "Someone"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    bad = _send(chair, "PATCH", f"{PLAN}/2", {"version": 2, "owner_agency": "nobody"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "owner_agency"
    blank = _send(chair, "PATCH", f"{PLAN}/2", {"version": 2, "description": "  "})
    assert blank.json()["errors"][0]["field"] == "description"
    assert Action.objects.get(pk=soon.pk).version == 2
    # Done, then closed by the board: the board's token closes it, and then it is locked.
    progress(world, soon, "done", evidence="Training register.")
    board = api_client(token_for(world.users["viewer"]))
    action = board.get(f"{PLAN}/2").json()
    assert action["statuses"] == ["closed"]
    closed = _send(
        board, "POST", f"{PLAN}/2/updates", {"version": action["version"], "status": "closed"}
    )
    assert closed.status_code == 201 and closed.json()["closed_at"] is not None
    version = closed.json()["version"]
    locked = _send(chair, "PATCH", f"{PLAN}/2", {"version": version, "lead": "Late change"})
    assert locked.status_code == 409
    assert "closed by the board" in locked.json()["detail"]
    # A closed action takes no more updates, as on its page (which offers no statuses).
    assert chair.get(f"{PLAN}/2").json()["statuses"] == []
    reopen = _send(chair, "POST", f"{PLAN}/2/updates", {"version": version, "status": "on_track"})
    assert reopen.status_code == 409
    assert "takes no more progress updates" in reopen.json()["detail"]
    assert Action.objects.get(pk=soon.pk).status == "closed"


def test_the_panel_adds_actions_others_cannot(plan, world):
    audit, _late, _soon = plan
    finding = audit.findings.create(
        kind="area_for_development", text="Bruising in babies.", updated_by=world.users["chair"]
    )
    body = {
        "description": "Audit the use of the bruising protocol.",
        "kind": "assurance",
        "owner_agency": "health-visiting",
        "lead": "Named nurse",
        "due_date": "2027-06-30",
        "finding": finding.pk,
    }
    for who in ("csc", "viewer", "other-chair"):
        client = api_client(token_for(world.users[who]))
        assert _send(client, "POST", PLAN, body).status_code == 404, who
    chair = api_client(token_for(world.users["chair"]))
    created = _send(chair, "POST", PLAN, body)
    assert created.status_code == 201, created.content
    assert created.json()["number"] == 3 and created.json()["status"] == "not_started"
    assert created.json()["finding"] == finding.pk
    wrong = _send(chair, "POST", PLAN, {**body, "finding": finding.pk + 1000})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "finding"
    kind = _send(chair, "POST", PLAN, {**body, "kind": "wish"})
    assert kind.status_code == 422 and kind.json()["code"] == "invalid"
    assert Action.objects.filter(audit=audit).count() == 3


def test_learning_events_and_briefing_use(plan, world):
    audit, _late, _soon = plan
    LearningEvent.objects.create(
        audit=audit, title="Bruising workshop", date=dt.date(2023, 3, 1), places=40, attended=32
    )
    csc = api_client(token_for(world.users["csc"]))
    body = csc.get("/api/v1/audits/pub/learning").json()
    assert [(e["title"], e["places"], e["attended"]) for e in body["learning_events"]] == [
        ("Bruising workshop", 40, 32)
    ]
    assert body["briefing_uses"] == []
    world.audit("run", status="auditing")
    assert csc.get("/api/v1/audits/run/learning").status_code == 404  # not published yet
