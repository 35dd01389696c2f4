"""Action plans: adding, progress with its rules, closing by the board, pages and dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from maca.actions import services
from maca.actions.models import ActionUpdate
from maca.activity.models import ActivityEntry
from maca.audits import services as audit_services
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from tests.actions.support import add_action, progress

pytestmark = pytest.mark.django_db


def test_actions_are_numbered_and_logged_without_their_wording(world) -> None:
    audit = world.audit("pub", status="published")
    first = add_action(world, audit)
    second = add_action(world, audit, owner="csc", by="chair")
    assert (first.number, second.number) == (1, 2)
    assert first.status == "not_started"
    entry = ActivityEntry.objects.filter(action="action.add").order_by("pk").first()
    assert entry is not None and entry.target_label == "Action 1"
    assert "protocol" not in str(entry.data)


def test_auditors_and_viewers_cannot_add_actions(world) -> None:
    audit = world.audit("pub", status="published")
    for who in ("police", "viewer", "other-chair"):
        with pytest.raises(NotAllowed):
            add_action(world, audit, by=who)


def test_actions_need_an_audit_past_the_panel(world) -> None:
    audit = world.audit("mod", status="moderation")
    with pytest.raises(NotAllowed):
        add_action(world, audit)


def test_missing_fields_are_named(world) -> None:
    audit = world.audit("pub", status="published")
    with pytest.raises(ServiceError) as exc:
        services.action_add(
            actor=world.actor("admin"),
            audit=audit,
            data=services.ActionInput(
                "Do it", "practice_change", world.agencies["csc"].pk, "", None
            ),
        )
    assert exc.value.field == "lead"


def test_the_owning_agency_records_progress_others_cannot(world) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit, owner="police")
    progress(world, action, "on_track", note="Draft protocol written.")
    with pytest.raises(NotAllowed):
        progress(world, action, "at_risk", by="csc")
    assert ActionUpdate.objects.filter(action=action).count() == 1


def test_blocked_needs_a_reason_and_done_needs_evidence(world) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit)
    with pytest.raises(ServiceError) as exc:
        progress(world, action, "blocked")
    assert exc.value.field == "blocked_reason"
    with pytest.raises(ServiceError) as exc:
        progress(world, action, "done")
    assert exc.value.field == "evidence"
    progress(world, action, "blocked", blocked_reason="Waiting for the trust's board.")
    done = progress(world, action, "done", evidence="Protocol v3 published 1 June.")
    assert done.blocked_reason == "" and done.evidence.startswith("Protocol")


def test_only_the_board_closes_and_only_once_done(world) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit)
    with pytest.raises(NotAllowed):  # the board may not touch an action that is not done
        progress(world, action, "closed", by="viewer")
    progress(world, action, "done", evidence="Done and audited.")
    with pytest.raises(ServiceError) as exc:
        progress(world, action, "closed", by="police")
    assert exc.value.field == "status"
    closed = progress(world, action, "closed", by="viewer", note="Board satisfied.")
    assert closed.status == "closed" and closed.closed_by_id == world.users["viewer"].pk
    with pytest.raises(ServiceError, match="takes no more progress updates"):
        progress(world, closed, "on_track", by="admin")
    with pytest.raises(NotAllowed):  # not hers to update, closed or not: nothing revealed
        progress(world, closed, "on_track", by="gp")


def test_a_stale_update_is_refused(world) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit)
    old_version = action.version
    progress(world, action, "on_track", note="First.")
    with pytest.raises(ConflictError):
        services.action_progress(
            actor=world.actor("police"),
            action=action,
            expected_version=old_version,
            data=services.ProgressInput(status="at_risk", note="Second."),
        )


def test_follow_up_needs_an_action_and_closing_needs_them_closed(world) -> None:
    audit = world.audit("pub", status="published")
    assert audit_services.transition_problems(audit, "follow_up") == [
        "Add at least one action to the action plan."
    ]
    action = add_action(world, audit)
    audit = audit_services.audit_transition(
        actor=world.actor("admin"), audit=audit, to_status="follow_up"
    )
    assert audit_services.transition_problems(audit, "closed")
    progress(world, action, "done", evidence="Evidence.")
    progress(world, action, "closed", by="viewer")
    audit = audit_services.audit_transition(
        actor=world.actor("admin"), audit=audit, to_status="closed"
    )
    assert audit.status == "closed"


def test_plan_page_for_the_board_and_progress_form_for_the_owner(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit, owner="police")
    login("viewer")
    page = client.get(reverse("actions:plan", args=[audit.reference]))
    assert page.status_code == 200
    assert b"Action 1" in page.content and b"Add an action" not in page.content
    detail = client.get(reverse("actions:detail", args=[audit.reference, 1]))
    assert b"Record progress" not in detail.content  # not done yet: nothing for the board
    client.logout()
    login("police")
    url = reverse("actions:detail", args=[audit.reference, action.number])
    page = client.get(url)
    assert b"Record progress" in page.content
    answer = client.post(url, {"version": action.version, "status": "blocked", "note": ""})
    assert answer.status_code == 200
    assert "Enter the reason it is blocked" in answer.content.decode()
    answer = client.post(
        url,
        {"version": action.version, "status": "blocked", "blocked_reason": "No budget yet."},
    )
    assert answer.status_code == 302
    action.refresh_from_db()
    assert action.status == "blocked"


def test_adding_an_action_through_the_page(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    login("admin")
    url = reverse("actions:new", args=[audit.reference])
    answer = client.post(url, {"description": "", "kind": "training"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Enter what needs to happen." in body and "Enter the due date." in body
    answer = client.post(
        url,
        {
            "description": "Train front-door staff on bruising in babies.",
            "kind": "training",
            "owner_agency": world.agencies["csc"].pk,
            "lead": "Training lead",
            "due_date": "30/06/2030",
        },
    )
    assert answer.status_code == 302
    assert audit.actions.get().due_date == dt.date(2030, 6, 30)


def test_dashboard_shows_overdue_and_blocked_actions(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    add_action(world, audit, due=dt.date.today() - dt.timedelta(days=3), description="Late one")
    blocked = add_action(world, audit, owner="csc")
    progress(world, blocked, "blocked", by="csc", blocked_reason="Waiting for funding.")
    add_action(world, audit, owner="gp")  # on time, not blocked: not on the dashboard
    login("admin")
    body = client.get(reverse("dashboard")).content.decode()
    assert "Actions overdue or blocked" in body
    assert "Action 1" in body and "Overdue" in body
    assert "Action 2" in body and "Waiting for funding." in body
    assert "Action 3" not in body
    client.logout()
    login("police")  # an agency sees only its own agency's actions
    body = client.get(reverse("dashboard")).content.decode()
    assert "Action 1" in body and "Action 2" not in body


def test_overview_lists_and_filters(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    add_action(world, audit)
    second = add_action(world, audit, owner="csc")
    progress(world, second, "on_track", by="csc", note="Going well.")
    login("viewer")
    body = client.get(reverse("actions:overview") + "?status=on_track").content.decode()
    assert "Action 2" in body and "Action 1<" not in body


def _review_action(world, owner: str = "police", due: dt.date | None = None):
    return services.review_action_add(
        actor=world.actor("admin"),
        partnership_id=world.partnership.pk,
        review="Rapid review: Child T (2024)",
        data=services.ActionInput(
            description="Agree a joint protocol for unseen babies.",
            kind="policy",
            owner_agency_id=world.agencies[owner].pk,
            lead="Partnership manager",
            due_date=due or dt.date.today() + dt.timedelta(days=30),
        ),
    )


def test_actions_from_local_reviews(world, client, login) -> None:
    with pytest.raises(NotAllowed):
        services.review_action_add(
            actor=world.actor("chair"),
            partnership_id=world.partnership.pk,
            review="Rapid review",
            data=services.ActionInput(
                "x", "policy", world.agencies["csc"].pk, "y", dt.date.today()
            ),
        )
    action = _review_action(world, due=dt.date.today() - dt.timedelta(days=1))
    assert (action.number, action.audit, action.source_title) == (
        1,
        None,
        "Rapid review: Child T (2024)",
    )
    progress(world, action, "done", evidence="Protocol signed by all three partners.")
    with pytest.raises(NotAllowed):
        progress(world, action, "closed", by="csc")  # not the owner, not the board
    assert progress(world, action, "closed", by="viewer").status == "closed"
    login("police")
    body = client.get(reverse("actions:overview")).content.decode()
    assert "Rapid review: Child T (2024)" in body and action.get_absolute_url() in body
    client.logout()
    login("csc")  # another agency's review action: as if it did not exist
    assert client.get(action.get_absolute_url()).status_code == 404


def test_review_action_page_and_dashboard(world, client, login) -> None:
    _review_action(world, due=dt.date.today() - dt.timedelta(days=2))
    login("admin")
    assert "Rapid review: Child T (2024)" in client.get(reverse("dashboard")).content.decode()
    url = reverse("actions:review_new")
    assert "Enter the name of the review." in client.post(url, {}).content.decode()
    answer = client.post(
        url,
        {
            "review": "Local review: Family R",
            "description": "Share the learning with GPs.",
            "kind": "training",
            "owner_agency": world.agencies["gp"].pk,
            "lead": "Named GP",
            "due_date": "01/01/2031",
        },
    )
    assert answer.status_code == 302
    page = client.get(reverse("actions:review", args=[2])).content.decode()
    assert "Local review: Family R" in page and "Record progress" in page


def _edit_post(action, world, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": action.version,
        "description": action.description,
        "kind": action.kind,
        "owner_agency": action.owner_agency_id,
        "lead": action.lead,
        "due_date": action.due_date.strftime("%d/%m/%Y"),
    }
    data.update(changes)
    return data


def test_changing_an_action_through_the_page(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit, owner="police")
    login("admin")
    detail = client.get(reverse("actions:detail", args=[audit.reference, 1]))
    url = reverse("actions:edit", args=[audit.reference, 1])
    assert url in detail.content.decode()
    answer = client.post(url, _edit_post(action, world, lead="", due_date="31/02/2030"))
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "There is a problem" in body and "Enter the lead." in body
    assert "Due date must be a real date" in body
    answer = client.post(
        url,
        _edit_post(
            action,
            world,
            description="Brief every front-door team on bruising in babies.",
            owner_agency=world.agencies["csc"].pk,
            due_date="30/09/2030",
        ),
    )
    assert answer.status_code == 302
    action.refresh_from_db()
    assert action.owner_agency == world.agencies["csc"]
    assert action.due_date == dt.date(2030, 9, 30) and action.description.startswith("Brief")
    assert action.version == 2
    entry = ActivityEntry.objects.get(action="action.edit")
    assert entry.data == {"fields": ["description", "owner_agency", "due_date"]}
    assert "bruising" not in str(entry.data) and entry.target_label == "Action 1"


def test_a_stale_change_is_refused_and_nothing_saved(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit, owner="police")
    loaded = _edit_post(action, world, lead="Designated nurse")
    progress(world, action, "on_track", note="Started.")  # someone else saves meanwhile
    login("chair")
    answer = client.post(reverse("actions:edit", args=[audit.reference, 1]), loaded)
    assert answer.status_code == 200
    assert "Someone else changed this action since you opened it" in answer.content.decode()
    action.refresh_from_db()
    assert action.lead == "Head of Safeguarding" and action.version == 2
    assert not ActivityEntry.objects.filter(action="action.edit").exists()


def test_a_closed_action_cannot_be_changed(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit, owner="police")
    progress(world, action, "done", evidence="Audited.")
    closed = progress(world, action, "closed", by="viewer")
    login("admin")
    url = reverse("actions:edit", args=[audit.reference, 1])
    detail = client.get(reverse("actions:detail", args=[audit.reference, 1]))
    assert url not in detail.content.decode()
    answer = client.post(url, _edit_post(closed, world, lead="Someone else"))
    assert answer.status_code == 200
    assert "closed by the board, so it can no longer be changed" in answer.content.decode()
    closed.refresh_from_db()
    assert closed.lead == "Head of Safeguarding"
    with pytest.raises(ServiceError, match="closed by the board"):
        services.action_edit(
            actor=world.actor("admin"),
            action=closed,
            expected_version=closed.version,
            data=services.ActionInput(
                "New", "training", world.agencies["csc"].pk, "Lead", dt.date(2030, 1, 1)
            ),
        )


def test_other_agencies_cannot_change_an_action(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    action = add_action(world, audit, owner="police")
    login("csc")
    url = reverse("actions:edit", args=[audit.reference, 1])
    assert client.get(url).status_code == 404
    assert client.post(url, _edit_post(action, world, lead="Changed")).status_code == 404
    action.refresh_from_db()
    assert action.lead == "Head of Safeguarding"
    with pytest.raises(NotAllowed):  # nor the owning agency: changing it is the panel's
        services.action_edit(
            actor=world.actor("police"),
            action=action,
            expected_version=action.version,
            data=services.ActionInput(
                "New", "training", world.agencies["police"].pk, "Lead", dt.date(2030, 1, 1)
            ),
        )


def test_changing_a_local_reviews_action(world, client, login) -> None:
    action = services.review_action_add(
        actor=world.actor("admin"),
        partnership_id=world.partnership.pk,
        review="Rapid review: Child T",
        data=services.ActionInput(
            "Agree a protocol.", "policy", world.agencies["police"].pk, "Lead", dt.date(2030, 1, 1)
        ),
    )
    login("admin")
    url = reverse("actions:review_edit", args=[action.number])
    assert client.get(url).status_code == 200
    answer = client.post(url, _edit_post(action, world, kind="training"))
    assert answer.status_code == 302
    action.refresh_from_db()
    assert action.kind == "training"


def test_the_overview_shows_only_plans_each_person_could_open(world, client, login) -> None:
    """Before publication a plan is the panel's: the overview, the dashboard and the API list
    show nobody else an action they could not open on the plan itself."""
    from maca.actions.selectors import actions_visible

    reporting = world.audit("rep", status="reporting")
    add_action(world, reporting, owner="police", description="Drafted at the panel.")
    published = world.audit("pub", status="published")
    add_action(world, published, owner="police", description="Published for all.")

    def seen(username: str) -> set[str]:
        return {a.audit.reference for a in actions_visible(world.actor(username))}

    assert seen("admin") == {"rep", "pub"}
    assert seen("chair") == {"rep", "pub"}  # chairs both audits
    assert seen("other-chair") == {"pub"}
    assert seen("viewer") == {"pub"}
    assert seen("police") == {"pub"}  # the owner, once published
    assert seen("gp") == set()  # an auditor sees only their own agency's actions

    login("police")
    assert client.get(reverse("actions:plan", args=["rep"])).status_code == 404
    body = client.get(reverse("actions:overview")).content.decode()
    assert "Audit pub" in body and "Audit rep" not in body


def test_two_local_review_actions_cannot_share_a_number(world) -> None:
    """The database itself refuses a second review action with the same number in a
    partnership (audit actions are numbered per audit; review actions have no audit)."""
    from django.db import IntegrityError, transaction

    first = _review_action(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        first.pk = None
        first.save()
