"""Actions from local reviews through the API (no audit behind them): what a program adding,
reading, changing or updating them notices, per role, with the same rules as their pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from maca.actions.models import Action, ActionUpdate
from maca.activity.models import ActivityEntry
from maca.partnerships.models import Agency, Partnership, Role, User
from tests.actions.support import add_action, add_review_action, progress
from tests.api.support import api_client, token_for

pytestmark = pytest.mark.django_db
REVIEWS = "/api/v1/reviews/actions"
NEW = {
    "review": "Learning review: Baby M",
    "description": "Re-issue the safe sleep leaflet to every health visitor.",
    "kind": "practice_change",
    "owner_agency": "police",
    "lead": "Named nurse",
    "due_date": "2027-06-30",
}


def _send(client: Any, method: str, path: str, body: Any) -> Any:
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


def _client(world: Any, who: str) -> Any:
    return api_client(token_for(world.users[who]))


def _missing(client: Any) -> bytes:
    return client.get(f"{REVIEWS}/999").content


@pytest.fixture
def review(world):
    """A local review's action owned by CSC, and an audit's action numbered 1 too."""
    add_action(world, world.audit("pub", status="published"), owner="police")
    return add_review_action(world, owner="csc")


def test_anonymous_and_bad_tokens_get_401_and_nothing_is_saved(review, world):
    for client in (api_client(None), api_client("maca_nonsense")):
        for method, path in [
            ("GET", REVIEWS),
            ("POST", REVIEWS),
            ("GET", f"{REVIEWS}/1"),
            ("PATCH", f"{REVIEWS}/1"),
            ("POST", f"{REVIEWS}/1/updates"),
        ]:
            body = {**NEW, "version": 1, "status": "on_track", "note": "x"}
            response = _send(client, method, path, body)
            assert response.status_code == 401, (method, path)
            assert response.json()["code"] == "not_authenticated"
    assert Action.objects.filter(audit__isnull=True).count() == 1
    assert not ActionUpdate.objects.exists()


def test_each_role_reads_what_the_review_action_page_shows(review, world):
    expected = {
        "admin": ["not_started", "on_track", "at_risk", "blocked", "done"],
        "chair": [],
        "other-chair": [],
        "viewer": [],  # the board closes it, once done
        "csc": ["not_started", "on_track", "at_risk", "blocked", "done"],
    }
    for who, statuses in expected.items():
        body = _client(world, who).get(f"{REVIEWS}/1").json()
        assert (body["audit"], body["review"], body["owner_agency"]) == (
            None,
            "Rapid review: Child T",
            "csc",
        ), who
        assert body["statuses"] == statuses, who
        assert body["editable"] is (who == "admin"), who
        assert body["updates"] == [] and body["url"] == f"{REVIEWS}/1", who
    # Another agency's auditor: the same 404 as for an action that does not exist.
    for who in ("police", "gp"):
        client = _client(world, who)
        response = client.get(f"{REVIEWS}/1")
        assert response.status_code == 404 and response.content == _missing(client), who
        assert response.json()["code"] == "not_found"


def test_the_lists_point_at_the_review_actions_own_address(review, world):
    admin = _client(world, "admin")
    overview = admin.get("/api/v1/actions").json()["items"]
    urls = {(a["audit"], a["number"]): a["url"] for a in overview}
    assert urls == {
        ("pub", 1): "/api/v1/audits/pub/actions/1",
        (None, 1): f"{REVIEWS}/1",
    }
    assert admin.get(urls[(None, 1)]).json()["description"] == review.description
    # The reviews' list: only local reviews' actions, and only those the role may open.
    assert [(a["review"], a["number"]) for a in admin.get(REVIEWS).json()["items"]] == [
        ("Rapid review: Child T", 1)
    ]
    assert _client(world, "csc").get(REVIEWS).json()["count"] == 1
    assert _client(world, "police").get(REVIEWS).json()["count"] == 0
    assert admin.get(f"{REVIEWS}?owner_agency=police").json()["count"] == 0
    bad = admin.get(f"{REVIEWS}?status=finished")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.status"


def test_the_business_unit_adds_review_actions_numbered_in_the_partnership(review, world):
    for who in ("chair", "viewer", "csc", "police"):
        client = _client(world, who)
        refused = _send(client, "POST", REVIEWS, NEW)
        assert refused.status_code == 404 and refused.content == _missing(client), who
    admin = _client(world, "admin")
    created = _send(admin, "POST", REVIEWS, NEW)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["audit"], body["review"]) == (2, None, NEW["review"])
    assert (body["status"], body["version"], body["url"]) == ("not_started", 1, f"{REVIEWS}/2")
    assert admin.get(f"{REVIEWS}/2").json()["lead"] == "Named nurse"
    entry = ActivityEntry.objects.filter(action="action.add").latest("pk")
    assert entry.data["review"] is True and NEW["description"] not in json.dumps(entry.data)
    # The owning agency's auditor now sees it too.
    assert _client(world, "police").get(f"{REVIEWS}/2").status_code == 200
    # Another partnership's numbers start again at 1, and neither sees the other's.
    other = Partnership.objects.create(name="Elsewhere", slug="elsewhere")
    Agency.objects.create(partnership=other, slug="police", name="Police elsewhere")
    outsider = User.objects.create_user(username="outsider", password="x-long-password-1")
    outsider.memberships.create(partnership=other, role=Role.ADMIN)
    theirs = _send(api_client(token_for(outsider)), "POST", REVIEWS, NEW)
    assert theirs.status_code == 201 and theirs.json()["number"] == 1
    assert admin.get(f"{REVIEWS}/1").json()["description"] == review.description


def test_a_refused_new_action_names_the_field_and_saves_nothing(review, world):
    admin = _client(world, "admin")
    before = (Action.objects.count(), ActivityEntry.objects.count())
    cases = [
        ({"review": "   "}, 422, "review"),
        ({"description": ""}, 422, "description"),
        ({"owner_agency": "nobody"}, 422, "owner_agency"),
        ({"lead": " "}, 422, "lead"),
        ({"kind": "wish"}, 422, "body.payload.kind"),
        ({"due_date": "30/06/2027"}, 422, "body.payload.due_date"),
    ]
    for change, status, field in cases:
        response = _send(admin, "POST", REVIEWS, {**NEW, **change})
        assert response.status_code == status, change
        assert [e["field"] for e in response.json()["errors"]] == [field], change
    missing = {k: v for k, v in NEW.items() if k != "review"}
    response = _send(admin, "POST", REVIEWS, missing)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.payload.review"]
    assert (Action.objects.count(), ActivityEntry.objects.count()) == before


def test_the_business_unit_changes_a_review_action_others_cannot(review, world):
    for who in ("chair", "viewer", "csc", "police"):
        client = _client(world, who)
        refused = _send(client, "PATCH", f"{REVIEWS}/1", {"version": 1, "lead": "Me"})
        assert refused.status_code == 404 and refused.content == _missing(client), who
    admin = _client(world, "admin")
    changed = _send(
        admin, "PATCH", f"{REVIEWS}/1", {"version": 1, "due_date": "2027-05-31", "lead": "Manager"}
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["due_date"], body["lead"], body["version"]) == ("2027-05-31", "Manager", 2)
    assert body["description"] == review.description and body["review"] == review.review
    assert ActivityEntry.objects.get(action="action.edit").data == {"fields": ["lead", "due_date"]}
    stale = _send(admin, "PATCH", f"{REVIEWS}/1", {"version": 1, "lead": "Someone"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    # A refusal names the field, and nothing of the request is half-saved.
    bad = _send(
        admin, "PATCH", f"{REVIEWS}/1", {"version": 2, "lead": "New", "owner_agency": "nobody"}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "owner_agency", "message": "Choose the agency that owns the action"}
    ]
    blank = _send(admin, "PATCH", f"{REVIEWS}/1", {"version": 2, "description": " "})
    assert blank.json()["errors"][0]["field"] == "description"
    saved = Action.objects.get(pk=review.pk)
    assert (saved.version, saved.lead) == (2, "Manager")
    assert ActivityEntry.objects.filter(action="action.edit").count() == 1


def test_progress_on_a_review_action_per_role(review, world):
    csc = _client(world, "csc")
    # Another agency's auditor, the chair and the board (not done yet) may not update it.
    for who in ("police", "chair", "viewer"):
        client = _client(world, who)
        refused = _send(
            client, "POST", f"{REVIEWS}/1/updates", {"version": 1, "status": "on_track"}
        )
        assert refused.status_code == 404 and refused.content == _missing(client), who
    blocked = _send(csc, "POST", f"{REVIEWS}/1/updates", {"version": 1, "status": "blocked"})
    assert blocked.status_code == 422
    assert blocked.json()["errors"] == [
        {"field": "blocked_reason", "message": "Enter the reason it is blocked"}
    ]
    assert not ActionUpdate.objects.exists()
    moved = _send(
        csc, "POST", f"{REVIEWS}/1/updates", {"version": 1, "status": "on_track", "note": "Begun."}
    )
    assert moved.status_code == 201, moved.content
    assert [(u["status"], u["note"]) for u in moved.json()["updates"]] == [("on_track", "Begun.")]
    assert ActivityEntry.objects.filter(action="action.progress").count() == 1
    stale = _send(
        csc, "POST", f"{REVIEWS}/1/updates", {"version": 1, "status": "at_risk", "note": "Late."}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    closing = _send(csc, "POST", f"{REVIEWS}/1/updates", {"version": 2, "status": "closed"})
    assert closing.status_code == 422 and closing.json()["errors"][0]["field"] == "status"
    assert Action.objects.get(pk=review.pk).status == "on_track"
    assert ActionUpdate.objects.count() == 1


def test_the_board_closes_a_done_review_action_then_it_is_locked(review, world):
    progress(world, review, "done", by="csc", evidence="Minutes of the strategy meeting.")
    board = _client(world, "viewer")
    action = board.get(f"{REVIEWS}/1").json()
    assert action["statuses"] == ["closed"]
    closed = _send(
        board, "POST", f"{REVIEWS}/1/updates", {"version": action["version"], "status": "closed"}
    )
    assert closed.status_code == 201 and closed.json()["closed_at"] is not None
    version = closed.json()["version"]
    admin = _client(world, "admin")
    assert admin.get(f"{REVIEWS}/1").json()["editable"] is False
    locked = _send(admin, "PATCH", f"{REVIEWS}/1", {"version": version, "lead": "Late change"})
    assert locked.status_code == 409 and "closed by the board" in locked.json()["detail"]
    # Whoever could update it is told why (409); anyone else learns nothing (404).
    body = {"version": version, "status": "on_track", "note": "Reopen."}
    for who, status in [
        ("admin", 409),
        ("csc", 409),
        ("viewer", 409),
        ("chair", 404),
        ("police", 404),
    ]:
        response = _send(_client(world, who), "POST", f"{REVIEWS}/1/updates", body)
        assert response.status_code == status, who
        if status == 409:
            assert "takes no more progress updates" in response.json()["detail"]
    saved = Action.objects.get(pk=review.pk)
    assert (saved.status, saved.version, saved.lead) == ("closed", version, "Head of Safeguarding")
