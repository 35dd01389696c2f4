"""The activity and access logs are append-only and record case-level views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maca.activity.models import AccessEntry, ActivityEntry, AppendOnlyError
from tests.conftest import verified_login


def test_log_entries_cannot_be_changed_or_deleted(world):
    world.audit()
    entry = ActivityEntry.objects.first()
    assert entry is not None
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ActivityEntry.objects.all().update(action="tampered")
    with pytest.raises(AppendOnlyError):
        ActivityEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessEntry.objects.all().delete()
    assert not ActivityEntry.objects.filter(action="tampered").exists()


def test_viewing_a_case_is_logged_with_who_and_what_but_no_identity(world, client):
    audit = world.audit(status="auditing", cases=[("csc", "police")])
    verified_login(client, world.users["police"])
    response = client.get(reverse("audits:case", args=[audit.reference, 1]))
    assert response.status_code == 200
    entry = AccessEntry.objects.get()
    assert (entry.user_id, entry.action, entry.target_label, entry.roles) == (
        world.users["police"].pk,
        "case.view",
        "Child A",
        "auditor",
    )
    assert "Testchild" not in str(entry.__dict__)


def test_the_restricted_record_view_is_logged_separately(world, client):
    audit = world.audit(status="sampling", cases=[("csc",)])
    verified_login(client, world.users["admin"])
    response = client.get(reverse("audits:case_record", args=[audit.reference, 1]))
    assert response.status_code == 200
    assert b"Testchild Surname" in response.content
    # One page view, one entry: the record view itself.
    assert list(AccessEntry.objects.values_list("action", flat=True)) == ["case_record.view"]


def test_a_refused_look_at_a_case_is_logged_as_a_refusal_and_answers_not_found(world, client):
    """The GP's agency is not on the case: the GP gets the plain "not found", and the access
    log shows the attempt (for the partnership's information governance lead)."""
    audit = world.audit(status="auditing", cases=[("csc", "police")])
    verified_login(client, world.users["gp"])
    assert client.get(reverse("audits:case", args=[audit.reference, 1])).status_code == 404
    assert client.get(reverse("audits:case_record", args=[audit.reference, 1])).status_code == 404
    assert client.get(reverse("audits:case", args=[audit.reference, 9])).status_code == 404
    entries = list(AccessEntry.objects.order_by("pk").values_list("user_id", "action", "case_id"))
    case = audit.cases.get()
    # The missing case 9 writes nothing: there is nothing to have been refused.
    assert entries == [
        (world.users["gp"].pk, "case.view.refused", case.pk),
        (world.users["gp"].pk, "case_record.view.refused", case.pk),
    ]
    # The police, whose agency is on the case, may see it but not the restricted record.
    verified_login(client, world.users["police"])
    assert client.get(reverse("audits:case_record", args=[audit.reference, 1])).status_code == 404
    last = AccessEntry.objects.order_by("pk").last()
    assert last is not None
    assert (last.user_id, last.action) == (world.users["police"].pk, "case_record.view.refused")
    # Nor, before moderation, the children's social care return on the same case.
    csc_return = reverse("audits:return", args=[audit.reference, 1, world.agencies["csc"].slug])
    assert client.get(csc_return).status_code == 404
    last = AccessEntry.objects.order_by("pk").last()
    assert last is not None
    assert (last.user_id, last.action) == (world.users["police"].pk, "return.view.refused")


def test_the_business_unit_can_read_who_viewed_what(world, client):
    audit = world.audit(status="auditing", cases=[("csc", "police")])
    verified_login(client, world.users["police"])
    client.get(reverse("audits:case", args=[audit.reference, 1]))
    verified_login(client, world.users["admin"])
    page = client.get(reverse("activity:access") + "?user=police")
    assert page.status_code == 200
    assert b"case.view" in page.content and b"Child A" in page.content
