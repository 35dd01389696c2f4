"""Every API operation x every role x own/other agency, against maca.core.permissions.

Expectations are computed from the same predicates the pages use (not a second table), so the
API can never let a role reach what its pages would not: 401 without a valid token, 404 (one
body, the same as for something missing) when forbidden, and an access-log entry for every
successful read of case-level data and none for a refusal. A separate check makes sure every
operation in the OpenAPI document is covered here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from maca.actions import services as action_services
from maca.actions.models import Action, ActionStatus
from maca.activity.models import AccessEntry
from maca.api.api import api
from maca.audits.models import Audit, Case
from maca.briefings.models import Briefing
from maca.chronology import services as chronology_services
from maca.core import permissions as perms
from maca.core.permissions import Actor
from maca.jobs import services as job_services
from maca.partnerships.models import Agency, Partnership, Role, User
from maca.returns.models import AgencyReturn
from tests.api.support import api_client, token_for
from tests.conftest import World

PRINCIPALS = ["admin", "chair", "other-chair", "csc", "police", "gp", "viewer", "outsider"]
POOL_CSV = (
    b"child_id,date_of_birth,sex,event,event_date,category\nX1,01/01/2021,F,referral,01/03/2022,\n"
)


@dataclass
class Scene:
    world: World
    audits: list[Audit]
    job_id: str
    tokens: dict[str, str]

    def actor(self, name: str) -> Actor:
        return perms.actor_for(User.objects.get(username=name))


@pytest.fixture(scope="module")
def scene(django_db_setup: None, django_db_blocker: Any) -> Iterator[Scene]:
    """Built once for the module (publishing a briefing is slow), rolled back at its end;
    each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_scene()
        transaction.set_rollback(True)


def _build_scene() -> Scene:
    world = World()
    running = world.audit("running", status="auditing")
    published = world.audit("published", status="published")
    other = Partnership.objects.create(name="Elsewhere", slug="elsewhere")
    Agency.objects.create(partnership=other, slug="csc", name="CSC elsewhere")
    outsider = User.objects.create_user(username="outsider", password="x-long-password-1")
    outsider.memberships.create(partnership=other, role=Role.ADMIN)
    job = job_services.enqueue(
        kind="pool_import",
        partnership_id=world.partnership.pk,
        created_by_id=world.users["admin"].pk,
        params={"filename": "x.csv", "format": ""},
    )
    _actions(world, published)
    _review_actions(world)
    tokens = {name: token_for(User.objects.get(username=name)) for name in PRINCIPALS}
    return Scene(world, [running, published], str(job.pk), tokens)


def _actions(world: World, audit: Audit) -> None:
    """The published audit's plan: a CSC action, and a police one that is done (so the board
    may close it)."""
    for owner in ("csc", "police"):
        action_services.action_add(
            actor=world.actor("admin"),
            audit=audit,
            data=action_services.ActionInput(
                description="Brief every team.",
                kind="practice_change",
                owner_agency_id=world.agencies[owner].pk,
                lead="Head of Safeguarding",
                due_date=dt.date(2023, 1, 31),
            ),
        )
    done = audit.actions.get(number=2)
    action_services.action_progress(
        actor=world.actor("police"),
        action=done,
        expected_version=done.version,
        data=action_services.ProgressInput(status="done", evidence="Training register."),
    )


def _review_actions(world: World) -> None:
    """Local reviews' actions: a CSC one, a police one that is done (so the board may close
    it), and a GP one already closed (changes and updates then get 409, or 404)."""
    for owner in ("csc", "police", "gp"):
        action_services.review_action_add(
            actor=world.actor("admin"),
            partnership_id=world.partnership.pk,
            review="Rapid review: Child T",
            data=action_services.ActionInput(
                description="Invite the GP to strategy discussions.",
                kind="practice_change",
                owner_agency_id=world.agencies[owner].pk,
                lead="Head of Safeguarding",
                due_date=dt.date(2023, 1, 31),
            ),
        )
    for number, steps in ((2, [("police", "done")]), (3, [("gp", "done"), ("viewer", "closed")])):
        for who, status in steps:
            action = Action.objects.get(
                partnership=world.partnership, audit__isnull=True, number=number
            )
            action_services.action_progress(
                actor=world.actor(who),
                action=action,
                expected_version=action.version,
                data=action_services.ProgressInput(status=status, evidence="Minutes."),
            )


@dataclass
class Call:
    """One request, the status it must get, and how many access entries it must write."""

    method: str
    path: str
    status: int
    accesses: int | None = 0  # None: not checked (writes log their own way)
    body: Any = None
    files: dict[str, Any] | None = None


def _status(allowed: bool, ok: int = 200) -> int:
    return ok if allowed else 404


def _cases(audit: Audit) -> list[Case]:
    return list(audit.cases.order_by("number"))


def calls_me(scene: Scene, a: Actor) -> list[Call]:
    return [Call("GET", "/api/v1/me", 200)]


def calls_audits(scene: Scene, a: Actor) -> list[Call]:
    return [Call("GET", "/api/v1/audits", 200), Call("GET", "/api/v1/audits?status=closed", 200)]


def calls_audit(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call("GET", f"/api/v1/audits/{x.reference}", _status(perms.can_view_audit(a, x)))
        for x in scene.audits
    ]


def calls_cases(scene: Scene, a: Actor) -> list[Call]:
    out = []
    for x in scene.audits:
        visible = [c for c in _cases(x) if perms.can_view_case(a, c)]
        allowed = perms.can_view_audit(a, x)
        out.append(
            Call(
                "GET",
                f"/api/v1/audits/{x.reference}/cases",
                _status(allowed),
                len(visible) if allowed else 0,
            )
        )
    return out


def _per_case(
    scene: Scene, a: Actor, suffix: str, may: Callable[[Actor, Case], bool]
) -> list[Call]:
    out = []
    for x in scene.audits:
        for c in _cases(x):
            allowed = may(a, c)
            path = f"/api/v1/audits/{x.reference}/cases/{c.number}{suffix}"
            out.append(Call("GET", path, _status(allowed), 1 if allowed else 0))
    return out


def calls_case(scene: Scene, a: Actor) -> list[Call]:
    return _per_case(scene, a, "", perms.can_view_case)


def calls_chronology(scene: Scene, a: Actor) -> list[Call]:
    return _per_case(scene, a, "/chronology", perms.can_view_case)


def calls_evaluation(scene: Scene, a: Actor) -> list[Call]:
    return _per_case(scene, a, "/evaluation?as_of=2022-06-01", perms.can_view_case)


def _returns(scene: Scene) -> list[AgencyReturn]:
    return list(
        AgencyReturn.objects.filter(case__audit__in=scene.audits).select_related(
            "agency", "case__audit"
        )
    )


def calls_return(scene: Scene, a: Actor) -> list[Call]:
    out = []
    for r in _returns(scene):
        allowed = perms.can_read_return(a, r)
        path = (
            f"/api/v1/audits/{r.case.audit.reference}/cases/{r.case.number}/returns/{r.agency.slug}"
        )
        out.append(Call("GET", path, _status(allowed), 1 if allowed else 0))
    return out


def calls_return_put(scene: Scene, a: Actor) -> list[Call]:
    out = []
    for r in _returns(scene):
        r.refresh_from_db()
        if perms.can_edit_return(a, r):
            status = 200
        elif perms.can_read_return(a, r) and r.agency_id in a.agency_ids:
            status = 409  # their own, but submitted (or past the deadline)
        else:
            status = 404
        path = (
            f"/api/v1/audits/{r.case.audit.reference}/cases/{r.case.number}/returns/{r.agency.slug}"
        )
        body = {"version": r.version, "strengths": "Clear notes."}
        out.append(Call("PUT", path, status, None, body))
    return out


def calls_events(scene: Scene, a: Actor) -> list[Call]:
    out = []
    for x in scene.audits:
        for c in _cases(x):
            for agency in Agency.objects.filter(partnership=scene.world.partnership):
                allowed = perms.can_view_case(a, c) and chronology_services.can_record(a, c, agency)
                body = {"agency": agency.slug, "events": [{"at": "2022-01-10", "type": "referral"}]}
                path = f"/api/v1/audits/{x.reference}/cases/{c.number}/chronology/events"
                out.append(Call("POST", path, _status(allowed, 201), None, body))
    return out


def calls_findings(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call(
            "GET",
            f"/api/v1/audits/{x.reference}/findings",
            _status(perms.can_view_audit(a, x) and perms.can_read_findings(a, x)),
        )
        for x in scene.audits
    ]


def _briefings() -> list[Briefing]:
    return list(Briefing.objects.select_related("audit", "published_version"))


def calls_briefings(scene: Scene, a: Actor) -> list[Call]:
    return [Call("GET", "/api/v1/briefings", 200)]


def calls_briefing(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call("GET", f"/api/v1/briefings/{b.reference}", _status(perms.can_read_briefing(a, b)))
        for b in _briefings()
    ]


def calls_download(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call(
            "GET",
            f"/api/v1/briefings/{b.reference}/download/{fmt}",
            _status(perms.can_read_briefing(a, b) and b.published_version_id is not None),
        )
        for b in _briefings()
        for fmt in ("html", "txt")
    ]


def calls_pool(scene: Scene, a: Actor) -> list[Call]:
    allowed = perms.can_plan_audits(a) and a.partnership_id == scene.world.partnership.pk
    return [
        Call(
            "POST",
            "/api/v1/pool/imports",
            _status(perms.can_plan_audits(a), 201),
            None,
            {"format": "csv"},
            {"file": ("pool.csv", POOL_CSV)},
        ),
        Call("GET", f"/api/v1/pool/jobs/{scene.job_id}", _status(allowed)),
    ]


def _plans(scene: Scene) -> list[Audit]:
    for x in scene.audits:
        x.refresh_from_db()
    return scene.audits


def _all_actions(scene: Scene) -> list[Action]:
    return list(
        Action.objects.filter(audit__in=scene.audits)
        .select_related("audit", "owner_agency")
        .order_by("pk")
    )


def calls_overview(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call("GET", "/api/v1/actions", _status(a.has_any_role)),
        Call("GET", "/api/v1/actions?overdue=true&status=done", _status(a.has_any_role)),
    ]


def calls_plan(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call(
            "GET",
            f"/api/v1/audits/{x.reference}/actions?owner_agency=csc",
            _status(perms.can_read_actions(a, x)),
        )
        for x in _plans(scene)
    ]


def calls_learning(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call(
            "GET", f"/api/v1/audits/{x.reference}/learning", _status(perms.can_read_learning(a, x))
        )
        for x in _plans(scene)
    ]


def calls_action_create(scene: Scene, a: Actor) -> list[Call]:
    body = {
        "description": "Audit the protocol's use.",
        "kind": "assurance",
        "owner_agency": "gp",
        "lead": "Named GP",
        "due_date": "2027-06-30",
    }
    return [
        Call(
            "POST",
            f"/api/v1/audits/{x.reference}/actions",
            _status(perms.can_read_actions(a, x) and perms.can_plan_actions(a, x), 201),
            None,
            body,
        )
        for x in _plans(scene)
    ]


def calls_action(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call(
            "GET",
            f"/api/v1/audits/{x.audit.reference}/actions/{x.number}",
            _status(perms.can_read_actions(a, x.audit)),
        )
        for x in _all_actions(scene)
    ]


def calls_action_change(scene: Scene, a: Actor) -> list[Call]:
    """The panel changes an action until the board closes it (then 409, like a submitted
    return); everyone else gets 404."""
    out = []
    for x in _all_actions(scene):
        if not (perms.can_read_actions(a, x.audit) and perms.can_edit_action(a, x)):
            status = 404
        else:
            status = 409 if x.status == ActionStatus.CLOSED else 200
        body = {"version": x.version, "lead": f"Lead {a.user_id}"}
        path = f"/api/v1/audits/{x.audit.reference}/actions/{x.number}"
        out.append(Call("PATCH", path, status, None, body))
    return out


def calls_action_progress(scene: Scene, a: Actor) -> list[Call]:
    """Whoever the action page offers a status to may post one; the board closes a done
    action. Keeping the current status (with a note) leaves it for the next role."""
    out = []
    for x in _all_actions(scene):
        statuses = action_services.allowed_statuses(a, x)
        allowed = perms.can_read_actions(a, x.audit) and bool(statuses) and x.status != "closed"
        status = x.status if x.status in statuses else (statuses or ["on_track"])[-1]
        body = {
            "version": x.version,
            "status": status,
            "note": "Progress.",
            "evidence": "Minutes.",
            "blocked_reason": "Waiting.",
        }
        path = f"/api/v1/audits/{x.audit.reference}/actions/{x.number}/updates"
        out.append(Call("POST", path, _status(allowed, 201), None, body))
    return out


def _all_review_actions(scene: Scene) -> list[Action]:
    return list(
        Action.objects.filter(partnership=scene.world.partnership, audit__isnull=True)
        .select_related("owner_agency")
        .order_by("number")
    )


def calls_review_actions(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call("GET", "/api/v1/reviews/actions", _status(a.has_any_role)),
        Call("GET", "/api/v1/reviews/actions?status=done&overdue=true", _status(a.has_any_role)),
    ]


def calls_review_action_create(scene: Scene, a: Actor) -> list[Call]:
    """The business unit, of its own partnership (an agency from elsewhere is refused: 422)."""
    body = {
        "review": "Learning review: Baby M",
        "description": "Re-issue the safe sleep leaflet.",
        "kind": "training",
        "owner_agency": "gp",
        "lead": "Named nurse",
        "due_date": "2027-06-30",
    }
    if not perms.can_add_review_actions(a):
        status = 404
    elif Agency.objects.filter(partnership_id=a.partnership_id, slug="gp").exists():
        status = 201
    else:
        status = 422
    return [Call("POST", "/api/v1/reviews/actions", status, None, body)]


def calls_review_action(scene: Scene, a: Actor) -> list[Call]:
    return [
        Call(
            "GET",
            f"/api/v1/reviews/actions/{x.number}",
            _status(perms.can_read_review_action(a, x)),
        )
        for x in _all_review_actions(scene)
    ]


def calls_review_action_change(scene: Scene, a: Actor) -> list[Call]:
    """The business unit changes a review's action until the board closes it (then 409)."""
    out = []
    for x in _all_review_actions(scene):
        if not (perms.can_read_review_action(a, x) and perms.can_edit_action(a, x)):
            status = 404
        else:
            status = 409 if x.status == ActionStatus.CLOSED else 200
        body = {"version": x.version, "lead": f"Lead {a.user_id}"}
        out.append(Call("PATCH", f"/api/v1/reviews/actions/{x.number}", status, None, body))
    return out


def calls_review_action_progress(scene: Scene, a: Actor) -> list[Call]:
    """As for an audit's action: whoever may update it (or close it) gets 409 once it is
    closed; everyone else 404."""
    out = []
    for x in _all_review_actions(scene):
        statuses = action_services.allowed_statuses(a, x)
        readable = perms.can_read_review_action(a, x)
        if not readable:
            code = 404
        elif x.status == ActionStatus.CLOSED:
            could = perms.can_progress_action(a, x) or perms.can_close(a, x)
            code = 409 if could else 404
        else:
            code = 201 if statuses else 404
        status = x.status if x.status in statuses else (statuses or ["on_track"])[-1]
        body = {
            "version": x.version,
            "status": status,
            "note": "Progress.",
            "evidence": "Minutes.",
            "blocked_reason": "Waiting.",
        }
        out.append(Call("POST", f"/api/v1/reviews/actions/{x.number}/updates", code, None, body))
    return out


OPERATIONS: dict[tuple[str, str], Callable[[Scene, Actor], list[Call]]] = {
    ("GET", "/api/v1/me"): calls_me,
    ("GET", "/api/v1/audits"): calls_audits,
    ("GET", "/api/v1/audits/{reference}"): calls_audit,
    ("GET", "/api/v1/audits/{reference}/cases"): calls_cases,
    ("GET", "/api/v1/audits/{reference}/cases/{number}"): calls_case,
    ("GET", "/api/v1/audits/{reference}/cases/{number}/returns/{agency}"): calls_return,
    ("PUT", "/api/v1/audits/{reference}/cases/{number}/returns/{agency}"): calls_return_put,
    ("GET", "/api/v1/audits/{reference}/cases/{number}/chronology"): calls_chronology,
    ("POST", "/api/v1/audits/{reference}/cases/{number}/chronology/events"): calls_events,
    ("GET", "/api/v1/audits/{reference}/cases/{number}/evaluation"): calls_evaluation,
    ("GET", "/api/v1/audits/{reference}/findings"): calls_findings,
    ("GET", "/api/v1/actions"): calls_overview,
    ("GET", "/api/v1/audits/{reference}/actions"): calls_plan,
    ("POST", "/api/v1/audits/{reference}/actions"): calls_action_create,
    ("GET", "/api/v1/audits/{reference}/actions/{number}"): calls_action,
    ("PATCH", "/api/v1/audits/{reference}/actions/{number}"): calls_action_change,
    ("POST", "/api/v1/audits/{reference}/actions/{number}/updates"): calls_action_progress,
    ("GET", "/api/v1/audits/{reference}/learning"): calls_learning,
    ("GET", "/api/v1/reviews/actions"): calls_review_actions,
    ("POST", "/api/v1/reviews/actions"): calls_review_action_create,
    ("GET", "/api/v1/reviews/actions/{number}"): calls_review_action,
    ("PATCH", "/api/v1/reviews/actions/{number}"): calls_review_action_change,
    ("POST", "/api/v1/reviews/actions/{number}/updates"): calls_review_action_progress,
    ("GET", "/api/v1/briefings"): calls_briefings,
    ("GET", "/api/v1/briefings/{reference}"): calls_briefing,
    ("GET", "/api/v1/briefings/{reference}/download/{fmt}"): calls_download,
    ("POST", "/api/v1/pool/imports"): calls_pool,
    ("GET", "/api/v1/pool/jobs/{job_id}"): calls_pool,
}


def test_every_operation_in_the_openapi_document_is_in_the_matrix() -> None:
    schema = api.get_openapi_schema()
    documented = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert documented == set(OPERATIONS), documented ^ set(OPERATIONS)


def _send(client: Any, call: Call) -> Any:
    if call.files is not None:
        return client.post(call.path, {**(call.body or {}), **_files(call.files)})
    if call.method == "GET":
        return client.get(call.path)
    return client.generic(
        call.method,
        call.path,
        data=__import__("json").dumps(call.body),
        content_type="application/json",
    )


def _files(files: dict[str, Any]) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {k: SimpleUploadedFile(name, data) for k, (name, data) in files.items()}


def _missing_body(client: Any) -> bytes:
    return client.get("/api/v1/audits/no-such-audit").content


pytestmark = pytest.mark.django_db


def test_every_operation_for_every_role(scene: Scene) -> None:
    """One scenario for all operations (building it is the slow part); every failure listed."""
    failures: list[str] = []
    for operation in sorted(OPERATIONS):
        failures.extend(_check_operation(scene, operation))
    assert not failures, "\n".join(failures)


def _check_operation(scene: Scene, operation: tuple[str, str]) -> list[str]:
    failures = []
    make = OPERATIONS[operation]
    # Anonymous and bad tokens: 401 everywhere, nothing logged.
    for call in make(scene, scene.actor("admin")):
        if call.method != operation[0] or not _matches(call.path, operation[1]):
            continue
        before = AccessEntry.objects.count()
        for client in (api_client(None), api_client("maca_not-a-real-token")):
            response = _send(client, call)
            if response.status_code != 401 or response.json()["code"] != "not_authenticated":
                failures.append(f"anonymous {call.method} {call.path}: {response.status_code}")
        if AccessEntry.objects.count() != before:
            failures.append(f"anonymous {call.method} {call.path}: logged an access")
    checked = 0
    for name in PRINCIPALS:
        client = api_client(scene.tokens[name])
        missing = _missing_body(client)
        for call in make(scene, scene.actor(name)):
            if call.method != operation[0] or not _matches(call.path, operation[1]):
                continue
            before = AccessEntry.objects.count()
            response = _send(client, call)
            where = f"{call.method} {call.path} as {name}"
            checked += 1
            if response.status_code != call.status:
                failures.append(
                    f"{where}: expected {call.status}, got {response.status_code} "
                    f"{response.content[:200]!r}"
                )
                continue
            if call.status == 404 and response.content != missing:
                failures.append(f"{where}: a 404 unlike the one for something missing")
            new = list(AccessEntry.objects.order_by("pk")[before:])
            if call.status == 404 and (
                len(new) > 1 or any(not e.action.endswith(".refused") for e in new)
            ):
                failures.append(f"{where}: a refusal logged as {[e.action for e in new]}")
            viewed = [e for e in new if not e.action.endswith(".refused")]
            if call.accesses is not None and len(viewed) != call.accesses:
                failures.append(f"{where}: {len(viewed)} access entries, expected {call.accesses}")
            if any(e.user_id != scene.world.users.get(name, e.user).pk for e in new):
                failures.append(f"{where}: logged under someone else")
    if checked < len(PRINCIPALS):
        failures.append(f"{operation}: only {checked} calls checked")
    return failures


def _matches(path: str, template: str) -> bool:
    parts, pattern = path.split("?")[0].strip("/").split("/"), template.strip("/").split("/")
    return len(parts) == len(pattern) and all(
        p.startswith("{") or p == q for p, q in zip(pattern, parts, strict=True)
    )


def test_lists_hold_exactly_what_the_pages_would_show(scene: Scene) -> None:
    for name in PRINCIPALS:
        a = scene.actor(name)
        client = api_client(scene.tokens[name])
        audits = {x["reference"] for x in client.get("/api/v1/audits").json()["items"]}
        assert audits == {x.reference for x in Audit.objects.all() if perms.can_view_audit(a, x)}
        for x in scene.audits:
            if not perms.can_view_audit(a, x):
                continue
            body = client.get(f"/api/v1/audits/{x.reference}/cases").json()
            assert [c["label"] for c in body["items"]] == [
                c.label for c in _cases(x) if perms.can_view_case(a, c)
            ], name
            for item in body["items"]:
                case = x.cases.get(number=item["number"])
                readable = {
                    r.agency.slug for r in case.returns.all() if perms.can_read_return(a, r)
                }
                assert {r["agency"] for r in item["returns"]} == readable, name
        actions = {(x["audit"], x["number"]) for x in client.get("/api/v1/actions").json()["items"]}
        assert actions == {
            (x.audit.reference if x.audit else None, x.number)
            for x in Action.objects.filter(perms.actions_visible_q(a)).select_related("audit")
        }, name
        reviews = {x["number"] for x in client.get("/api/v1/reviews/actions").json()["items"]}
        assert reviews == {
            x.number for x in _all_review_actions(scene) if perms.can_read_review_action(a, x)
        }, name
        briefings = {b["reference"] for b in client.get("/api/v1/briefings").json()["items"]}
        assert briefings == {b.reference for b in _briefings() if perms.can_read_briefing(a, b)}
