"""The demo audit's published briefing carries the reference briefing's shape and figures."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from pypdf import PdfReader

from maca.audits.models import Audit
from maca.briefings import compose, services
from maca.briefings.models import BriefingFile
from maca.core.errors import PreconditionFailed
from maca.core.permissions import actor_for
from maca.partnerships.demo import NMB_REFERENCE, demo_load
from maca.partnerships.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo_load()
    return Audit.objects.get(reference=NMB_REFERENCE)


def files(audit: Audit) -> dict[str, bytes]:
    version = audit.briefing.published_version
    return {f.fmt: bytes(f.data) for f in BriefingFile.objects.filter(version=version)}


def test_the_demo_briefing_is_published_on_one_page_with_the_seed_figures(demo) -> None:
    published = files(demo)
    reader = PdfReader(io.BytesIO(published["pdf"]))
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Published 2 May 2022" in text
    assert "five children" in text
    assert "four as ‘good’ and one as ‘requires improvement’" in text
    assert "specific issues were raised in two of the cases" in text
    for agency in (
        "Children's social care",
        "Early help",
        "Health visiting",
        "Police",
        "Mental health trust",
        "GP practices",
    ):
        assert agency in text
    for question in demo.tool.questions.filter(is_aim=True):
        assert question.text.split("?")[0][:40] in text
    document = Document(io.BytesIO(published["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 7 and headings[-1] == "7. What can you do now?"
    assert "Learning from the national review" in published["txt"].decode()


def test_the_demo_briefing_passes_its_own_check_and_a_childs_name_stops_it(demo) -> None:
    briefing = demo.briefing
    known, _allow = services.known_identifiers(briefing)
    assert known is not None and known.names  # the demo's children are on record
    for fmt, data in files(demo).items():
        assert services.check_rendered(briefing, data, fmt) == [], fmt
    admin = actor_for(User.objects.get(username="admin"))
    latest = services.latest_version(briefing)
    bodies = compose.bodies_of(latest)
    services.version_save(
        actor=admin,
        briefing=briefing,
        bodies={**bodies, "summary": bodies["summary"] + " Maisie's plan ended early."},
        expected_number=latest.number,
    )
    with pytest.raises(PreconditionFailed):
        services.briefing_publish(actor=admin, briefing=briefing, expected_number=latest.number + 1)
    briefing.refresh_from_db()
    assert briefing.published_version == latest
