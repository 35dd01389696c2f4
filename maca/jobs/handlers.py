"""The job kinds maca runs in the background, registered with `maca.jobs.services.handler`."""

from __future__ import annotations

from typing import Any

from maca.core.permissions import actor_for
from maca.jobs.models import Job
from maca.jobs.services import JobFailed, Progress, handler, input_path

MAX_PROBLEMS = 200


@handler("pool_import")
def pool_import(job: Job, progress: Progress) -> dict[str, Any]:
    """Import an uploaded list into the pool, reporting rows read as it goes."""
    from maca.partnerships.models import Partnership
    from maca.sampling import services
    from maca.sampling.importers import UnreadableFile

    actor = actor_for(job.created_by) if job.created_by is not None else None
    filename = str(job.params.get("filename", "upload"))
    try:
        summary = services.pool_import(
            actor=actor,
            partnership=Partnership.objects.get(pk=job.partnership_id),
            source=input_path(job),
            filename=filename,
            format=job.params.get("format") or None,
            progress=progress,
        )
    except UnreadableFile as exc:
        raise JobFailed(f"{filename} could not be read: {exc}") from None
    except services.PoolImportRefused as exc:
        problems = [str(p) for p in exc.errors[:MAX_PROBLEMS]]
        raise JobFailed(
            f"{filename} was refused: {len(exc.errors)} problem"
            f"{'s' if len(exc.errors) != 1 else ''}; nothing was saved.",
            {"problems": problems, "more": max(0, len(exc.errors) - MAX_PROBLEMS)},
        ) from None
    return {"rows_read": summary.rows_read, "lines": summary.lines(), "filename": filename}


@handler("reminders")
def reminders(job: Job, progress: Progress) -> dict[str, Any]:
    """Today's e-mail reminders for one partnership (queued daily by the worker)."""
    from maca.actions.reminders import reminders_send

    summary = reminders_send(partnership_id=job.partnership_id)
    return {"emails": summary.emails, "reminders": summary.reminders}
