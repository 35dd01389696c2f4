"""What a program using the API notices: pages of results, filters, writes through the same
services as the pages (with their checks and messages), conflicts, and the case pool."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from maca.activity.models import AccessEntry, ActivityEntry
from maca.chronology.models import ChronologyEvent
from maca.jobs.models import Job
from maca.returns.models import AgencyReturn
from maca.sampling.models import PoolChild
from tests.api.support import api_client, token_for

CSV = "child_id,date_of_birth,sex,event,event_date,category\n"


def _put(client, path, body):
    return client.put(path, data=json.dumps(body), content_type="application/json")


def test_lists_are_paged_and_filtered(world):
    for i in range(3):
        world.audit(f"a{i}", status="planning")
    world.audit("run", status="auditing")
    client = api_client(token_for(world.users["admin"]))
    page = client.get("/api/v1/audits?limit=2&offset=1").json()
    assert page["count"] == 4 and page["limit"] == 2 and page["offset"] == 1
    assert len(page["items"]) == 2
    running = client.get("/api/v1/audits?status=auditing").json()
    assert [a["reference"] for a in running["items"]] == ["run"]
    bad = client.get("/api/v1/audits?limit=1000&status=nonsense")
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"query.limit", "query.status"}
    assert bad.json()["code"] == "invalid"
    cases = client.get("/api/v1/audits/run/cases?agency=gp").json()
    assert [c["label"] for c in cases["items"]] == ["Child B"]


def test_case_lists_log_each_case_they_show(world):
    world.audit("run", status="auditing")
    client = api_client(token_for(world.users["gp"]))
    before = AccessEntry.objects.count()
    body = client.get("/api/v1/audits/run/cases").json()
    assert [c["label"] for c in body["items"]] == ["Child B"]  # the GP knew Child B only
    entries = list(AccessEntry.objects.order_by("pk")[before:])
    assert [(e.action, e.target_label) for e in entries] == [("case.list", "Child B")]
    assert b"Testchild" not in client.get("/api/v1/audits/run/cases/2").content


def test_saving_a_return_checks_the_version_and_names_bad_fields(world):
    world.audit("run", status="auditing")
    client = api_client(token_for(world.users["csc"]))
    path = "/api/v1/audits/run/cases/1/returns/csc"
    ret = client.get(path).json()
    assert ret["editable"] is True and ret["status"] == "draft"
    saved = _put(
        client,
        path,
        {"version": ret["version"], "answers": {"q1": {"answer": "yes"}}, "strengths": "Quick."},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == ret["version"] + 1
    assert saved.json()["answers"][0]["answer"] == "yes"
    assert ActivityEntry.objects.filter(action="return.saved").exists()
    # The old version again: someone else saved since, nothing is saved.
    stale = _put(client, path, {"version": ret["version"], "strengths": "Overwrite"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert AgencyReturn.objects.get(case__number=1, agency__slug="csc").strengths == "Quick."
    # Unknown questions and grades are refused with the field named.
    bad = _put(client, path, {"version": 2, "answers": {"q99": {}}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "answers"
    bad = _put(client, path, {"version": 2, "grade": "superb"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "grade"
    # Submitting an incomplete return lists what is missing.
    incomplete = _put(client, path, {"version": 2, "submit": True})
    assert incomplete.status_code == 422
    assert any(e["field"] == "grade" for e in incomplete.json()["errors"])
    # The police auditor may not touch the CSC return.
    police = api_client(token_for(world.users["police"]))
    assert _put(police, path, {"version": 2}).status_code == 404


def test_chronology_events_go_through_the_engine(world):
    world.audit("run", status="auditing")
    client = api_client(token_for(world.users["csc"]))
    path = "/api/v1/audits/run/cases/1/chronology/events"
    good = {
        "agency": "csc",
        "events": [
            {"at": "2022-01-10T09:30", "type": "injury_observed", "incident": "1"},
            {"at": "2022-01-10T11:00", "type": "referral", "incident": "1"},
        ],
    }
    added = client.post(path, data=json.dumps(good), content_type="application/json")
    assert added.status_code == 201, added.content
    assert added.json()["added"] == 2
    document = client.get("/api/v1/audits/run/cases/1/chronology").json()
    assert document["child"]["ref"] == "Child A"
    assert [e["type"] for e in document["events"]] == ["injury_observed", "referral"]
    evaluation = client.get("/api/v1/audits/run/cases/1/evaluation?as_of=2022-03-31").json()
    first = evaluation["results"][0]
    assert first["rule"] == "referral-same-day" and first["status"] == "met"
    # A bad event refuses the lot, naming the event and field.
    bad = {
        "agency": "csc",
        "events": [
            {"at": "2022-01-10", "type": "referral"},
            {"at": "2022-02-30", "type": "referral"},
        ],
    }
    refused = client.post(path, data=json.dumps(bad), content_type="application/json")
    assert refused.status_code == 422
    assert "Event 2" in refused.json()["errors"][0]["message"]
    assert ChronologyEvent.objects.count() == 2
    # Another agency's events: not for the CSC auditor.
    other = {**good, "agency": "police"}
    assert (
        client.post(path, data=json.dumps(other), content_type="application/json").status_code
        == 404
    )


def test_a_council_pushes_its_case_pool(world, settings):
    client = api_client(token_for(world.users["admin"]))
    rows = CSV + "C1,01/01/2021,F,referral,01/03/2022,\nC2,02/02/2021,M,referral,05/03/2022,\n"
    response = client.post(
        "/api/v1/pool/imports",
        {"file": SimpleUploadedFile("pool.csv", rows.encode()), "format": "csv"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    assert PoolChild.objects.count() == 2
    refused = client.post(
        "/api/v1/pool/imports",
        {"file": SimpleUploadedFile("bad.csv", (CSV + ",31/02/2021,F,referral,,\n").encode())},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] and PoolChild.objects.count() == 2
    # A big file is queued for the worker, like the upload page.
    settings.MACA_IMPORT_INLINE_MAX_BYTES = 10
    queued = client.post(
        "/api/v1/pool/imports", {"file": SimpleUploadedFile("pool.csv", rows.encode())}
    )
    assert queued.status_code == 202
    job = Job.objects.get()
    assert queued.json()["id"] == str(job.pk) and queued.json()["finished"] is False
    status = client.get(f"/api/v1/pool/jobs/{job.pk}").json()
    assert status["status"] == job.status
    # Only the business unit imports.
    chair = api_client(token_for(world.users["chair"]))
    forbidden = chair.post(
        "/api/v1/pool/imports", {"file": SimpleUploadedFile("pool.csv", rows.encode())}
    )
    assert forbidden.status_code == 404


def test_the_openapi_document_and_docs_need_no_token(db):
    client = api_client(None)
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/api/v1/audits/{reference}/cases" in docs.content
    assert b"<script>" not in docs.content
