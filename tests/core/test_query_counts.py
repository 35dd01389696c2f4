"""Each main page runs the same number of queries however much data the partnership holds.

A page whose query count grows with its rows (an N+1) gets slow at partnership scale (ten
years of audits: see bench/README.md). Each page is counted in a small world, then again after
a much bigger audit (more cases, agencies, returns, events and findings) has been added, and
the counts must match and stay under a stated limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maca.audits.models import Audit
from maca.briefings import services as briefing_services
from maca.chronology import services as chronology_services
from maca.chronology.services import EventInput
from maca.findings import services as finding_services
from tests.conftest import World, verified_login

pytestmark = pytest.mark.django_db

# The most queries any main page may run (session, user, membership, access log and the page).
LIMIT = 40


@dataclass(frozen=True)
class Page:
    name: str
    username: str
    url: Callable[[Audit], str]
    method: str = "get"


PAGES = [
    Page("dashboard", "admin", lambda a: reverse("dashboard")),
    Page("dashboard (auditor)", "csc", lambda a: reverse("dashboard")),
    Page("audits list", "admin", lambda a: reverse("audits:list")),
    Page("audit page", "admin", lambda a: reverse("audits:detail", args=[a.reference])),
    Page("audit page (auditor)", "csc", lambda a: reverse("audits:detail", args=[a.reference])),
    Page("timeliness", "admin", lambda a: reverse("audits:timeliness", args=[a.reference])),
    Page("case page", "admin", lambda a: reverse("audits:case", args=[a.reference, 1])),
    Page(
        "return form",
        "csc",
        lambda a: reverse("audits:return", args=[a.reference, 1, "csc"]),
    ),
    Page("moderation page", "chair", lambda a: reverse("audits:compare", args=[a.reference, 1])),
    Page(
        "chronology timeline",
        "admin",
        lambda a: reverse("audits:chronology", args=[a.reference, 1]),
    ),
    Page("findings", "chair", lambda a: reverse("audits:findings", args=[a.reference])),
    Page("sampling page", "admin", lambda a: reverse("audits:sampling", args=[a.reference])),
    Page("pool page", "admin", lambda a: reverse("pool")),
    Page("briefing editor", "chair", lambda a: reverse("briefings:edit", args=[a.reference])),
    Page(
        "briefing preview",
        "chair",
        lambda a: reverse("briefings:preview", args=[a.reference]),
        method="post",
    ),
    Page("briefings list", "admin", lambda a: reverse("briefings:list")),
    Page("activity log", "admin", lambda a: reverse("activity:list")),
    Page("access log", "admin", lambda a: reverse("activity:access")),
]


def _build(world: World, reference: str, cases: int, agencies: int, per_case: int) -> Audit:
    """An audit in reporting with `cases` cases, their returns, events, findings and a draft."""
    slugs = ["csc", "police", "gp"][:agencies]  # agencies with an auditor
    shape = [tuple(slugs) for _ in range(cases)]
    audit = world.audit(reference, status="sampling", cases=shape)
    admin = world.actor("admin")
    for case in audit.cases.order_by("number"):
        for slug in slugs:
            chronology_services.events_add(
                actor=admin,
                case=case,
                agency=world.agencies[slug],
                events=[
                    EventInput(
                        "core_group",
                        dt.date(2022, 2, 1) + dt.timedelta(days=7 * n),
                        None,
                        "",
                        f"Meeting {n}",
                        {},
                    )
                    for n in range(per_case)
                ],
            )
    audit = _advance(world, audit)
    chair = world.actor("chair")
    case_ids = tuple(audit.cases.values_list("pk", flat=True))
    for n in range(per_case):
        finding_services.finding_save(
            actor=chair,
            audit=audit,
            data=finding_services.FindingInput(
                kind="good_practice", text=f"Agencies shared well ({n}).", case_ids=case_ids
            ),
        )
    briefing_services.briefing_start(actor=chair, audit=audit)
    return audit


def _advance(world: World, audit: Audit) -> Audit:
    """From sampling to reporting through the real lifecycle (as World.audit does)."""
    from maca.audits import services as audit_services
    from maca.returns.models import AgencyReturn

    admin = world.actor("admin")
    audit = audit_services.audit_transition(actor=admin, audit=audit, to_status="auditing")
    for ret in AgencyReturn.objects.filter(case__audit=audit).select_related("agency"):
        world.submit(ret)
    audit = audit_services.audit_transition(actor=admin, audit=audit, to_status="moderation")
    world.moderate_all(audit)
    return audit_services.audit_transition(
        actor=world.actor("chair"), audit=audit, to_status="reporting"
    )


def _queries(world: World, page: Page, audit: Audit) -> list[str]:
    """The SQL (shortened) of one signed-in request for the page, after a warm-up request."""
    client = Client()
    verified_login(client, world.users[page.username])
    url = page.url(audit)
    send = client.post if page.method == "post" else client.get
    data = {"summary": "A short summary."} if page.method == "post" else None
    warm = send(url, data) if data else send(url)  # first request settles caches
    assert warm.status_code == 200, (page.name, warm.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = send(url, data) if data else send(url)
    assert response.status_code == 200, (page.name, response.status_code)
    return [q["sql"][:200] for q in queries.captured_queries]


def test_every_main_page_runs_the_same_queries_for_small_and_big_data(world):
    small = _build(world, "small", cases=2, agencies=2, per_case=1)
    before = {page.name: _queries(world, page, small) for page in PAGES}
    big = _build(world, "big", cases=8, agencies=3, per_case=5)
    world.audit("extra-planning")
    world.audit("extra-auditing", status="auditing")
    after = {page.name: _queries(world, page, big) for page in PAGES}
    grew = {
        name: (len(before[name]), len(after[name]), after[name])
        for name in before
        if len(after[name]) != len(before[name])
    }
    assert not grew, f"query count grew with the data (small, big, big's SQL): {grew}"
    over = {name: len(sql) for name, sql in after.items() if len(sql) > LIMIT}
    assert not over, f"more than {LIMIT} queries: {over}"


def test_the_audits_list_shows_25_a_page_newest_first(world, client, login):
    for n in range(27):
        world.audit(f"a-{n:02d}")
    login("admin")
    first = client.get(reverse("audits:list")).content.decode()
    second = client.get(reverse("audits:list"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Audit a-26" in first and "Audit a-01" not in first
    assert "Page 2 of 2" in second and "Audit a-00" in second and "Audit a-26" not in second


def test_the_briefings_list_shows_25_a_page(world, client, login):
    for n in range(26):
        briefing_services.review_briefing_create(
            actor=world.actor("admin"),
            partnership=world.partnership,
            reference=f"review-{n:02d}",
            title=f"Review {n:02d}",
            source_kind="rapid_review",
        )
    login("admin")
    first = client.get(reverse("briefings:list")).content.decode()
    second = client.get(reverse("briefings:list"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "Review 00" in second and "Review 00" not in first
