"""Composing, versioning and publishing a briefing through the services."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from maca.activity.models import ActivityEntry
from maca.briefings import compose, services
from maca.briefings.disclosure import check_bytes
from maca.briefings.models import Briefing, BriefingFile
from maca.core.errors import ConflictError, NotAllowed, PreconditionFailed, ServiceError
from maca.findings import services as finding_services
from maca.moderation.services import case_moderate

pytestmark = pytest.mark.django_db

# Testchild Surname, born 1 May 2021, council ID C123: the world's restricted case record.
VALID_NHS = "943 476 5919"


@pytest.fixture
def reporting(world):
    """An audit of three cases after the panel: two good (one with issues), one RI."""
    audit = world.audit(
        "nmb", status="moderation", cases=[("csc", "police"), ("csc", "gp"), ("csc",)]
    )
    chair = world.actor("chair")
    grades = [("good", False), ("good", True), ("requires_improvement", False)]
    for case, (grade, issues) in zip(audit.cases.order_by("number"), grades, strict=True):
        case_moderate(
            actor=chair,
            case=case,
            grade=grade,
            reasons="As discussed.",
            has_specific_issues=issues,
            specific_issues="A delay." if issues else "",
        )
    audit = services_transition(world, audit)
    cases = list(audit.cases.order_by("number"))
    finding_services.finding_save(
        actor=chair,
        audit=audit,
        data=finding_services.FindingInput(
            "good_practice", "Strategy discussions were prompt.", (cases[0].pk, cases[1].pk)
        ),
    )
    finding_services.finding_save(
        actor=chair,
        audit=audit,
        data=finding_services.FindingInput("summary", "Babies were kept safe."),
    )
    finding_services.step_save(
        actor=chair,
        audit=audit,
        data=finding_services.StepInput("Read the guidance", "https://example.org/g"),
    )
    return audit


def services_transition(world, audit):
    from maca.audits.services import audit_transition

    return audit_transition(actor=world.actor("chair"), audit=audit, to_status="reporting")


def test_the_first_draft_is_composed_from_the_audit(world, reporting) -> None:
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    bodies = compose.bodies_of(services.latest_version(briefing))
    assert "three children" in bodies["case_selection"] or "three cases" in bodies["case_selection"]
    assert "two as ‘good’ and one as ‘requires improvement’" in bodies["case_selection"]
    assert "specific issues were raised in one of the case" in bodies["case_selection"]
    assert "- Strategy discussions were prompt. (in two of three cases)" in bodies["good_practice"]
    assert bodies["summary"] == "Babies were kept safe."
    assert "- [Read the guidance](https://example.org/g)" in bodies["what_you_can_do"]
    questions = list(reporting.tool.questions.filter(is_aim=True).values_list("text", flat=True))
    assert questions and all(f"- {q}" in bodies["aim"] for q in questions)
    # Starting twice gives the same briefing.
    assert services.briefing_start(actor=world.actor("admin"), audit=reporting) == briefing


def test_saving_makes_a_new_version_and_a_stale_save_is_refused(world, reporting) -> None:
    chair = world.actor("chair")
    briefing = services.briefing_start(actor=chair, audit=reporting)
    bodies = compose.bodies_of(services.latest_version(briefing))
    same = services.version_save(actor=chair, briefing=briefing, bodies=bodies, expected_number=1)
    assert same.number == 1  # nothing changed: no new version
    second = services.version_save(
        actor=chair,
        briefing=briefing,
        bodies={**bodies, "summary": "Reworded."},
        expected_number=1,
        note="Chair's wording",
    )
    assert second.number == 2 and compose.bodies_of(second)["summary"] == "Reworded."
    assert compose.bodies_of(briefing.versions.get(number=1))["summary"] == "Babies were kept safe."
    with pytest.raises(ConflictError):
        services.version_save(
            actor=world.actor("admin"),
            briefing=briefing,
            bodies={**bodies, "summary": "Lost update"},
            expected_number=1,
        )
    with pytest.raises(ServiceError) as too_long:
        services.version_save(
            actor=chair,
            briefing=briefing,
            bodies={**bodies, "aim": "x " * 700},
            expected_number=2,
        )
    assert too_long.value.field == "aim" and "to fit on one page" in too_long.value.message
    assert briefing.versions.count() == 2


def test_only_the_panel_drafts_and_only_the_business_unit_publishes(world, reporting) -> None:
    with pytest.raises(NotAllowed):
        services.briefing_start(actor=world.actor("csc"), audit=reporting)
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    for who in ("csc", "viewer", "other-chair"):
        with pytest.raises(NotAllowed):
            services.version_save(
                actor=world.actor(who), briefing=briefing, bodies={}, expected_number=1
            )
    with pytest.raises(NotAllowed):
        services.briefing_publish(actor=world.actor("chair"), briefing=briefing, expected_number=1)


def test_publishing_stores_the_checked_files_and_moves_the_audit_on(world, reporting) -> None:
    admin = world.actor("admin")
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    version, checked = services.briefing_publish(actor=admin, briefing=briefing, expected_number=1)
    assert checked.clean and checked.fits
    reporting.refresh_from_db()
    assert reporting.status == "published"
    briefing.refresh_from_db()
    assert briefing.published_version == version and version.published_at is not None
    files = {f.fmt: bytes(f.data) for f in BriefingFile.objects.filter(version=version)}
    assert set(files) == {"html", "pdf", "docx", "txt"}
    assert len(PdfReader(io.BytesIO(files["pdf"])).pages) == 1
    assert "DRAFT" not in Document(io.BytesIO(files["docx"])).core_properties.title
    for fmt, data in files.items():  # what is stored passes the check, read back again
        assert check_bytes(data, fmt, known=services.known_identifiers(briefing)[0]) == []
    assert ActivityEntry.objects.filter(action="briefing.publish", target_id=briefing.pk).exists()
    with pytest.raises(PreconditionFailed, match="already published"):
        services.briefing_publish(actor=admin, briefing=briefing, expected_number=1)


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        (f"Her NHS number is {VALID_NHS}.", "nhs-number"),
        ("The family moved to WS1 1AA last year.", "postcode"),
        ("Testchild's father attended the meeting.", "name"),
        ("Testchild Surname was seen at home.", "name"),
        ("Reference C123 was used.", "council-id"),
    ],
)
def test_identifying_wording_stops_publication(world, reporting, planted, kind) -> None:
    admin = world.actor("admin")
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    bodies = compose.bodies_of(services.latest_version(briefing))
    services.version_save(
        actor=admin,
        briefing=briefing,
        bodies={**bodies, "summary": f"{bodies['summary']} {planted}"},
        expected_number=1,
    )
    with pytest.raises(PreconditionFailed, match="disclosure check found"):
        services.briefing_publish(actor=admin, briefing=briefing, expected_number=2)
    briefing.refresh_from_db()
    reporting.refresh_from_db()
    assert briefing.published_version is None and reporting.status == "reporting"
    assert not BriefingFile.objects.exists()
    checked = services.render_checked(
        briefing, services.version_content(services.latest_version(briefing), draft=False)
    )
    found = checked.unique_findings()
    assert found, "the check must name what it found"
    # Every rendered format is checked, and each finding says where it is.
    assert set(checked.findings) == {"html", "pdf", "docx", "txt"}
    assert all(checked.findings[fmt] for fmt in checked.findings)
    assert all(f.location for _, f in found)
    assert kind in {f.kind for _, f in found}


def test_an_override_needs_a_reason_and_is_logged_without_the_identifier(world, reporting) -> None:
    admin = world.actor("admin")
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    bodies = compose.bodies_of(services.latest_version(briefing))
    services.version_save(
        actor=admin,
        briefing=briefing,
        bodies={**bodies, "summary": "Call 01632 960123 to book."},
        expected_number=1,
    )
    with pytest.raises(ServiceError) as short:
        services.briefing_publish(
            actor=admin, briefing=briefing, expected_number=2, override_reason="fine"
        )
    assert short.value.field == "override_reason"
    reason = "This is the partnership's public switchboard, published on its website."
    version, _ = services.briefing_publish(
        actor=admin, briefing=briefing, expected_number=2, override_reason=reason
    )
    assert version.override_reason == reason
    entry = ActivityEntry.objects.get(action="briefing.publish_override")
    assert entry.data["reason"] == reason and entry.data["findings"] >= 1
    assert "01632" not in str(entry.data) and "01632" not in entry.target_label


def test_a_review_briefing_has_the_same_sections_and_no_audit(world) -> None:
    admin = world.actor("admin")
    briefing = services.review_briefing_create(
        actor=admin,
        partnership=world.partnership,
        reference="rapid-review-1",
        title="Rapid review: a bruised baby",
        source_kind="rapid_review",
    )
    assert briefing.audit is None
    content = services.version_content(services.latest_version(briefing))
    assert [s.key for s in content.sections] == list(compose.SECTION_KEYS)
    assert content.subtitle == "Rapid review" and content.grades == ()
    with pytest.raises(ServiceError) as taken:
        services.review_briefing_create(
            actor=admin,
            partnership=world.partnership,
            reference="rapid-review-1",
            title="Again",
            source_kind="local_review",
        )
    assert taken.value.field == "reference"
    with pytest.raises(NotAllowed):
        services.review_briefing_create(
            actor=world.actor("chair"),
            partnership=world.partnership,
            reference="x",
            title="x",
            source_kind="rapid_review",
        )
    assert Briefing.objects.count() == 1


def test_partnership_headings_rename_sections_everywhere(world, reporting) -> None:
    admin = world.actor("admin")
    services.style_save(
        actor=admin,
        partnership=world.partnership,
        headings={"good_practice": "What went well", "summary": "Summary"},
        accent_colour="#eeeeee",
        contact="example.org/learning",
        expected_version=0,
    )
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    content = services.version_content(services.latest_version(briefing))
    headings = {s.key: s.heading for s in content.sections}
    assert headings["good_practice"] == "What went well"
    assert headings["summary"] == "Summary"
    assert content.accent_colour == "#eeeeee"
    from maca.briefings.renderers import render

    assert "5. What went well" in render(content, "txt").decode()
    with pytest.raises(ServiceError) as long_heading:
        services.style_save(
            actor=admin,
            partnership=world.partnership,
            headings={"aim": "x" * 61},
            accent_colour="#eeeeee",
            contact="",
            expected_version=1,
        )
    assert long_heading.value.field == "heading_aim"


def test_background_says_when_the_audit_looked_and_the_panel_met(world, reporting) -> None:
    briefing = services.briefing_start(actor=world.actor("chair"), audit=reporting)
    background = compose.bodies_of(services.latest_version(briefing))["background"]
    assert "from 1 January 2022 to 31 December 2022" in background
    assert f"The panel met on {compose.long_date(reporting.panel_date)}." in background
