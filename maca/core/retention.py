"""Retention: what `maca purge` removes once it is past its date (UK GDPR Art 5(1)(e);
ASVS 14.2.7). Periods come from settings (MACA_RETAIN_*; see .env.example).

| kind          | what goes                                              | when                       |
|---------------|--------------------------------------------------------|----------------------------|
| access_log    | access-log entries                                     | older than ACCESS_LOG      |
| activity_log  | activity-log entries                                   | older than ACTIVITY_LOG    |
| case_data     | restricted case records (name, date of birth, council  | CASE_DATA years after the  |
|               | ID), chronology events and incidents, the free text of | audit's briefing was first |
|               | returns, answers and panel reasons                     | published (or the audit    |
|               |                                                        | closed without one)        |
| pool          | case-pool children (dates of birth, events)            | not re-imported for POOL   |
| job_files     | uploaded files waiting in MACA_DATA_DIR/jobs           | older than JOB_FILES days  |
| restore_leftovers | files a restore set aside (MACA_DATA_DIR/           | RESTORE_LEFTOVERS days     |
|               | restore-leftovers/<time>/: saved after the backup)     | after the restore          |
| sign_in_records | django-axes' sign-in, sign-out and failure records   | older than ACCESS_LOG      |
|               | (usernames, network addresses, browsers)               |                            |
| sessions      | expired sign-in sessions                               | once expired               |

What stays: audits, case labels ("Child A"), grades, findings, learning, actions, published
briefings and the selection record (pseudonymous refs): the audit's outcome, which identifies
nobody. The purge is the one path allowed to delete log rows (maca.activity.guard), and it
writes an activity entry saying what it removed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

KINDS = (
    "access_log",
    "activity_log",
    "sign_in_records",
    "case_data",
    "pool",
    "job_files",
    "restore_leftovers",
    "sessions",
)
RETURN_TEXT = (
    "strengths",
    "areas_for_development",
    "grade_reason",
    "immediate_concern_detail",
    "waived_reason",
)
ANSWER_TEXT = ("text", "evidence", "why_not")
MODERATION_TEXT = ("reasons", "specific_issues")


def years_before(now: dt.datetime, years: int) -> dt.datetime:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class Periods:
    access_log_years: int
    activity_log_years: int
    case_data_years: int
    pool_years: int
    job_files_days: int
    restore_leftovers_days: int

    @classmethod
    def from_settings(cls) -> Periods:
        r = settings.MACA_RETENTION
        return cls(
            access_log_years=r["access_log_years"],
            activity_log_years=r["activity_log_years"],
            case_data_years=r["case_data_years"],
            pool_years=r["pool_years"],
            job_files_days=r["job_files_days"],
            restore_leftovers_days=r["restore_leftovers_days"],
        )


def _expired_audit_ids(cutoff: dt.datetime) -> list[int]:
    """Audits whose briefing was first published before `cutoff`, or closed without one."""
    from maca.audits.models import Audit

    published = (
        Audit.objects.annotate(first_published=Min("briefing__versions__published_at"))
        .filter(first_published__lt=cutoff)
        .values_list("pk", flat=True)
    )
    closed = Audit.objects.filter(
        status="closed", updated_at__lt=cutoff, briefing__published_version__isnull=True
    ).values_list("pk", flat=True)
    return sorted(set(published) | set(closed))


def _non_blank(fields: tuple[str, ...]) -> Q:
    q = Q()
    for name in fields:
        q |= ~Q(**{name: ""})
    return q


@dataclass
class Plan:
    """What is due, per kind (querysets and paths), computed once for counting and purging."""

    now: dt.datetime
    periods: Periods
    audit_ids: list[int]

    def access_log(self) -> QuerySet[Any]:
        from maca.activity.models import AccessEntry

        cutoff = years_before(self.now, self.periods.access_log_years)
        return AccessEntry.objects.filter(at__lt=cutoff)

    def activity_log(self) -> QuerySet[Any]:
        from maca.activity.models import ActivityEntry

        cutoff = years_before(self.now, self.periods.activity_log_years)
        return ActivityEntry.objects.filter(at__lt=cutoff)

    def sign_in_records(self) -> list[QuerySet[Any]]:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        cutoff = years_before(self.now, self.periods.access_log_years)
        return [
            m.objects.filter(attempt_time__lt=cutoff)
            for m in (AccessAttempt, AccessLog, AccessFailureLog)
        ]

    def case_records(self) -> QuerySet[Any]:
        from maca.audits.models import CaseRecord

        return CaseRecord.objects.filter(case__audit_id__in=self.audit_ids)

    def events(self) -> QuerySet[Any]:
        from maca.chronology.models import ChronologyEvent

        return ChronologyEvent.objects.filter(case__audit_id__in=self.audit_ids)

    def incidents(self) -> QuerySet[Any]:
        from maca.chronology.models import Incident

        return Incident.objects.filter(case__audit_id__in=self.audit_ids)

    def returns(self) -> QuerySet[Any]:
        from maca.returns.models import AgencyReturn

        return AgencyReturn.objects.filter(case__audit_id__in=self.audit_ids).filter(
            _non_blank(RETURN_TEXT)
        )

    def answers(self) -> QuerySet[Any]:
        from maca.returns.models import Answer

        return Answer.objects.filter(agency_return__case__audit_id__in=self.audit_ids).filter(
            _non_blank(ANSWER_TEXT)
        )

    def moderations(self) -> QuerySet[Any]:
        from maca.moderation.models import CaseModeration

        return CaseModeration.objects.filter(case__audit_id__in=self.audit_ids).filter(
            _non_blank(MODERATION_TEXT)
        )

    def pool(self) -> QuerySet[Any]:
        from maca.sampling.models import PoolChild

        cutoff = years_before(self.now, self.periods.pool_years)
        return PoolChild.objects.filter(updated_at__lt=cutoff)

    def job_files(self) -> list[Path]:
        folder = Path(settings.DATA_DIR) / "jobs"
        if not folder.is_dir():
            return []
        cutoff = (self.now - dt.timedelta(days=self.periods.job_files_days)).timestamp()
        return [p for p in sorted(folder.iterdir()) if p.is_file() and p.stat().st_mtime < cutoff]

    def restore_leftovers(self) -> list[Path]:
        """The folders a restore set files aside in (named by the restore's time, UTC), once
        past their period: nothing in the database refers to those files."""
        from maca.core.backup import LEFTOVERS

        folder = Path(settings.DATA_DIR) / LEFTOVERS
        if not folder.is_dir():
            return []
        cutoff = self.now - dt.timedelta(days=self.periods.restore_leftovers_days)
        return [p for p in sorted(folder.iterdir()) if p.is_dir() and _restored_at(p) < cutoff]

    def sessions(self) -> QuerySet[Any]:
        from django.contrib.sessions.models import Session

        return Session.objects.filter(expire_date__lt=self.now)

    def counts(self) -> dict[str, int]:
        return {
            "access_log": self.access_log().count(),
            "activity_log": self.activity_log().count(),
            "sign_in_records": sum(qs.count() for qs in self.sign_in_records()),
            "case_data": (
                self.case_records().count()
                + self.events().count()
                + self.incidents().count()
                + self.returns().count()
                + self.answers().count()
                + self.moderations().count()
            ),
            "pool": self.pool().count(),
            "job_files": len(self.job_files()),
            "restore_leftovers": sum(
                1 for folder in self.restore_leftovers() for p in folder.rglob("*") if p.is_file()
            ),
            "sessions": self.sessions().count(),
        }


def retention_plan(*, now: dt.datetime | None = None, periods: Periods | None = None) -> Plan:
    now = now or timezone.now()
    periods = periods or Periods.from_settings()
    cutoff = years_before(now, periods.case_data_years)
    return Plan(now=now, periods=periods, audit_ids=_expired_audit_ids(cutoff))


def retention_purge(
    *, now: dt.datetime | None = None, periods: Periods | None = None
) -> dict[str, int]:
    """Remove everything past its date in one transaction; log it. Returns counts per kind."""
    from maca.activity.guard import retention_unlocked
    from maca.activity.services import activity_record
    from maca.audits.models import Case
    from maca.partnerships.models import Partnership

    plan = retention_plan(now=now, periods=periods)
    counts = plan.counts()
    with transaction.atomic():
        # Identifiable case data: the records and chronologies go; free text is blanked, so
        # grades, case labels and the return's status stay.
        plan.case_records().delete()
        plan.events().delete()
        plan.incidents().delete()
        plan.returns().update(**dict.fromkeys(RETURN_TEXT, ""))
        plan.answers().update(**dict.fromkeys(ANSWER_TEXT, ""))
        plan.moderations().update(**dict.fromkeys(MODERATION_TEXT, ""))
        pool = plan.pool()
        Case.objects.filter(pool_child__in=pool).update(pool_child=None)
        pool.delete()
        plan.sessions().delete()
        for qs in plan.sign_in_records():
            qs.delete()
        with retention_unlocked():
            plan.access_log()._raw_delete(plan.access_log().db)
            plan.activity_log()._raw_delete(plan.activity_log().db)
        for partnership_id in Partnership.objects.values_list("pk", flat=True):
            activity_record(
                actor=None,
                partnership_id=partnership_id,
                action="retention.purge",
                label="Retention purge",
                data={
                    "counts": counts,
                    "periods": plan.periods.__dict__,
                    "case_data_audits": plan.audit_ids,
                },
            )
        # Files last, once the database work is certain to commit.
        transaction.on_commit(_unlinker(plan.job_files(), plan.restore_leftovers()))
    return counts


def _restored_at(folder: Path) -> dt.datetime:
    """When a restore made `folder` (its name, as backup.py writes it; else its mtime)."""
    from maca.core.backup import LEFTOVERS_STAMP

    try:
        return dt.datetime.strptime(folder.name, LEFTOVERS_STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return dt.datetime.fromtimestamp(folder.stat().st_mtime, tz=dt.UTC)


def _unlinker(files: list[Path], folders: list[Path]) -> Callable[[], None]:
    def unlink() -> None:
        for path in files:
            path.unlink(missing_ok=True)
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    return unlink
