"""Findings, steps and learning events: who may write them, evidence counts, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from maca.activity.models import ActivityEntry
from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.findings import services
from maca.findings.models import Finding, LearningEvent, PractitionerStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(world):
    return world.audit("fa", status="moderation", cases=[("csc", "police"), ("csc", "gp")])


def test_a_finding_links_to_its_cases_and_reads_as_a_count(world, audit, client, login) -> None:
    cases = list(audit.cases.order_by("number"))
    finding = services.finding_save(
        actor=world.actor("chair"),
        audit=audit,
        data=services.FindingInput(
            "area_for_development", "Plans leaned on one agency.", (cases[1].pk,)
        ),
    )
    assert list(finding.cases.all()) == [cases[1]]
    login("chair")
    page = client.get(reverse("audits:findings", args=[audit.reference])).content.decode()
    assert "Plans leaned on one agency." in page
    assert "in one of two cases" in page and cases[1].label in page


def test_evidence_must_come_from_the_same_audit(world, audit) -> None:
    other = world.audit("fb", status="moderation", cases=[("csc",)])
    foreign = other.cases.get()
    with pytest.raises(ServiceError) as refused:
        services.finding_save(
            actor=world.actor("admin"),
            audit=audit,
            data=services.FindingInput("summary", "Text.", (foreign.pk,)),
        )
    assert refused.value.field == "cases"
    assert not Finding.objects.exists()


def test_only_the_panel_writes_findings_and_only_after_auditing(world, audit) -> None:
    for who in ("csc", "viewer", "other-chair"):
        with pytest.raises(NotAllowed):
            services.finding_save(
                actor=world.actor(who), audit=audit, data=services.FindingInput("summary", "x")
            )
    running = world.audit("fc", status="auditing")
    with pytest.raises(NotAllowed):
        services.step_save(
            actor=world.actor("admin"), audit=running, data=services.StepInput("Read it")
        )


def test_two_editors_cannot_overwrite_each_other(world, audit) -> None:
    step = services.step_save(
        actor=world.actor("chair"), audit=audit, data=services.StepInput("Read the guidance")
    )
    services.step_save(
        actor=world.actor("admin"),
        audit=audit,
        data=services.StepInput("Read it twice"),
        step_id=step.pk,
        expected_version=1,
    )
    with pytest.raises(ConflictError):
        services.step_save(
            actor=world.actor("chair"),
            audit=audit,
            data=services.StepInput("Mine"),
            step_id=step.pk,
            expected_version=1,
        )
    assert PractitionerStep.objects.get().text == "Read it twice"


def test_empty_or_long_wording_names_the_field(world, audit) -> None:
    with pytest.raises(ServiceError) as empty:
        services.finding_save(
            actor=world.actor("chair"), audit=audit, data=services.FindingInput("summary", "  ")
        )
    assert empty.value.field == "text"
    with pytest.raises(ServiceError) as long_title:
        services.event_save(
            actor=world.actor("chair"), audit=audit, data=services.EventInput("t" * 201)
        )
    assert long_title.value.field == "title"


def test_forms_show_errors_and_save_nothing_until_valid(world, audit, client, login) -> None:
    login("chair")
    url = reverse("audits:finding_new", args=[audit.reference, "event"])
    response = client.post(url, {"title": "", "date": "31/02/2022", "booking_url": "not a link"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the title." in page
    assert "Date must be a real date" in page
    assert "Enter the booking link as a full web address" in page
    assert not LearningEvent.objects.exists()
    response = client.post(
        url,
        {
            "title": "Learning session",
            "date": "09/06/2022",
            "audience": "All",
            "booking_url": "https://example.org/book",
        },
    )
    assert response.status_code == 302
    event = LearningEvent.objects.get()
    assert event.date == dt.date(2022, 6, 9) and event.booking_url == "https://example.org/book"


def test_removing_an_item_is_logged_without_its_wording(world, audit, client, login) -> None:
    finding = services.finding_save(
        actor=world.actor("chair"),
        audit=audit,
        data=services.FindingInput("summary", "Sensitive wording about the panel."),
    )
    login("chair")
    response = client.post(
        reverse("audits:finding_delete", args=[audit.reference, "finding", finding.pk])
    )
    assert response.status_code == 302
    assert not Finding.objects.exists()
    entry = ActivityEntry.objects.get(action="finding.delete")
    assert "Sensitive" not in entry.target_label and entry.target_label == "Summary"
