"""The audit lifecycle: each step is a service call with preconditions and a log entry."""

from __future__ import annotations

import pytest

from maca.activity.models import ActivityEntry
from maca.audits import services
from maca.audits.models import Audit, CaseRecord
from maca.core.errors import NotAllowed, PreconditionFailed, ServiceError
from maca.returns.models import AgencyReturn


def test_planning_cannot_move_on_without_chair_agencies_and_period(world):
    admin = world.actor("admin")
    audit = world.audit()
    audit.chair = None
    audit.period_start = None
    audit.save()
    audit.agencies.clear()
    with pytest.raises(PreconditionFailed) as exc:
        services.audit_transition(actor=admin, audit=audit, to_status="sampling")
    message = exc.value.message
    assert "agencies taking part" in message
    assert "panel chair" in message
    assert "period under review" in message
    audit.refresh_from_db()
    assert audit.status == "planning"


def test_cannot_skip_a_step(world):
    audit = world.audit()
    with pytest.raises(PreconditionFailed, match="cannot move to moderation"):
        services.audit_transition(actor=world.actor("admin"), audit=audit, to_status="moderation")


def test_auditing_opens_one_return_per_agency_that_knew_each_child(world):
    audit = world.audit(
        status="auditing", cases=[("csc", "police"), ("csc", "gp", "health-visiting")]
    )
    pairs = sorted(
        (r.case.label, r.agency.slug)
        for r in AgencyReturn.objects.filter(case__audit=audit).select_related("case", "agency")
    )
    assert pairs == [
        ("Child A", "csc"),
        ("Child A", "police"),
        ("Child B", "csc"),
        ("Child B", "gp"),
        ("Child B", "health-visiting"),
    ]
    assert all(r.status == "draft" for r in AgencyReturn.objects.filter(case__audit=audit))


def test_moderation_waits_for_every_return_unless_waived(world):
    admin = world.actor("admin")
    audit = world.audit(status="auditing", cases=[("csc", "police")])
    csc_return, police_return = AgencyReturn.objects.filter(case__audit=audit).order_by(
        "agency__slug"
    )
    world.submit(csc_return)
    with pytest.raises(PreconditionFailed, match="1 return is still outstanding"):
        services.audit_transition(actor=admin, audit=audit, to_status="moderation")
    from maca.returns.services import return_waive

    return_waive(actor=admin, ret=police_return, reason="Police had no record of this child.")
    services.audit_transition(actor=admin, audit=audit, to_status="moderation")
    assert Audit.objects.get(pk=audit.pk).status == "moderation"


def test_reporting_needs_every_case_moderated(world):
    audit = world.audit(status="moderation", cases=[("csc",), ("csc",)])
    chair = world.actor("chair")
    with pytest.raises(PreconditionFailed, match="Child A has no moderated grade yet"):
        services.audit_transition(actor=chair, audit=audit, to_status="reporting")


def test_each_transition_is_in_the_activity_log(world):
    audit = world.audit(status="auditing")
    moves = list(
        ActivityEntry.objects.filter(audit_id=audit.pk, action="audit.transition")
        .order_by("id")
        .values_list("data", flat=True)
    )
    assert moves == [
        {"from": "planning", "to": "sampling"},
        {"from": "sampling", "to": "auditing"},
    ]
    assert all(
        e.actor_id == world.users["admin"].pk
        for e in ActivityEntry.objects.filter(audit_id=audit.pk)
    )


def test_only_the_business_unit_moves_an_audit(world):
    audit = world.audit()
    for username in ["chair", "csc", "viewer"]:
        with pytest.raises(NotAllowed):
            services.audit_transition(
                actor=world.actor(username), audit=audit, to_status="sampling"
            )


def test_cases_get_pseudonymous_labels_and_a_restricted_record(world):
    audit = world.audit(status="sampling", cases=[("csc",), ("police",), ("gp",)])
    labels = list(audit.cases.order_by("number").values_list("label", flat=True))
    assert labels == ["Child A", "Child B", "Child C"]
    assert CaseRecord.objects.filter(case__audit=audit).count() == 3
    assert services.case_label(27) == "Child AA"


def test_a_case_needs_agencies_taking_part(world):
    audit = world.audit(status="sampling", cases=[])
    audit.agencies.set([world.agencies["csc"]])
    with pytest.raises(ServiceError, match="agencies taking part") as exc:
        services.case_add(
            actor=world.actor("admin"),
            audit=audit,
            agency_ids=(world.agencies["police"].pk,),
            identity=services.CaseIdentity("A", "B"),
        )
    assert exc.value.field == "agencies"
    assert audit.cases.count() == 0


def test_duplicate_reference_is_refused_with_the_field_named(world):
    world.audit("same-ref")
    with pytest.raises(ServiceError) as exc:
        world.audit("same-ref")
    assert exc.value.field == "reference"
    assert Audit.objects.filter(reference="same-ref").count() == 1
