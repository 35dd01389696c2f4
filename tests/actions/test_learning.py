"""Learning events' attendance and teams' records of using the briefing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from maca.actions import services
from maca.core.errors import NotAllowed, ServiceError
from maca.findings.models import LearningEvent

pytestmark = pytest.mark.django_db


def _event(audit, days_ago: int = 10) -> LearningEvent:
    return LearningEvent.objects.create(
        audit=audit, title="Bruising in babies", date=dt.date.today() - dt.timedelta(days=days_ago)
    )


def test_attendance_is_recorded_after_the_event(world) -> None:
    audit = world.audit("pub", status="published")
    past, future = _event(audit), _event(audit, days_ago=-5)
    with pytest.raises(ServiceError) as exc:
        services.attendance_record(
            actor=world.actor("admin"), audit=audit, event_id=future.pk, places=40, attended=3
        )
    assert exc.value.field == "attended"
    with pytest.raises(ServiceError, match="cannot be more than the places"):
        services.attendance_record(
            actor=world.actor("admin"), audit=audit, event_id=past.pk, places=40, attended=41
        )
    services.attendance_record(
        actor=world.actor("admin"), audit=audit, event_id=past.pk, places=40, attended=32
    )
    past.refresh_from_db()
    assert (past.places, past.attended) == (40, 32)
    with pytest.raises(NotAllowed):
        services.attendance_record(
            actor=world.actor("chair"), audit=audit, event_id=past.pk, places=1, attended=1
        )


def test_agencies_record_their_own_teams_use(world) -> None:
    audit = world.audit("pub", status="published")
    data = services.BriefingUseInput(
        agency_id=world.agencies["police"].pk,
        team="North child abuse team",
        discussed_on=dt.date.today(),
        will_do="Add the bruising protocol to induction.",
        attendees=9,
    )
    services.briefing_use_record(actor=world.actor("police"), audit=audit, data=data)
    with pytest.raises(ServiceError) as exc:  # the CSC auditor cannot speak for the police
        services.briefing_use_record(actor=world.actor("csc"), audit=audit, data=data)
    assert exc.value.field == "agency"
    with pytest.raises(NotAllowed):
        services.briefing_use_record(actor=world.actor("viewer"), audit=audit, data=data)
    reporting = world.audit("rep", status="reporting")
    with pytest.raises(NotAllowed):  # not published yet
        services.briefing_use_record(actor=world.actor("police"), audit=reporting, data=data)


def test_learning_page_shows_which_agencies_used_the_learning(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    event = _event(audit)
    services.attendance_record(
        actor=world.actor("admin"), audit=audit, event_id=event.pk, places=30, attended=25
    )
    services.briefing_use_record(
        actor=world.actor("csc"),
        audit=audit,
        data=services.BriefingUseInput(
            world.agencies["csc"].pk, "Front door", dt.date.today(), "Use the checklist.", 6
        ),
    )
    login("viewer")
    body = client.get(reverse("actions:learning", args=[audit.reference])).content.decode()
    assert "Bruising in babies" in body and ">25<" in body.replace("\n", "").replace(" ", "")
    assert "Front door" in body and "Use the checklist." in body
    assert "None yet" in body  # agencies with no record stand out
    assert "Record a team" not in body


def test_briefing_use_form_names_missing_fields(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    login("police")
    url = reverse("actions:briefing_use", args=[audit.reference])
    body = client.post(url, {"team": "x"}).content.decode()
    assert "Choose the team" in body and "Enter what the team will do." in body
    answer = client.post(
        url,
        {
            "agency": world.agencies["police"].pk,
            "team": "East team",
            "discussed_on": dt.date.today().strftime("%d/%m/%Y"),
            "will_do": "Talk to the health visitor before closing.",
        },
    )
    assert answer.status_code == 302
    assert audit.briefing_uses.get().team == "East team"
