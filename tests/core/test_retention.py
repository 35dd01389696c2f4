"""`maca purge`: identifiable data and old log entries go when past their date; the audit's
pseudonymous outcome stays; the purge is logged; --dry-run changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import os

import time_machine
from django.core.management import call_command
from django.utils import timezone

from maca.activity.models import AccessEntry, ActivityEntry
from maca.audits.models import CaseRecord
from maca.chronology.models import ChronologyEvent
from maca.returns.models import AgencyReturn
from maca.sampling.models import PoolChild


def _published_audit(world):
    audit = world.audit(status="published", cases=[("csc", "police")])
    case = audit.cases.get()
    CaseRecord.objects.update_or_create(
        case=case, defaults={"given_name": "Testchild", "family_name": "Surname"}
    )
    ChronologyEvent.objects.create(
        case=case,
        agency=world.agencies["csc"],
        event_type=ChronologyEvent._meta.get_field("event_type").choices[0][0],
        on_date=dt.date(2021, 5, 1),
        summary="Visited the family home",
        recorded_by=world.users["csc"],
    )
    AgencyReturn.objects.filter(case=case).update(strengths="Good joint working with the family")
    return audit, case


def _purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge", *args, stdout=out)
    return out.getvalue()


def _counts(report: str) -> dict[str, int]:
    return {line.split()[0]: int(line.split()[1]) for line in report.splitlines()}


def test_nothing_goes_before_its_date_and_a_dry_run_changes_nothing(world):
    _published_audit(world)
    later = timezone.now() + dt.timedelta(days=365 * 3)
    before = (CaseRecord.objects.count(), ChronologyEvent.objects.count())
    assert _counts(_purge("--dry-run"))["case_data"] == 0
    with time_machine.travel(later, tick=False):
        report = _purge("--dry-run")
    assert "would remove" in report
    assert _counts(report)["case_data"] >= 3  # the record, the event, the return's text
    assert (CaseRecord.objects.count(), ChronologyEvent.objects.count()) == before
    assert not ActivityEntry.objects.filter(action="retention.purge").exists()


def test_the_purge_removes_identifiable_data_but_keeps_the_outcome(world, settings):
    audit, case = _published_audit(world)
    grades = list(AgencyReturn.objects.filter(case=case).values_list("grade", "status"))
    PoolChild.objects.create(partnership=world.partnership, pseudo_id="p" * 64)
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 3), tick=False):
        report = _purge()
    assert "removed" in report
    assert not CaseRecord.objects.filter(case=case).exists()
    assert not ChronologyEvent.objects.filter(case=case).exists()
    assert set(AgencyReturn.objects.filter(case=case).values_list("strengths", flat=True)) == {""}
    # What stays: the audit, the case label, the grades.
    case.refresh_from_db()
    assert case.label == "Child A" and case.audit.status == "published"
    assert list(AgencyReturn.objects.filter(case=case).values_list("grade", "status")) == grades
    assert PoolChild.objects.exists()  # the pool keeps children for three years
    entry = ActivityEntry.objects.get(action="retention.purge")
    assert entry.data["counts"]["case_data"] >= 3
    assert entry.data["case_data_audits"] == [audit.pk]


def test_old_log_entries_go_only_through_the_purge(world):
    audit = world.audit(status="auditing", cases=[("csc",)])
    AccessEntry.objects.create(
        partnership=world.partnership, user=world.users["admin"], roles="admin", action="old"
    )
    start = timezone.now()
    total = ActivityEntry.objects.count()
    with time_machine.travel(start + dt.timedelta(days=365 * 2 + 5), tick=False):
        AccessEntry.objects.create(
            partnership=world.partnership, user=world.users["admin"], roles="admin", action="new"
        )
        counts = _counts(_purge())
    assert counts["access_log"] == 1
    assert list(AccessEntry.objects.values_list("action", flat=True)) == ["new"]
    # The activity log keeps six years: all still there, plus the purge's own entry.
    assert ActivityEntry.objects.count() == total + 1
    with time_machine.travel(start + dt.timedelta(days=365 * 6 + 5), tick=False):
        _purge()
    # Six years on, everything older went; the two purges' own entries are what is left.
    assert set(ActivityEntry.objects.values_list("action", flat=True)) == {"retention.purge"}
    assert audit.cases.exists()


def test_the_pool_and_waiting_upload_files_go_after_their_periods(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "old.input").write_text("Child ID\nX1\n")
    child = PoolChild.objects.create(partnership=world.partnership, pseudo_id="q" * 64)
    audit = world.audit(status="auditing", cases=[("csc",)])
    audit.cases.update(pool_child=child)
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 3 + 5), tick=False):
        os.utime(jobs / "old.input", (0, 0))
        with django_capture_on_commit_callbacks(execute=True):
            _purge()
    assert not PoolChild.objects.exists()
    assert audit.cases.get().pool_child is None
    assert not (jobs / "old.input").exists()


def test_sign_in_records_go_with_the_access_log(world):
    from axes.models import AccessLog

    AccessLog.objects.create(username="csc", ip_address="192.0.2.1", user_agent="x")
    with time_machine.travel(timezone.now() + dt.timedelta(days=365), tick=False):
        assert _counts(_purge())["sign_in_records"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 2 + 5), tick=False):
        assert _counts(_purge())["sign_in_records"] == 1
    assert not AccessLog.objects.exists()


def test_files_a_restore_set_aside_go_after_their_period(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A restore moves files saved after its backup to restore-leftovers/<time>/; nothing
    refers to them, so the purge deletes them once past MACA_RETAIN_RESTORE_LEFTOVERS_DAYS."""
    from maca.core.backup import LEFTOVERS, LEFTOVERS_STAMP

    settings.DATA_DIR = tmp_path
    settings.MACA_RETENTION = {**settings.MACA_RETENTION, "restore_leftovers_days": 20}
    now = timezone.now()
    folders = {
        days: tmp_path / LEFTOVERS / (now - dt.timedelta(days=days)).strftime(LEFTOVERS_STAMP)
        for days in (21, 19)
    }
    for folder in folders.values():
        (folder / "uploads").mkdir(parents=True)
        (folder / "uploads" / "later.pdf").write_bytes(b"%PDF-1.7 saved after the backup")
        (folder / "pool.csv").write_text("Child ID\nX1\n")

    assert _counts(_purge("--dry-run"))["restore_leftovers"] == 2
    assert folders[21].exists()
    with django_capture_on_commit_callbacks(execute=True):
        report = _purge()
    assert _counts(report)["restore_leftovers"] == 2
    assert "files a restore set aside" in report
    assert not folders[21].exists()
    assert (folders[19] / "uploads" / "later.pdf").exists()
    entry = ActivityEntry.objects.get(action="retention.purge")
    assert entry.data["counts"]["restore_leftovers"] == 2
