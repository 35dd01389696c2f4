"""Enqueue, claim and run background jobs; report progress while they run.

The queue is the `Job` table. A worker claims the oldest queued job in a short transaction
(`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never take the same
job; SQLite serialises writers anyway), runs its handler, and records the result. Progress is
written to a small file in `MACA_DATA_DIR/jobs/`, not to the database: a handler such as the
pool import holds one long transaction (all or nothing), and on SQLite no other connection may
write until it ends. Files there are visible to every process that shares `MACA_DATA_DIR`,
which a multi-server deployment must share anyway (uploads live there too).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from maca.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
PROGRESS_EVERY_SECONDS = 0.5


class JobFailed(Exception):
    """A handler's refusal that the user should read (e.g. every problem in a refused file)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def jobs_dir() -> Path:
    path = Path(settings.DATA_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def input_path(job: Job) -> Path:
    """Where the job's uploaded file is kept until the job has run."""
    return jobs_dir() / f"{job.id}.input"


def _progress_path(job_id: Any) -> Path:
    return jobs_dir() / f"{job_id}.progress"


@dataclass
class Progress:
    """Reports `done` of `total` (None when unknown) at most twice a second, atomically."""

    job_id: Any
    _last: float = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        write_progress(self.job_id, done, total)


def write_progress(job_id: Any, done: int, total: int | None) -> None:
    path = _progress_path(job_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")
    os.replace(tmp, path)


def read_progress(job: Job) -> dict[str, int | None]:
    """{"done": n, "total": m or None}; the final figures once the job has finished."""
    if job.finished:
        done = job.result.get("rows_read")
        return {"done": done, "total": done}
    try:
        data = json.loads(_progress_path(job.id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"done": 0, "total": None}
    return {"done": data.get("done"), "total": data.get("total")}


@transaction.atomic
def enqueue(
    *,
    kind: str,
    partnership_id: int,
    created_by_id: int | None,
    params: dict[str, Any] | None = None,
    upload: Any | None = None,
) -> Job:
    """Queue a job; `upload` (a file-like object) is copied beside it for the worker."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    job = Job.objects.create(
        kind=kind, partnership_id=partnership_id, created_by_id=created_by_id, params=params or {}
    )
    if upload is not None:
        target = input_path(job)
        try:
            with target.open("wb") as out:
                for chunk in iter(lambda: upload.read(1 << 20), b""):
                    out.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return job


def claim_next() -> Job | None:
    """Take the oldest queued job (none, when the queue is empty)."""
    with transaction.atomic():
        queued = Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at")
        if connection.features.has_select_for_update_skip_locked:
            queued = queued.select_for_update(skip_locked=True)
        job = queued.first()
        if job is None:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def run(job: Job) -> Job:
    """Run a claimed job to the end and record how it went. Never raises for a job's failure."""
    progress = Progress(job.id)
    try:
        result = HANDLERS[job.kind](job, progress)
    except JobFailed as exc:
        job.status, job.error, job.result = JobStatus.FAILED, exc.message, exc.result
    except Exception:  # the worker must survive a broken job; the trace goes to the log
        logger.error("job %s (%s) crashed:\n%s", job.id, job.kind, traceback.format_exc())
        job.status, job.error = JobStatus.FAILED, "The job stopped with an unexpected error."
    else:
        job.status, job.result = JobStatus.DONE, result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])
    for leftover in (input_path(job), _progress_path(job.id)):
        leftover.unlink(missing_ok=True)  # uploads hold identifying data: keep them no longer
    return job


def run_next() -> Job | None:
    job = claim_next()
    return run(job) if job is not None else None


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs until the queue is empty (or `limit` ran); returns how many ran."""
    count = 0
    while limit is None or count < limit:
        if run_next() is None:
            break
        count += 1
    return count


def fail_abandoned(older_than_minutes: int = 60) -> int:
    """Jobs left running by a worker that died: mark them failed so users are not left waiting."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    return Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff).update(
        status=JobStatus.FAILED,
        error="The worker stopped before this job finished. Try again.",
        finished_at=timezone.now(),
    )
