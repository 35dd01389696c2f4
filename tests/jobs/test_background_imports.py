"""Large pool uploads run as background jobs: progress on the page, results or every problem."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from maca.jobs import services
from maca.jobs.models import Job, JobStatus
from maca.sampling.models import PoolChild, PoolImport

pytestmark = pytest.mark.django_db

HEADER = "child_id,date_of_birth,sex,event,event_date,category\n"


def babies(n: int) -> bytes:
    rows = [
        f"B{i:05},{dt.date(2022, 1, 1) + dt.timedelta(days=i % 300):%d/%m/%Y},F,referral,"
        f"{dt.date(2022, 3, 1) + dt.timedelta(days=i % 300):%d/%m/%Y},"
        for i in range(n)
    ]
    return (HEADER + "\n".join(rows) + "\n").encode()


@pytest.fixture
def small_limit(settings):
    settings.MACA_IMPORT_INLINE_MAX_BYTES = 100  # every test upload counts as large


def upload(client, data: bytes, name: str = "big.csv"):
    return client.post(reverse("pool"), {"file": SimpleUploadedFile(name, data), "format": ""})


def test_a_large_upload_is_queued_then_imported_with_its_result_on_the_page(
    world, client, login, small_limit
) -> None:
    login("admin")
    response = upload(client, babies(3000))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "pool_job", args=[job.id]
    )
    assert not PoolChild.objects.exists()  # nothing happens until a worker runs it
    assert services.input_path(job).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page and "Importing big.csv" in page
    status = json.loads(client.get(reverse("pool_job_status", args=[job.id])).content)
    assert status == {
        "status": "queued",
        "label": "Waiting to start",
        "finished": False,
        "done": 0,
        "total": None,
    }

    assert services.run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["rows_read"] == 3000
    assert PoolChild.objects.count() == 3000 and PoolImport.objects.get().filename == "big.csv"
    # The upload held identifying data: it is gone once the job has run.
    assert not services.input_path(job).exists()
    page = client.get(reverse("pool_job", args=[job.id])).content.decode()
    assert "Imported" in page and "3000 new" in page.replace(",", "")
    finished = json.loads(client.get(reverse("pool_job_status", args=[job.id])).content)
    assert finished["finished"] is True and finished["done"] == 3000


def test_progress_is_readable_while_the_import_holds_its_transaction(world, small_limit) -> None:
    """The worker writes progress outside the database, so the page can read it mid-import."""
    seen: list[dict[str, int | None]] = []
    services.enqueue(
        kind="pool_import",
        partnership_id=world.partnership.pk,
        created_by_id=world.users["admin"].pk,
        params={"filename": "big.csv"},
        upload=io.BytesIO(babies(5000)),
    )
    real_write = services.write_progress

    def spy(job_id, done, total):  # type: ignore[no-untyped-def]
        real_write(job_id, done, total)
        seen.append(services.read_progress(Job.objects.get(pk=job_id)))

    services.PROGRESS_EVERY_SECONDS, saved = 0.0, services.PROGRESS_EVERY_SECONDS
    services.write_progress = spy
    try:
        services.run_pending()
    finally:
        services.write_progress = real_write
        services.PROGRESS_EVERY_SECONDS = saved
    done = [p["done"] for p in seen]
    assert len(done) >= 4 and done == sorted(done) and 0 < done[0] < 5000


def test_a_refused_file_fails_the_job_with_every_problem_and_saves_nothing(
    world, client, login, small_limit
) -> None:
    login("admin")
    bad = (
        HEADER
        + "C1,01/01/2021,F,referral,31/02/2022,\nC2,01/01/2021,F,referral,,\n"
        + "C3,01/01/2021,F,referral,01/03/2022,\n" * 20
    ).encode()
    upload(client, bad, "bad.csv")
    job = Job.objects.get()
    services.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "2 problems; nothing was saved" in job.error and len(job.result["problems"]) == 2
    assert not PoolChild.objects.exists() and not PoolImport.objects.exists()
    page = client.get(reverse("pool_job", args=[job.id])).content.decode()
    assert "There is a problem" in page and "31/02/2022" in page
    assert not services.input_path(job).exists()


def test_a_crashing_job_fails_cleanly_and_the_queue_goes_on(world, caplog) -> None:
    @services.handler("test-crash")
    def crash(job, progress):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret child name in a traceback")

    @services.handler("test-ok")
    def ok(job, progress):  # type: ignore[no-untyped-def]
        return {"fine": True}

    try:
        first = services.enqueue(
            kind="test-crash", partnership_id=world.partnership.pk, created_by_id=None
        )
        second = services.enqueue(
            kind="test-ok", partnership_id=world.partnership.pk, created_by_id=None
        )
        assert services.run_pending() == 2
    finally:
        del services.HANDLERS["test-crash"], services.HANDLERS["test-ok"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == JobStatus.FAILED
    assert first.error == "The job stopped with an unexpected error."  # no internals shown
    assert second.status == JobStatus.DONE and second.result == {"fine": True}


def test_each_job_is_claimed_once_and_abandoned_ones_are_failed(world) -> None:
    job = services.enqueue(
        kind="pool_import", partnership_id=world.partnership.pk, created_by_id=None
    )
    claimed = services.claim_next()
    assert claimed is not None and claimed.pk == job.pk
    assert services.claim_next() is None  # running: nobody else takes it
    Job.objects.filter(pk=job.pk).update(started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert services.fail_abandoned() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "worker stopped" in job.error


def test_maca_worker_once_runs_the_queue(world, capsys) -> None:
    services.enqueue(
        kind="pool_import",
        partnership_id=world.partnership.pk,
        created_by_id=None,
        params={"filename": "w.csv"},
        upload=io.BytesIO(babies(10)),
    )
    call_command("worker", "--once")
    assert "Ran 1 job(s)." in capsys.readouterr().out
    assert PoolChild.objects.count() == 10


def test_another_partnerships_job_is_not_found(world, client, login, small_limit) -> None:
    from maca.partnerships.models import Partnership

    other = Partnership.objects.create(name="Other", slug="other")
    job = services.enqueue(kind="pool_import", partnership_id=other.pk, created_by_id=None)
    login("admin")
    assert client.get(reverse("pool_job", args=[job.id])).status_code == 404
    assert client.get(reverse("pool_job_status", args=[job.id])).status_code == 404
