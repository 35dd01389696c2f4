"""Chronologies in the app: recording, uploads, the merged timeline and evidence in returns."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from maca.activity.models import AccessEntry
from maca.chronology import services
from maca.chronology.engine import evaluate, load_protocol, parse_chronology
from maca.chronology.models import ChronologyEvent, Incident
from maca.core.errors import NotAllowed
from maca.returns.models import AgencyReturn
from tests.conftest import verified_login


@pytest.fixture
def audit(world):
    return world.audit(status="auditing", cases=[("csc", "police"), ("csc", "gp")])


@pytest.fixture
def child_a(audit):
    return audit.cases.get(number=1)


def _seen_and_referred(world, case, *, referral_day: str = "2022-01-10") -> None:
    services.events_add(
        actor=world.actor("police"),
        case=case,
        agency=world.agencies["police"],
        events=[
            services.EventInput(
                "injury_observed", dt.date(2022, 1, 10), dt.time(9, 30), "1", "Bruise seen."
            ),
            services.EventInput("referral", dt.date.fromisoformat(referral_day), None, "1"),
        ],
    )


def test_a_date_only_event_stays_date_only(world, child_a):
    _seen_and_referred(world, child_a)
    referral = ChronologyEvent.objects.get(event_type="referral")
    assert referral.at_time is None
    assert referral.to_contract()["at"] == "2022-01-10"


def test_every_agencys_events_about_one_injury_share_its_incident(world, child_a):
    _seen_and_referred(world, child_a)
    services.events_add(
        actor=world.actor("csc"),
        case=child_a,
        agency=world.agencies["csc"],
        events=[services.EventInput("cp_medical", dt.date(2022, 1, 10), None, "1")],
    )
    assert Incident.objects.filter(case=child_a).count() == 1
    assert ChronologyEvent.objects.filter(incident__code="1").count() == 3


def test_a_bad_event_names_the_field_and_nothing_is_saved(world, child_a):
    with pytest.raises(services.ChronologyInvalid) as exc:
        services.events_add(
            actor=world.actor("csc"),
            case=child_a,
            agency=world.agencies["csc"],
            events=[
                services.EventInput("referral_decision", dt.date(2022, 1, 10)),
                services.EventInput("strategy_discussion_not_held", dt.date(2022, 1, 11)),
            ],
        )
    assert [field for field, _ in exc.value.errors] == ["reason"]
    assert ChronologyEvent.objects.count() == 0


def test_auditors_record_only_their_own_agency_on_cases_it_knew(world, audit):
    child_b = audit.cases.get(number=2)  # known to csc and gp, not police
    for who, agency, case in [
        ("csc", "police", audit.cases.get(number=1)),
        ("police", "police", child_b),
    ]:
        with pytest.raises(NotAllowed):
            services.events_add(
                actor=world.actor(who),
                case=case,
                agency=world.agencies[agency],
                events=[services.EventInput("referral", dt.date(2022, 1, 10))],
            )
    with pytest.raises(NotAllowed):
        services.events_add(
            actor=world.actor("chair"),
            case=child_b,
            agency=world.agencies["csc"],
            events=[services.EventInput("referral", dt.date(2022, 1, 10))],
        )


def test_a_csv_upload_reports_rows_as_the_spreadsheet_numbers_them():
    csv_text = (
        "at,type,incident,reason\n2022-01-10T09:30,injury_observed,1,\n2022-02-30,referral,1,\n"
    )
    with pytest.raises(services.ChronologyInvalid) as exc:
        services.parse_upload(csv_text.encode(), "events.csv")
    assert exc.value.errors == [("at", "Row 3, at: 2022-02-30 is not a date")]


def test_csv_and_json_uploads_read_the_same_events():
    csv_text = (
        "at,type,incident,attendees,siblings_considered\n"
        "2022-01-10T09:30,injury_observed,1,,\n"
        "2022-01-11,strategy_discussion,,csc;police,yes\n"
    )
    doc = {
        "events": [
            {"at": "2022-01-10T09:30", "type": "injury_observed", "incident": "1"},
            {
                "at": "2022-01-11",
                "type": "strategy_discussion",
                "attendees": ["csc", "police"],
                "siblings_considered": True,
            },
        ]
    }
    from_csv = services.parse_upload(csv_text.encode("cp1252"), "events.csv")
    from_json = services.parse_upload(json.dumps(doc).encode(), "events.json")
    assert [e.to_contract() for e in from_csv] == [e.to_contract() for e in from_json]


def test_a_json_upload_with_an_unknown_type_is_refused_whole():
    doc = [{"at": "2022-01-10", "type": "referral"}, {"at": "2022-01-11", "type": "home_visit"}]
    with pytest.raises(services.ChronologyInvalid) as exc:
        services.parse_upload(json.dumps(doc).encode(), "events.json")
    assert exc.value.errors[0][1].startswith("Event 2, type: ")


def test_the_app_and_maca_evaluate_agree(world, child_a, client):
    _seen_and_referred(world, child_a, referral_day="2022-01-11")
    in_app = services.case_evaluation(child_a, as_of=dt.date(2022, 3, 31))
    verified_login(client, world.users["police"])
    downloaded = client.get(
        reverse("audits:chronology_json", args=[child_a.audit.reference, 1])
    ).json()
    assert downloaded["child"]["ref"] == "Child A"
    standalone = evaluate(
        parse_chronology(downloaded),
        load_protocol("injuries-in-non-mobile-babies"),
        dt.date(2022, 3, 31),
    )
    assert in_app.to_dict() == standalone.to_dict()
    late = next(r for r in in_app.results if r.rule == "referral-same-day")
    assert str(late.status) == "late"


def test_the_timeline_page_is_logged_and_hidden_from_agencies_that_did_not_know_the_child(
    world, audit, client
):
    _seen_and_referred(world, audit.cases.get(number=1))
    verified_login(client, world.users["csc"])
    page = client.get(reverse("audits:chronology", args=[audit.reference, 1]))
    assert page.status_code == 200
    assert "Timescale checks" in page.content.decode()
    assert "<svg" in page.content.decode()
    assert (
        AccessEntry.objects.filter(action="chronology.view", user=world.users["csc"]).count() == 1
    )
    verified_login(client, world.users["police"])
    assert client.get(reverse("audits:chronology", args=[audit.reference, 2])).status_code == 404


def test_the_return_form_shows_the_evidence_for_each_question(world, child_a, client):
    _seen_and_referred(world, child_a, referral_day="2022-01-12")
    verified_login(client, world.users["csc"])
    page = client.get(
        reverse("audits:return", args=[child_a.audit.reference, 1, "csc"])
    ).content.decode()
    assert "What the chronology shows for Q1" in page
    assert "Late" in page
    assert "2 days after the injury was seen" in page
    assert AgencyReturn.objects.get(case=child_a, agency__slug="csc").status == "draft"


def test_an_auditor_can_add_an_event_through_the_form(world, child_a, client):
    verified_login(client, world.users["police"])
    url = reverse("audits:chronology_add", args=[child_a.audit.reference, 1])
    bad = client.post(url, {"agency": "police", "event_type": "referral", "on_date": "31/02/2022"})
    assert "Date must be a real date" in bad.content.decode()
    ok = client.post(
        url,
        {"agency": "police", "event_type": "referral", "on_date": "10/01/2022", "at_time": "11:00"},
    )
    assert ok.status_code == 302
    event = ChronologyEvent.objects.get()
    assert (event.on_date, event.at_time, event.agency.slug) == (
        dt.date(2022, 1, 10),
        dt.time(11, 0),
        "police",
    )
    other = client.post(url, {"agency": "csc", "event_type": "referral", "on_date": "10/01/2022"})
    assert (
        other.status_code == 200
        and "Choose an agency you can record events for." in other.content.decode()
    )
    assert ChronologyEvent.objects.count() == 1


def test_many_cases_evaluated_at_once_match_each_case_alone(world, audit, child_a):
    child_b = audit.cases.get(number=2)
    _seen_and_referred(world, child_a)
    services.events_add(
        actor=world.actor("csc"),
        case=child_b,
        agency=world.agencies["csc"],
        events=[
            services.EventInput("injury_observed", dt.date(2022, 1, 10), None, "1", "Seen."),
            services.EventInput("referral", dt.date(2022, 1, 12), None, "1"),
        ],
    )
    cases = list(audit.cases.order_by("number"))
    events = {case.pk: list(services.case_events(case)) for case in cases}
    as_of = dt.date(2022, 2, 1)
    together = services.case_evaluations(cases, events, as_of)
    for case in cases:
        alone = services.case_evaluation(case, as_of)
        assert together[case.pk] == alone and together[case.pk].to_dict() == alone.to_dict()
    statuses = {case.number: [str(r.status) for r in together[case.pk].results] for case in cases}
    assert statuses[1][0] == "met" and statuses[2][0] == "late"  # referred the same day, or not
