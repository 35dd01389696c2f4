"""The briefing pages as their users meet them: edit with preview, check, publish, download."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from maca.briefings import compose, services
from maca.briefings.models import BriefingFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing(world):
    audit = world.audit("pages", status="reporting", cases=[("csc", "police"), ("csc", "gp")])
    return services.briefing_start(actor=world.actor("chair"), audit=audit)


def form_data(briefing, **changes: str) -> dict[str, str]:
    latest = services.latest_version(briefing)
    return {"number": str(latest.number), **compose.bodies_of(latest), **changes}


def test_the_chair_edits_the_wording_and_sees_it_in_the_preview(briefing, client, login) -> None:
    login("chair")
    edit = reverse("briefings:edit", args=[briefing.reference])
    page = client.get(edit).content.decode()
    assert "Edit the wording" in page and 'id="briefing-preview"' in page
    # Without JavaScript: the Preview button shows the unsaved wording and saves nothing.
    preview = client.post(
        edit, {**form_data(briefing, summary="Unsaved summary."), "action": "preview"}
    )
    assert "Unsaved summary." in preview.content.decode()
    assert briefing.versions.count() == 1
    # The live preview endpoint answers with the article alone.
    fragment = client.post(
        reverse("briefings:preview", args=[briefing.reference]),
        form_data(briefing, good_practice="- Prompt referrals"),
    ).content.decode()
    assert fragment.lstrip().startswith("<article") and "<li>Prompt referrals</li>" in fragment
    saved = client.post(edit, {**form_data(briefing, summary="Saved summary."), "action": "save"})
    assert saved.status_code == 302
    assert compose.bodies_of(services.latest_version(briefing))["summary"] == "Saved summary."


def test_too_long_wording_is_named_and_not_saved(briefing, client, login) -> None:
    login("chair")
    response = client.post(
        reverse("briefings:edit", args=[briefing.reference]),
        {**form_data(briefing, aim="word " * 300), "action": "save"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_aim"' in page  # the error summary links to the field
    assert "characters or fewer" in page
    assert briefing.versions.count() == 1


def test_publishing_shows_the_check_and_refuses_identifying_text(briefing, client, login) -> None:
    login("admin")
    client.post(
        reverse("briefings:edit", args=[briefing.reference]),
        {
            **form_data(briefing, summary="Testchild was bruised. Call 07700 900123."),
            "action": "save",
        },
    )
    url = reverse("briefings:publish", args=[briefing.reference])
    page = client.get(url).content.decode()
    assert "possible identifiers" in page
    assert "Testchild" in page and "07700 900123" in page  # what to fix, and where
    assert "found in HTML, PDF, DOCX, TXT" in page  # every rendered file was read back
    refused = client.post(url, {"number": "2"})
    assert refused.status_code == 200
    assert "fix the wording before publishing" in refused.content.decode()
    briefing.refresh_from_db()
    assert briefing.published_version is None
    # A draft download is checked too, and refused.
    download = client.get(
        reverse("briefings:download", args=[briefing.reference, "docx"]) + "?draft=1"
    )
    assert download.status_code == 409 and b"Testchild" in download.content


def test_a_clean_briefing_is_published_and_downloads_as_checked(briefing, client, login) -> None:
    login("admin")
    url = reverse("briefings:publish", args=[briefing.reference])
    assert "Nothing identifying was found" in client.get(url).content.decode()
    assert client.post(url, {"number": "1"}).status_code == 302
    stored = BriefingFile.objects.get(version__briefing=briefing, fmt="pdf")
    login("viewer")
    listing = client.get(reverse("briefings:list")).content.decode()
    assert briefing.title in listing and "Published" in listing
    assert briefing.title in client.get(reverse("dashboard")).content.decode()
    response = client.get(reverse("briefings:download", args=[briefing.reference, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(stored.data)
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    page = client.get(reverse("briefings:detail", args=[briefing.reference])).content.decode()
    assert "Published" in page and "Edit the wording" not in page


def test_viewers_do_not_see_drafts(briefing, client, login) -> None:
    login("viewer")
    assert client.get(reverse("briefings:detail", args=[briefing.reference])).status_code == 404
    assert briefing.title not in client.get(reverse("briefings:list")).content.decode()


def test_the_partnership_renames_headings_in_the_app(world, briefing, client, login) -> None:
    login("admin")
    data = {f"heading_{k}": "" for k in compose.SECTION_KEYS}
    response = client.post(
        reverse("briefings:style"),
        {
            **data,
            "version": "0",
            "heading_what_you_can_do": "Your next steps",
            "accent_colour": "not a colour",
            "contact": "",
        },
    )
    assert "Enter the colour as # and six hex digits" in response.content.decode()
    response = client.post(
        reverse("briefings:style"),
        {
            **data,
            "version": "0",
            "heading_what_you_can_do": "Your next steps",
            "accent_colour": "#f0f4f5",
            "contact": "",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("briefings:detail", args=[briefing.reference])).content.decode()
    assert "Your next steps" in page
    css = client.get(reverse("briefings:style_css")).content.decode()
    assert "--briefing-accent: #f0f4f5" in css


def test_publishing_asks_to_confirm_it_is_you_after_a_while(briefing, client, login) -> None:
    from maca.core.reauth import AUTHENTICATED_AT

    login("admin")
    session = client.session
    session[AUTHENTICATED_AT] = 0  # signed in long ago
    session.save()
    url = reverse("briefings:publish", args=[briefing.reference])
    response = client.post(url, {"number": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:confirm"))
    briefing.refresh_from_db()
    assert briefing.published_version is None
    # Someone who may not publish still gets "not found", not the confirm page.
    login("viewer")
    session = client.session
    session[AUTHENTICATED_AT] = 0
    session.save()
    assert client.post(url, {"number": "1"}).status_code == 404


@pytest.mark.parametrize(
    ("name", "extra"),
    [("briefings:detail", []), ("briefings:edit", []), ("briefings:version", [1])],
)
def test_pages_showing_the_briefing_have_one_main_heading(
    briefing, client, login, name, extra
) -> None:
    """The embedded briefing's title is a sub-heading: screen-reader users navigate by the h1."""
    login("chair")
    page = client.get(reverse(name, args=[briefing.reference, *extra])).content.decode()
    assert page.count("<h1") == 1
    assert page.count('<h2 class="briefing__title"') == 1
    assert page.count('<h3 class="briefing__heading"') == 7
