"""`maca briefing AUDIT --format ... --output FILE` (contracts.md section 1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from maca.briefings import compose, services
from maca.briefings.models import BriefingFile

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("briefing", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), f"{err.getvalue()}{exc}"
    return 0, out.getvalue(), err.getvalue()


def test_the_published_briefing_is_written_exactly_as_checked(world, tmp_path) -> None:
    audit = world.audit("cmd", status="published")
    target = tmp_path / "briefing.pdf"
    code, out, _ = run(audit.reference, "--format", "pdf", "--output", str(target))
    assert code == 0 and "published version 1" in out
    stored = BriefingFile.objects.get(version__briefing__audit=audit, fmt="pdf")
    assert target.read_bytes() == bytes(stored.data)


def test_without_a_published_version_the_draft_is_marked(world, tmp_path) -> None:
    audit = world.audit("cmd-draft", status="reporting")
    target = tmp_path / "briefing.docx"
    code, out, _ = run(audit.reference, "--format", "docx", "--output", str(target))
    assert code == 0 and "draft composed now" in out
    assert Document(str(target)).core_properties.title.startswith("DRAFT")


def test_identifying_text_fails_with_findings_and_leaves_no_file(world, tmp_path) -> None:
    audit = world.audit("cmd-bad", status="reporting")
    briefing = services.briefing_start(actor=world.actor("admin"), audit=audit)
    bodies = compose.bodies_of(services.latest_version(briefing))
    services.version_save(
        actor=world.actor("admin"),
        briefing=briefing,
        bodies={**bodies, "summary": "Testchild Surname lives at B1 1AA."},
        expected_number=1,
    )
    target = tmp_path / "briefing.html"
    code, out, err = run(audit.reference, "--format", "html", "--output", str(target))
    assert code == 1
    assert "Testchild" in err and "B1 1AA" in err
    assert out == ""
    assert not target.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ("no-such-audit", "--format", "pdf", "--output", "{tmp}/x.pdf"),
        ("cmd-u", "--format", "pdf", "--output", "{tmp}/missing-folder/x.pdf"),
    ],
)
def test_unusable_arguments_exit_2_and_write_nothing(world, tmp_path, args) -> None:
    world.audit("cmd-u", status="reporting")
    code, out, err = run(*(a.format(tmp=tmp_path) for a in args))
    assert code == 2 and out == "" and err
    assert list(tmp_path.iterdir()) == []
