"""Programme, re-audit links with wording suggestions, and the insight dashboards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from maca.chronology.engine import load_protocol
from maca.core.errors import ServiceError
from maca.findings import services as finding_services
from maca.insight import services
from maca.insight.models import FindingLink
from tests.actions.support import add_action
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

EARLIER = [
    ("area_for_development", "A wait for a second medical opinion held up decisions for a baby."),
    ("good_practice", "Strategy discussions happened quickly with the right people."),
]
LATER = [
    ("area_for_development", "Waits for a second medical opinion still held up decisions."),
    ("area_for_development", "Fathers were rarely seen or spoken to."),
]


def _findings(world, audit, items):
    return [
        finding_services.finding_save(
            actor=world.actor("chair"),
            audit=audit,
            data=finding_services.FindingInput(kind, text),
        )
        for kind, text in items
    ]


def test_wording_suggests_the_likely_earlier_finding(world) -> None:
    earlier = world.audit("first", status="reporting")
    old = _findings(world, earlier, EARLIER)
    later = world.audit("again", status="reporting", cases=[("csc",)])
    new = _findings(world, later, LATER)
    match = services.suggest(new[0], old)
    assert match is not None and match.earlier == old[0]
    assert services.suggest(new[1], old) is None  # nothing alike: no suggestion


def test_linking_needs_a_reaudit_and_an_earlier_finding(world) -> None:
    earlier = world.audit("first", status="reporting")
    old = _findings(world, earlier, EARLIER)
    later = world.audit("again", status="reporting", cases=[("csc",)])
    new = _findings(world, later, LATER)
    chair = world.actor("chair")
    with pytest.raises(ServiceError):
        services.finding_link(
            actor=chair,
            audit=later,
            finding_id=new[0].pk,
            earlier_id=old[0].pk,
            verdict="continued",
        )
    services.reaudit_mark(actor=chair, audit=later, earlier=earlier)
    with pytest.raises(ServiceError) as exc:
        services.finding_link(
            actor=chair, audit=later, finding_id=new[0].pk, earlier_id=None, verdict="continued"
        )
    assert exc.value.field == "earlier_finding"
    services.finding_link(
        actor=chair, audit=later, finding_id=new[0].pk, earlier_id=old[0].pk, verdict="continued"
    )
    services.finding_link(
        actor=chair, audit=later, finding_id=new[1].pk, earlier_id=old[0].pk, verdict="new"
    )
    assert FindingLink.objects.get(finding=new[1]).earlier is None


def test_reaudit_page_shows_both_side_by_side(world, client, login) -> None:
    earlier = world.audit("first", status="published")
    old = _findings_direct(earlier, EARLIER, world)
    later = world.audit("again", status="reporting", cases=[("csc",)])
    new = _findings(world, later, LATER)
    login("chair")
    url = reverse("insight:reaudit", args=[later.reference])
    assert client.post(url, {"form": "mark", "earlier": earlier.pk}).status_code == 302
    body = client.get(url).content.decode()
    assert "Suggested" in body and old[0].text in body and new[0].text in body
    assert "Grades" in body and "Audit first" in body
    answer = client.post(
        url,
        {"form": "link", "finding": new[0].pk, "earlier_finding": old[0].pk, "verdict": "improved"},
    )
    assert answer.status_code == 302
    assert "Improved" in client.get(url).content.decode()


def _findings_direct(audit, items, world):
    from maca.findings.models import Finding

    return [
        Finding.objects.create(audit=audit, kind=k, text=t, updated_by=world.users["chair"])
        for k, t in items
    ]


def test_dashboard_shows_counts_with_svg_and_tables_and_no_cases(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    _findings_direct(audit, EARLIER, world)
    add_action(world, audit)
    login("viewer")
    body = client.get(reverse("insight:dashboard")).content.decode()
    assert body.count("<svg") >= 3
    assert "Grades over time" in body and "Action completion" in body
    assert "Answers by agency" in body and "A wait for a second medical opinion" in body
    assert "Child A" not in body and "Testchild" not in body


def test_programme_page_and_editing(world, client, login) -> None:
    audit = world.audit("plan")
    login("admin")
    url = reverse("insight:programme_edit", args=[audit.reference])
    assert "Enter the programme year" in client.post(url, {}).content.decode()
    answer = client.post(url, {"year": 2024, "prompt_kind": "national_review", "next_steps": ""})
    assert answer.status_code == 302
    body = client.get(reverse("insight:programme")).content.decode()
    assert "2024 to 2025" in body and "National review" in body and "Planned" in body


def test_export_download_for_the_business_unit(world, client, login) -> None:
    audit = world.audit("pub", status="published")
    login("admin")
    url = reverse("insight:export", args=[audit.reference])
    assert b"Choose the format" in client.post(url, {}).content
    answer = client.post(url, {"format": "xlsx"})
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="pub.xlsx"'


def _events(world, case, *events: tuple[str, str, dict]) -> None:
    from maca.chronology.models import ChronologyEvent

    for kind, day, details in events:  # straight in: published audits take no new events
        ChronologyEvent.objects.create(
            case=case,
            agency=world.agencies["csc"],
            event_type=kind,
            on_date=dt.date.fromisoformat(day),
            details=details,
            recorded_by=world.users["admin"],
        )


def _table_rows(body: str, start: str, end: str) -> list[list[str]]:
    section = body[body.index(start) : body.index(end)]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", section, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", r)]
        for r in rows
    ]


def test_protocol_results_by_agency_and_rule(world, client, login, monkeypatch) -> None:
    """Two published audits; the ICPC rule (15 working days from section 47) by hand:

    first audit,  Child A (CSC, police): ICPC 35 working days after section 47 -> late
    first audit,  Child B (CSC, GP):     ICPC 7 working days after            -> met
    second audit, Child A (police, GP):  section 47, no ICPC ever             -> missing
    So CSC: met 1, late 1; police: late 1, missing 1; GP: met 1, missing 1; health visiting
    (in no case) no row; and by rule alone: met 1, late 1, missing 1.
    """
    from maca.chronology import services as chronology_services

    first = world.audit("first", status="published")
    second = world.audit("second", status="published", cases=[("police", "gp")])
    s47 = ("section47_started", "2022-03-01", {})
    a, b = first.cases.order_by("number")
    _events(world, a, s47, ("icpc", "2022-04-20", {"outcome": "no_plan"}))
    _events(world, b, s47, ("icpc", "2022-03-10", {"outcome": "no_plan"}))
    _events(world, second.cases.get(), s47)
    calls: list[int] = []
    evaluate = chronology_services.case_evaluations

    def counted(cases, *args, **kw):
        cases = list(cases)
        calls.extend(case.pk for case in cases)
        return evaluate(cases, *args, **kw)

    monkeypatch.setattr(chronology_services, "case_evaluations", counted)
    login("viewer")
    body = client.get(reverse("insight:dashboard")).content.decode()
    assert sorted(calls) == sorted({a.pk, b.pk, second.cases.get().pk})  # once per case
    assert "in the cases each agency was part of" in body
    # Each rule is named by its id with the protocol's plain-English description under it.
    rules = load_protocol("injuries-in-non-mobile-babies").rules
    icpc = "icpc-15wd" + next(r.description for r in rules if r.id == "icpc-15wd")
    assert _table_rows(body, 'id="agency-rules"', 'id="recurring"')[1:] == [
        ["CSC", icpc, "1", "1", "0"],
        ["GP", icpc, "1", "0", "1"],
        ["POLICE", icpc, "0", "1", "1"],
    ]
    assert [icpc, "1", "1", "1"] in _table_rows(body, 'id="rules"', 'id="agency-rules"')
    assert "The initial child protection conference is held within 15 working days" in icpc
    assert body.count("<svg") >= 2
    assert "Child A" not in body and "Child B" not in body and "Testchild" not in body


def test_export_asks_to_confirm_it_is_you_only_after_checking_who_may_export(world) -> None:
    """A stale sign-in: the business unit is asked to confirm; the chair gets "not found",
    exactly as for a page they may not see (not a confirm page that gives the page away)."""
    audit = world.audit("pub", status="published")
    url = reverse("insight:export", args=[audit.reference])
    start = dt.datetime.now(dt.UTC)
    admin, chair = Client(), Client()
    with time_machine.travel(start, tick=False):
        verified_login(admin, world.users["admin"])
        verified_login(chair, world.users["chair"])
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        asked = admin.post(url, {"format": "xlsx"})
        assert asked.status_code == 302 and "/accounts/confirm/" in asked["Location"]
        assert chair.post(url, {"format": "xlsx"}).status_code == 404
        assert chair.get(url).status_code == 404
