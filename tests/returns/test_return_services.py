"""Completing, submitting, locking and sharing agency returns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from maca.activity.models import ActivityEntry
from maca.core import permissions as perms
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed
from maca.returns import services
from maca.returns.models import AgencyReturn, Answer


@pytest.fixture
def audit(world):
    return world.audit(status="auditing", cases=[("csc", "police")])


@pytest.fixture
def csc_return(audit, world):
    return AgencyReturn.objects.get(case__audit=audit, agency=world.agencies["csc"])


def test_a_draft_can_be_partial_and_keeps_what_was_typed(world, audit, csc_return):
    data = services.ReturnInput(
        answers={"q1": services.AnswerInput(answer="yes", evidence="Seen at the 6-8 week check.")},
        strengths="Quick referral.",
    )
    ret = services.return_save(
        actor=world.actor("csc"), ret=csc_return, data=data, expected_version=1
    )
    assert ret.status == "draft"
    assert ret.version == 2
    answer = Answer.objects.get(agency_return=ret, question__code="q1")
    assert (answer.answer, answer.evidence) == ("yes", "Seen at the 6-8 week check.")


def test_submission_lists_every_missing_piece_and_saves_nothing(world, audit, csc_return):
    data = services.ReturnInput(answers={"q4": services.AnswerInput(answer="no")})
    with pytest.raises(services.ReturnIncomplete) as exc:
        services.return_submit(
            actor=world.actor("csc"), ret=csc_return, data=data, expected_version=1
        )
    fields = dict(exc.value.errors)
    assert fields["q1-answer"] == "Select an answer to question q1."
    assert fields["q4-why_not"] == "Explain why not for question q4."
    assert fields["grade"] == "Select a grade for your agency's practice."
    assert fields["grade_reason"] == "Enter the reason for your grade."
    csc_return.refresh_from_db()
    assert (csc_return.status, csc_return.version) == ("draft", 1)
    assert not Answer.objects.filter(agency_return=csc_return).exists()


def test_why_not_is_needed_for_no_and_partly_only(world, audit, csc_return):
    data = world.complete_input(audit)
    data.answers["q5"] = services.AnswerInput(answer="partly", evidence="One of two incidents.")
    with pytest.raises(services.ReturnIncomplete) as exc:
        services.return_submit(
            actor=world.actor("csc"), ret=csc_return, data=data, expected_version=1
        )
    assert [f for f, _ in exc.value.errors] == ["q5-why_not"]
    data.answers[
        "q5"
    ].why_not = "The paediatrician saw the second bruise at a clinic visit instead."
    ret = services.return_submit(
        actor=world.actor("csc"), ret=csc_return, data=data, expected_version=1
    )
    assert ret.status == "submitted"
    assert Answer.objects.get(agency_return=ret, question__code="q5").why_not.startswith(
        "The paediatrician"
    )


def test_a_submitted_return_is_locked(world, audit, csc_return):
    world.submit(csc_return)
    csc_return.refresh_from_db()
    with pytest.raises(PreconditionFailed, match="submitted"):
        services.return_save(
            actor=world.actor("csc"),
            ret=csc_return,
            data=world.complete_input(audit),
            expected_version=csc_return.version,
        )


def test_the_deadline_locks_returns_until_the_business_unit_reopens(world, csc_return, audit):
    audit.return_deadline = dt.date.today() - dt.timedelta(days=1)
    audit.save()
    csc_return.refresh_from_db()
    with pytest.raises(PreconditionFailed, match="deadline"):
        services.return_save(
            actor=world.actor("csc"),
            ret=csc_return,
            data=services.ReturnInput(),
            expected_version=1,
        )
    assert not perms.can_edit_return(world.actor("csc"), csc_return)


def test_another_agency_cannot_write_this_return(world, audit, csc_return):
    with pytest.raises(NotAllowed):
        services.return_save(
            actor=world.actor("police"),
            ret=csc_return,
            data=services.ReturnInput(),
            expected_version=1,
        )


def test_a_stale_save_is_refused_and_the_first_save_survives(world, audit, csc_return):
    first = services.ReturnInput(strengths="First auditor's words.")
    second = services.ReturnInput(strengths="Second auditor's words.")
    services.return_save(actor=world.actor("csc"), ret=csc_return, data=first, expected_version=1)
    with pytest.raises(ConflictError, match="Someone else saved this return"):
        services.return_save(
            actor=world.actor("csc"), ret=csc_return, data=second, expected_version=1
        )
    csc_return.refresh_from_db()
    assert csc_return.strengths == "First auditor's words."


def test_an_immediate_concern_tells_the_business_unit_at_once_without_naming_the_child(
    world, audit, csc_return, django_capture_on_commit_callbacks
):
    data = services.ReturnInput(
        immediate_concern=True, immediate_concern_detail="A sibling was seen with a similar mark."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.return_save(
            actor=world.actor("csc"), ret=csc_return, data=data, expected_version=1
        )
    assert [m.to for m in mail.outbox] == [["admin@example.invalid"]]
    body = mail.outbox[0].body
    assert "Child A" in body
    assert "sibling" not in body and "Testchild" not in body
    assert ActivityEntry.objects.filter(action="return.immediate_concern").count() == 1


def test_an_immediate_concern_needs_a_description(world, audit, csc_return):
    data = services.ReturnInput(immediate_concern=True)
    with pytest.raises(services.ReturnIncomplete) as exc:
        services.return_save(
            actor=world.actor("csc"), ret=csc_return, data=data, expected_version=1
        )
    assert [f for f, _ in exc.value.errors] == ["immediate_concern_detail"]


def test_reopen_is_logged_and_lets_the_agency_edit_again(world, audit, csc_return):
    world.submit(csc_return)
    csc_return.refresh_from_db()
    services.return_reopen(
        actor=world.actor("admin"), ret=csc_return, reason="The wrong case was audited."
    )
    csc_return.refresh_from_db()
    assert csc_return.status == "draft"
    assert perms.can_edit_return(world.actor("csc"), csc_return)
    entry = ActivityEntry.objects.get(action="return.reopened")
    assert entry.data == {"reason": "The wrong case was audited."}


def test_only_the_business_unit_reopens_or_waives(world, audit, csc_return):
    for name in ["chair", "csc", "police", "viewer"]:
        with pytest.raises(NotAllowed):
            services.return_waive(actor=world.actor(name), ret=csc_return, reason="No reason")


def test_other_agencies_answers_stay_hidden_until_moderation(world):
    audit = world.audit(status="auditing", cases=[("csc", "police")])
    police_return = AgencyReturn.objects.get(case__audit=audit, agency=world.agencies["police"])
    assert not perms.can_read_return(world.actor("csc"), police_return)
    assert perms.can_read_return(world.actor("chair"), police_return)
    for ret in AgencyReturn.objects.filter(case__audit=audit):
        world.submit(ret)
    from maca.audits.services import audit_transition

    audit_transition(actor=world.actor("admin"), audit=audit, to_status="moderation")
    police_return.refresh_from_db()
    assert perms.can_read_return(world.actor("csc"), police_return)
    assert not perms.can_read_return(world.actor("gp"), police_return)
