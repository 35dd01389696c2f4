"""The dashboard shows each person what needs them: returns to complete, concerns to act on."""

from __future__ import annotations

from django.urls import reverse

from maca.returns import services
from maca.returns.models import AgencyReturn
from tests.conftest import verified_login


def test_an_auditor_sees_their_agencys_outstanding_returns_only(world, client):
    audit = world.audit(status="auditing", cases=[("csc", "police"), ("police",), ("gp",)])
    verified_login(client, world.users["police"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "Returns to complete" in page
    assert f"/audits/{audit.reference}/cases/1/returns/police/" in page
    assert f"/audits/{audit.reference}/cases/2/returns/police/" in page
    assert f"/audits/{audit.reference}/cases/3/" not in page


def test_submitted_returns_leave_the_list(world, client):
    audit = world.audit(status="auditing", cases=[("police",)])
    world.submit(AgencyReturn.objects.get(case__audit=audit))
    verified_login(client, world.users["police"])
    assert "Returns to complete" not in client.get(reverse("dashboard")).content.decode()


def test_the_business_unit_sees_immediate_concerns(world, client):
    audit = world.audit(status="auditing", cases=[("csc",)])
    ret = AgencyReturn.objects.get(case__audit=audit)
    services.return_save(
        actor=world.actor("csc"),
        ret=ret,
        data=services.ReturnInput(immediate_concern=True, immediate_concern_detail="Urgent."),
        expected_version=ret.version,
    )
    verified_login(client, world.users["admin"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "Immediate concerns" in page and "Child A, CSC" in page
    verified_login(client, world.users["chair"])
    assert "Immediate concerns" not in client.get(reverse("dashboard")).content.decode()


def test_a_viewer_sees_no_audits(world, client):
    world.audit(status="auditing")
    verified_login(client, world.users["viewer"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "/audits/" not in page
    assert "Latest 7 minute briefings" in page and "None have been published yet." in page
