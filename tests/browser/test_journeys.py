"""The main journeys in real headless Chromium, with axe on every page visited.

Journeys that involve forms run twice: with JavaScript off (every page must work without it)
and on (GOV.UK Frontend's enhancements: error summary focus, links that focus their field).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from maca.audits.models import Audit
from maca.returns.models import AgencyReturn
from tests.browser.support import axe_check, axe_violations, sign_in

JS_MODES = pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
SignedIn = Callable[..., Page]


def expect_heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def expect_success(page: Page, text: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Success")
    expect(banner).to_contain_text(text)


def expect_error_summary(page: Page, *, js: bool, messages: list[str]) -> list[str]:
    """The GOV.UK error summary is shown, lists `messages`, and each link targets a field.

    Returns the ids the summary links to.
    """
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)
    ids = []
    for link in summary.locator("a").all():
        href = link.get_attribute("href") or ""
        assert href.startswith("#"), f"error summary link {href!r} is not an in-page link"
        target = page.locator(f"[id='{href[1:]}']")
        expect(target, f"error summary links to {href}, which is not on the page").to_have_count(1)
        ids.append(href[1:])
    if js:  # GOV.UK Frontend moves focus to the summary on load
        expect(summary).to_be_focused()
    return ids


def click_error_link(page: Page, field_id: str) -> None:
    """With JavaScript, a summary link focuses its field (GOV.UK Frontend)."""
    page.locator(".govuk-error-summary").locator(f"a[href='#{field_id}']").first.click()
    expect(page.locator(f"[id='{field_id}']")).to_be_focused()


def main_form_fields(page: Page) -> Locator:
    return page.get_by_role("main").locator(
        "textarea, select, input:not([type=hidden]), button[type=submit]"
    )


# --- Agency auditor -----------------------------------------------------------------------

WHY_NOT_CODES = {"q4", "q5"}


def fill_return(page: Page, audit: Audit) -> None:
    """Answer every question as an auditor would, from the labels on the page."""
    for q in audit.tool.questions.all():
        code = q.code
        if q.answer_type == "choice":
            group = page.get_by_role("group", name=re.compile(rf"^{code.upper()}\. "))
            answer = "No" if code in WHY_NOT_CODES else "Yes"
            group.get_by_label(answer, exact=True).check()
            if code in WHY_NOT_CODES:
                page.get_by_label(f"If not, why not? (question {code})", exact=True).fill(
                    f"No {code} because the baby was already in hospital."
                )
        else:
            page.get_by_label(re.compile(rf"^{code.upper()}\. ")).fill(f"Answer to {code}.")
        page.get_by_label(f"Evidence for question {code}", exact=True).fill(
            f"Case notes for {code}."
        )
    page.get_by_label("Strengths in your agency's practice").fill("Prompt referral.")
    page.get_by_role("group", name="Your grade for your agency's practice").get_by_label(
        "Good", exact=True
    ).check()
    page.get_by_label("Reason for the grade", exact=True).fill("Timely and thorough.")


def expect_return_values(page: Page, audit: Audit) -> None:
    for q in audit.tool.questions.all():
        code = q.code
        if q.answer_type == "choice":
            group = page.get_by_role("group", name=re.compile(rf"^{code.upper()}\. "))
            answer = "No" if code in WHY_NOT_CODES else "Yes"
            expect(group.get_by_label(answer, exact=True)).to_be_checked()
        else:
            expect(page.get_by_label(re.compile(rf"^{code.upper()}\. "))).to_have_value(
                f"Answer to {code}."
            )
        expect(page.get_by_label(f"Evidence for question {code}", exact=True)).to_have_value(
            f"Case notes for {code}."
        )
    expect(page.get_by_label("If not, why not? (question q4)", exact=True)).to_have_value(
        "No q4 because the baby was already in hospital."
    )
    expect(page.get_by_label("Strengths in your agency's practice")).to_have_value(
        "Prompt referral."
    )
    expect(page.get_by_label("Good", exact=True)).to_be_checked()
    expect(page.get_by_label("Reason for the grade", exact=True)).to_have_value(
        "Timely and thorough."
    )


@pytest.mark.django_db(transaction=True)
@JS_MODES
def test_agency_auditor_completes_and_submits_a_return(world, signed_in: SignedIn, js: bool):
    audit = world.audit("babies-2024", status="auditing", cases=[("csc", "police")])
    page = signed_in("csc", js=js, check_accessibility=True)
    axe_check(page)

    page.get_by_role("main").get_by_role("link", name=audit.title).first.click()
    expect_heading(page, audit.title)
    axe_check(page)

    page.get_by_role("link", name="Child A", exact=True).click()
    expect_heading(page, "Child A")
    axe_check(page)

    page.get_by_role("link", name="CSC", exact=True).click()
    expect_heading(page, "CSC return")
    expect(page.get_by_role("main").locator(".govuk-tag").first).not_to_have_text("Submitted")
    axe_check(page)

    # Submitting nothing: every missing answer is listed and linked to its field.
    page.get_by_role("button", name="Submit return").click()
    ids = expect_error_summary(
        page,
        js=js,
        messages=[
            "Select an answer to question q1.",
            "Enter an answer to question q8.",
            "Select a grade for your agency's practice.",
            "Enter the reason for your grade.",
        ],
    )
    assert "id_q1-answer" in ids and "id_q8-text" in ids and "id_grade_reason" in ids
    expect(page.locator("[id='id_q1-answer-error']")).to_contain_text(
        "Select an answer to question q1."
    )
    axe_check(page)
    if js:
        click_error_link(page, "id_q1-answer")
        click_error_link(page, "id_q8-text")
    assert AgencyReturn.objects.get(agency__slug="csc").status == "draft"

    # A draft keeps everything typed so far.
    fill_return(page, audit)
    page.get_by_role("button", name="Save draft").click()
    expect_success(page, "Draft saved.")
    expect_heading(page, "CSC return")
    axe_check(page)
    page.reload()
    expect(page.locator(".govuk-notification-banner--success")).to_have_count(0)
    expect_return_values(page, audit)

    # Submitting: back on the case, the return is submitted and can no longer be changed.
    page.get_by_role("button", name="Submit return").click()
    expect_success(page, "Child A: CSC return submitted. Thank you.")
    expect_heading(page, "Child A")
    csc_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="CSC", exact=True))
    expect(csc_row).to_contain_text("Submitted")
    axe_check(page)

    page.get_by_role("link", name="CSC", exact=True).click()
    expect_heading(page, "CSC return")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Submitted")
    expect(main_form_fields(page)).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(
        "Why not: No q4 because the baby was already in hospital."
    )
    expect(page.get_by_role("main")).to_contain_text("Timely and thorough.")
    axe_check(page)
    ret = AgencyReturn.objects.get(agency__slug="csc")
    assert ret.status == "submitted"
    assert ret.grade == "good"


@pytest.mark.django_db(transaction=True)
def test_stale_save_keeps_the_second_auditors_text(world, signed_in: SignedIn):
    world.audit("stale", status="auditing", cases=[("csc",)])
    url = "/audits/stale/cases/1/returns/csc/"
    first, second = signed_in("csc"), signed_in("csc")
    first.goto(url)
    second.goto(url)
    expect_heading(second, "CSC return")

    first.get_by_label("Strengths in your agency's practice").fill("First auditor's text.")
    first.get_by_role("button", name="Save draft").click()
    expect_success(first, "Draft saved.")

    strengths = second.get_by_label("Strengths in your agency's practice")
    strengths.fill("Second auditor's text.")
    second.get_by_role("button", name="Save draft").click()
    expect_error_summary(
        second, js=True, messages=["Someone else saved this return after you opened it."]
    )
    expect(strengths).to_have_value("Second auditor's text.")
    axe_check(second)
    assert AgencyReturn.objects.get(agency__slug="csc").strengths == "First auditor's text."


# --- Panel chair --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@JS_MODES
def test_chair_records_the_panel_grade(world, signed_in: SignedIn, js: bool):
    audit = world.audit("panel", status="moderation")
    page = signed_in("chair", js=js)
    axe_check(page)

    page.get_by_role("main").get_by_role("link", name=audit.title).first.click()
    expect_heading(page, audit.title)
    axe_check(page)

    page.get_by_role("link", name="Child A", exact=True).click()
    expect_heading(page, "Child A")
    expect(page.get_by_role("main")).to_contain_text("Not graded yet")
    axe_check(page)

    page.get_by_role("link", name="Read all returns side by side").click()
    expect_heading(page, "Child A: returns side by side")
    table = page.get_by_role("table", name="Returns side by side")
    for agency in ("CSC", "POLICE"):
        expect(table.get_by_role("columnheader", name=agency, exact=True)).to_be_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Child A").click()
    page.get_by_role("button", name="Record the panel grade").click()
    expect_heading(page, "Panel grade for Child A")
    axe_check(page)

    page.get_by_role("button", name="Save panel grade").click()
    ids = expect_error_summary(
        page, js=js, messages=["Select the overall grade for this case.", "panel's reasons"]
    )
    assert ids == ["id_grade", "id_reasons"]
    axe_check(page)
    if js:
        click_error_link(page, "id_grade")
        click_error_link(page, "id_reasons")

    page.get_by_role("group", name="Overall grade for this case").get_by_label(
        "Good", exact=True
    ).check()
    page.get_by_label("The panel's reasons").fill("Agencies acted quickly; one delay.")
    page.get_by_label("The grade comes with specific issues").check()
    page.get_by_label("Specific issues", exact=True).fill("The strategy meeting was late.")
    page.get_by_role("button", name="Save panel grade").click()

    expect_success(page, "Grade for Child A saved.")
    expect_heading(page, audit.title)
    child_a = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Child A", exact=True)
    )
    expect(child_a.get_by_role("cell").last).to_have_text(re.compile(r"^Good\b"))
    axe_check(page)


# --- Business unit ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@JS_MODES
def test_business_unit_plans_an_audit_adds_a_case_and_moves_it_to_sampling(
    world, signed_in: SignedIn, js: bool
):
    today = dt.date.today()
    page = signed_in("admin", js=js)
    axe_check(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audits").click()
    expect_heading(page, "Audits")
    axe_check(page)

    page.get_by_role("button", name="Plan a new audit").click()
    expect_heading(page, "Plan a new audit")
    axe_check(page)

    page.get_by_label("Theme", exact=True).fill("Neglect in teenagers")
    page.get_by_label("Reference", exact=True).fill("neglect-2025")
    page.get_by_label("Audit tool").select_option(label=str(world.tool))
    page.get_by_label("Start of the period under review").fill("31/02/2022")
    page.get_by_label("End of the period under review").fill("31/12/2022")
    page.get_by_label("Return deadline").fill((today + dt.timedelta(days=30)).strftime("%d/%m/%Y"))
    page.get_by_label("Panel date").fill((today + dt.timedelta(days=45)).strftime("%d/%m/%Y"))
    page.get_by_label("Panel chair").select_option(label="chair")
    agencies = page.get_by_role("group", name="Agencies taking part")
    agencies.get_by_label("CSC", exact=True).check()
    agencies.get_by_label("POLICE", exact=True).check()
    page.get_by_role("button", name="Save audit").click()

    message = "Start of the period under review must be a real date, like 11/04/2022."
    assert expect_error_summary(page, js=js, messages=[message]) == ["id_period_start"]
    expect(page.locator("#id_period_start-error")).to_contain_text(message)
    expect(page.get_by_label("Start of the period under review")).to_have_value("31/02/2022")
    expect(page.get_by_label("Theme", exact=True)).to_have_value("Neglect in teenagers")
    expect(agencies.get_by_label("POLICE", exact=True)).to_be_checked()
    axe_check(page)
    assert not Audit.objects.filter(reference="neglect-2025").exists()

    page.get_by_label("Start of the period under review").fill("01/01/2022")
    page.get_by_role("button", name="Save audit").click()
    expect_success(page, "Audit “Neglect in teenagers” created.")
    expect_heading(page, "Neglect in teenagers")
    expect(page.get_by_role("main")).to_contain_text("No cases yet.")
    axe_check(page)

    page.get_by_role("link", name="Add a case by hand").click()
    expect_heading(page, "Add a case")
    axe_check(page)
    page.get_by_label("Child's first name").fill("Jamie")
    page.get_by_label("Child's last name").fill("Example")
    page.get_by_label("Date of birth").fill("01/05/2008")
    page.get_by_label("Council ID").fill("C-0042")
    page.get_by_role("group", name="Agencies that knew the child").get_by_label(
        "CSC", exact=True
    ).check()
    page.get_by_role("button", name="Add case").click()
    expect_success(page, "Child A added.")
    expect(page.get_by_role("link", name="Child A", exact=True)).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Jamie")
    axe_check(page)

    page.get_by_role("button", name="Move to sampling").click()
    expect_success(page, "The audit is now in sampling.")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Sampling")
    axe_check(page)
    audit = Audit.objects.get(reference="neglect-2025")
    assert audit.status == "sampling"
    assert audit.period_start == dt.date(2022, 1, 1)
    assert audit.cases.count() == 1


# --- What people cannot see ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_police_cannot_open_a_case_their_agency_did_not_know(world, signed_in: SignedIn):
    world.audit("secret", status="auditing", cases=[("csc", "gp"), ("csc", "police")])
    page = signed_in("police")
    page.goto("/audits/secret/")
    expect_heading(page, "Audit secret")
    expect(page.get_by_role("link", name="Child B", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Child A", exact=True)).to_have_count(0)
    axe_check(page)

    for url in (
        "/audits/secret/cases/1/",
        "/audits/secret/cases/1/returns/police/",
        "/audits/secret/cases/1/returns/csc/",
        "/audits/secret/cases/2/returns/csc/",
    ):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.locator("body")).not_to_contain_text("Child")

    response = page.goto("/audits/secret/cases/2/")
    assert response is not None and response.status == 200
    expect_heading(page, "Child B")


@pytest.mark.django_db(transaction=True)
@JS_MODES
def test_viewer_sees_the_dashboard_without_audits_or_cases(
    world, open_browser: Callable[..., Page], js: bool
):
    world.audit("hidden", status="auditing")
    page = open_browser(js=js)

    page.goto("/accounts/login/")
    page.locator("#id_username").fill("viewer")
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect_heading(page, "Sign in")
    expect_error_summary(page, js=js, messages=["Please enter a correct username and password"])
    axe_check(page)

    sign_in(page, "viewer", check_accessibility=True)
    main = page.get_by_role("main")
    expect(main.get_by_role("link")).to_have_count(0)
    expect(main).not_to_contain_text("Audit hidden")
    expect(main).not_to_contain_text("Child A")
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(menu.get_by_role("link", name="Audits")).to_have_count(0)
    axe_check(page)

    response = page.goto("/audits/hidden/")
    assert response is not None and response.status == 404


@pytest.mark.django_db(transaction=True)
def test_not_found_page_is_accessible(world, signed_in: SignedIn):
    page = signed_in("police")
    response = page.goto("/audits/no-such-audit/")
    assert response is not None and response.status == 404
    violations = axe_violations(page)
    assert not violations, [v["id"] for v in violations]
