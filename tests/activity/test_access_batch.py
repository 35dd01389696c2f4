"""A web request's access-log entries are written with its session renewal, in one commit,
and none is lost whichever way the request ends."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maca.accounts.sessions import SessionStore
from maca.activity.models import AccessEntry
from maca.activity.services import access_batch, access_record
from tests.conftest import World, verified_login


def _record(world: World, audit_case) -> None:
    access_record(
        actor=world.actor("admin"),
        action="case.view",
        target=audit_case,
        audit_id=audit_case.audit_id,
        case_id=audit_case.pk,
        label=audit_case.label,
    )


def test_a_case_page_writes_its_access_entry_in_the_session_commit(world, client):
    audit = world.audit(status="auditing", cases=[("csc", "police")])
    verified_login(client, world.users["police"])
    url = reverse("audits:case", args=[audit.reference, 1])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    insert = next(
        i for i, s in enumerate(sql) if s.startswith('INSERT INTO "activity_accessentry"')
    )
    # The entry goes in with the session's renewal, in one transaction (the savepoints are the
    # session store's own), after the page was built.
    after = [s for s in sql[insert + 1 :] if "SAVEPOINT" not in s]
    assert after[0].startswith('UPDATE "django_session"')
    assert AccessEntry.objects.get().action == "case.view"


def test_outside_a_request_an_entry_is_written_at_once(world):
    case = world.audit(status="auditing", cases=[("csc",)]).cases.get()
    _record(world, case)
    assert AccessEntry.objects.filter(action="case.view").count() == 1


def test_inside_a_request_entries_wait_for_its_end_and_are_then_written(world):
    case = world.audit(status="auditing", cases=[("csc",)]).cases.get()
    with access_batch():
        _record(world, case)
        _record(world, case)
        assert not AccessEntry.objects.filter(action="case.view").exists()
    assert AccessEntry.objects.filter(action="case.view").count() == 2


def test_an_error_after_reading_still_logs_the_read(world):
    case = world.audit(status="auditing", cases=[("csc",)]).cases.get()
    with pytest.raises(RuntimeError), access_batch():
        _record(world, case)
        raise RuntimeError("the page failed after reading the case")
    assert AccessEntry.objects.filter(action="case.view").count() == 1


def test_a_failed_session_save_hands_the_entries_back_to_be_written(world, monkeypatch):
    case = world.audit(status="auditing", cases=[("csc",)]).cases.get()

    def broken_save(self, must_create=False):
        raise RuntimeError("database gone away")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.save", broken_save)
    with access_batch():
        _record(world, case)
        with pytest.raises(RuntimeError):
            SessionStore().save()
        assert not AccessEntry.objects.filter(action="case.view").exists()
    assert AccessEntry.objects.filter(action="case.view").count() == 1


def test_an_api_call_without_a_session_still_logs(world, client):
    """API calls have no session to save: the end of the request writes the entry."""
    from tests.api.support import token_for

    audit = world.audit(status="auditing", cases=[("csc", "police")])
    token = token_for(world.users["admin"])
    response = client.get(
        f"/api/v1/audits/{audit.reference}/cases/1", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.content
    assert AccessEntry.objects.filter(case_id__isnull=False).count() == 1
