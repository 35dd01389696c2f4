"""The panel records one overall grade per case, with reasons and nuances."""

from __future__ import annotations

import pytest

from maca.core.errors import ConflictError, NotAllowed, ServiceError
from maca.moderation.models import CaseModeration
from maca.moderation.services import case_moderate


@pytest.fixture
def audit(world):
    return world.audit(status="moderation", cases=[("csc", "police")])


def test_the_chair_records_a_grade_with_specific_issues(world, audit):
    case = audit.cases.get()
    m = case_moderate(
        actor=world.actor("chair"),
        case=case,
        grade="good",
        reasons="Safe and timely.",
        has_specific_issues=True,
        specific_issues="The second opinion was slow.",
    )
    assert (m.grade_label, m.has_specific_issues) == ("Good", True)


def test_specific_issues_need_describing(world, audit):
    with pytest.raises(ServiceError) as exc:
        case_moderate(
            actor=world.actor("chair"),
            case=audit.cases.get(),
            grade="good",
            reasons="Fine.",
            has_specific_issues=True,
        )
    assert exc.value.field == "specific_issues"
    assert not CaseModeration.objects.exists()


def test_a_grade_off_the_scale_is_refused(world, audit):
    with pytest.raises(ServiceError, match="Select the overall grade"):
        case_moderate(
            actor=world.actor("chair"), case=audit.cases.get(), grade="amber", reasons="x"
        )


def test_only_this_audits_panel_moderates(world, audit):
    for name in ["other-chair", "csc", "viewer"]:
        with pytest.raises(NotAllowed):
            case_moderate(
                actor=world.actor(name), case=audit.cases.get(), grade="good", reasons="x"
            )


def test_moderation_only_while_the_audit_is_in_moderation(world):
    running = world.audit("running", status="auditing")
    with pytest.raises(NotAllowed):
        case_moderate(
            actor=world.actor("chair"), case=running.cases.first(), grade="good", reasons="x"
        )


def test_two_panel_members_do_not_overwrite_each_other(world, audit):
    case = audit.cases.get()
    first = case_moderate(actor=world.actor("chair"), case=case, grade="good", reasons="First.")
    case_moderate(
        actor=world.actor("admin"),
        case=case,
        grade="inadequate",
        reasons="Revised.",
        expected_version=first.version,
    )
    with pytest.raises(ConflictError):
        case_moderate(
            actor=world.actor("chair"),
            case=case,
            grade="outstanding",
            reasons="Stale.",
            expected_version=first.version,
        )
    with pytest.raises(ConflictError):
        case_moderate(actor=world.actor("chair"), case=case, grade="good", reasons="Also stale.")
    stored = CaseModeration.objects.get(case=case)
    assert (stored.grade, stored.reasons) == ("inadequate", "Revised.")
