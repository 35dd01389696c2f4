"""The business unit narrows the logs, exports them (confirming it is them; the export is
logged) and sees who viewed one case's records. Logs never hold case narrative."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from maca.activity.models import AccessEntry, ActivityEntry
from maca.audits.models import CaseRecord
from tests.conftest import verified_login


@pytest.fixture
def viewed(world, client):
    """Child A viewed by police then csc; the record viewed by the business unit."""
    audit = world.audit(status="auditing", cases=[("csc", "police"), ("csc",)])
    for who in ("police", "csc"):
        verified_login(client, world.users[who])
        assert client.get(reverse("audits:case", args=[audit.reference, 1])).status_code == 200
    verified_login(client, world.users["csc"])
    client.get(reverse("audits:case", args=[audit.reference, 2]))
    verified_login(client, world.users["admin"])
    client.get(reverse("audits:case_record", args=[audit.reference, 1]))
    return audit


def _rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_access_log_filters_by_person_agency_case_and_kind(world, client, viewed):
    url = reverse("activity:access")
    page = client.get(url, {"user": "police"}).content.decode()
    assert page.count("case.view") == 1
    page = client.get(url, {"agency": "csc", "case": "Child A"}).content.decode()
    assert page.count(">csc<") == 1 and ">police<" not in page
    page = client.get(url, {"kind": "case_record."}).content.decode()
    assert "case_record.view" in page and "case.view" not in page
    page = client.get(url, {"audit": "no-such-audit"}).content.decode()
    assert "No entries." in page


def test_a_date_range_narrows_the_log_and_a_bad_one_is_explained(world, client, viewed):
    url = reverse("activity:access")
    today = dt.date.today()
    assert "No entries." in client.get(url, {"date_to": str(today - dt.timedelta(days=1))}).text
    assert "Child A" in client.get(url, {"date_from": str(today), "date_to": str(today)}).text
    page = client.get(url, {"date_from": "2026-02-30"}).content.decode()
    assert "There is a problem" in page and "Enter a valid date" in page
    page = client.get(url, {"date_from": "2026-03-02", "date_to": "2026-03-01"}).text
    assert "The end date must be the same as or after the start date" in page


def test_the_activity_log_filters_by_kind_and_pages(world, client):
    world.audit(status="auditing", cases=[("csc",)] * 3)
    verified_login(client, world.users["admin"])
    total = ActivityEntry.objects.count()
    page = client.get(reverse("activity:list"), {"kind": "case."}).content.decode()
    assert page.count("case.") >= 1 and "audit.created" not in page
    for _ in range(60 - total):
        ActivityEntry.objects.create(partnership=world.partnership, action="test.filler")
    page2 = client.get(reverse("activity:list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in page2


def test_the_filtered_export_is_csv_logged_and_needs_a_recent_sign_in(world, viewed):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, world.users["admin"])
    url = reverse("activity:access_export")
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        stale = client.get(url, {"case": "Child A"})
        assert stale.status_code == 302 and "/accounts/confirm/" in stale["Location"]
    assert not ActivityEntry.objects.filter(action__startswith="log.export").exists()
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        rows = _rows(client.get(url, {"case": "Child A"}))
    assert [(r["who"], r["action"]) for r in rows] == [
        ("admin", "case_record.view"),
        ("csc", "case.view"),
        ("police", "case.view"),
    ]
    assert all(r["when_utc"].endswith("+00:00") for r in rows)
    logged = ActivityEntry.objects.get(action="log.export.access")
    assert logged.actor_id == world.users["admin"].pk
    assert logged.data == {"filter": {"case": "Child A"}, "entries": 3}


def test_the_activity_export_neutralises_spreadsheet_formulas(world, client):
    verified_login(client, world.users["admin"])
    ActivityEntry.objects.create(
        partnership=world.partnership, action="test.x", target_label="=HYPERLINK(1)"
    )
    rows = _rows(client.get(reverse("activity:export"), {"kind": "test."}))
    assert [r["what"] for r in rows] == ["'=HYPERLINK(1)"]


def test_only_the_business_unit_exports(world, client, viewed):
    verified_login(client, world.users["chair"])
    assert client.get(reverse("activity:access_export")).status_code == 404


def test_a_stale_sign_in_that_may_not_export_gets_not_found_not_the_confirm_page(world, viewed):
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, world.users["chair"])
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get(reverse("activity:access_export")).status_code == 404


def test_who_viewed_a_case_lists_every_view_and_is_reached_from_the_case(world, client, viewed):
    case_page = client.get(reverse("audits:case", args=[viewed.reference, 1])).content.decode()
    report_url = reverse("activity:case_access", args=[viewed.reference, 1])
    assert report_url in case_page
    page = client.get(report_url).content.decode()
    assert "police (auditor)" in page and "csc (auditor)" in page and "admin (admin)" in page
    assert "case_record.view" in page
    # Child B's views are not in Child A's report.
    assert page.count("case.view") == 3  # police, csc, and the admin's visit to the case page
    assert AccessEntry.objects.filter(action="case.access_report").count() == 1
    verified_login(client, world.users["police"])
    assert client.get(report_url).status_code == 404
    assert "Who viewed" not in client.get(reverse("audits:case", args=[viewed.reference, 1])).text


# Titles and references name an audit, finding or briefing, not a child: logs may show them.
LABEL_FIELDS = {"title", "reference", "slug", "name", "label"}
NARRATIVE_APPS = ("returns", "chronology", "findings", "moderation", "briefings")


def _narrative() -> set[str]:
    """Every free-text value the demo wrote into case-level records (long enough to matter)."""
    texts: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in NARRATIVE_APPS:
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.TextField | models.CharField) and f.name not in LABEL_FIELDS
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            texts.update(t.strip() for t in row if isinstance(t, str) and len(t.strip()) >= 25)
    for record in CaseRecord.objects.all():
        texts.update(v for v in (record.given_name, record.family_name, record.council_id) if v)
        if record.date_of_birth:
            texts.add(record.date_of_birth.isoformat())
    return texts


@pytest.mark.django_db
def test_logs_written_by_the_demo_hold_no_case_narrative_or_identity(client):
    from maca.audits.models import Case
    from maca.partnerships.demo import demo_load
    from maca.partnerships.models import User

    demo_load()
    # The business unit reads every case, its record, returns and chronology (access log).
    verified_login(client, User.objects.get(username="admin"))
    for case in Case.objects.select_related("audit"):
        args = [case.audit.reference, case.number]
        for name in ("audits:case", "audits:case_record", "audits:chronology"):
            assert client.get(reverse(name, args=args)).status_code == 200
        for ret in case.returns.select_related("agency"):
            client.get(reverse("audits:return", args=[*args, ret.agency.slug]))
    narrative = _narrative()
    assert len(narrative) > 50  # the demo wrote plenty of narrative to look for
    log_text = [
        e.target_label + " " + json.dumps(e.data) for e in ActivityEntry.objects.all()
    ] + list(AccessEntry.objects.values_list("target_label", flat=True))
    assert len(log_text) > 100
    leaks = [(t, line) for line in log_text for t in narrative if t in line]
    assert leaks == []
