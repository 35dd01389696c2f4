"""Reminders: what is due goes out by e-mail once, and never twice on one day."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from maca.actions.models import ReminderSent
from maca.actions.reminders import enqueue_if_due, reminders_send
from maca.jobs import services as job_services
from maca.jobs.models import Job
from tests.actions.support import add_action, progress

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def test_returns_due_within_a_week_remind_the_agency(world) -> None:
    audit = world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=5))
    summary = reminders_send(today=TODAY)
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Child A: csc and police; Child B: csc and gp. One e-mail per person.
    assert recipients == ["csc@example.invalid", "gp@example.invalid", "police@example.invalid"]
    assert summary.emails == 3 and summary.reminders == 4
    police = next(m for m in mail.outbox if m.to == ["police@example.invalid"])
    assert f"{audit.title}: your agency's return for Child A is due by" in police.body
    assert "Testchild" not in police.body  # never the child's name


def test_nothing_is_sent_twice_on_the_same_day(world) -> None:
    world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=5))
    reminders_send(today=TODAY)
    first = len(mail.outbox)
    again = reminders_send(today=TODAY)
    assert again.emails == 0 and len(mail.outbox) == first
    assert ReminderSent.objects.count() == 4


def test_a_return_gets_a_last_day_reminder(world) -> None:
    world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=5))
    reminders_send(today=TODAY)
    mail.outbox.clear()
    reminders_send(today=TODAY + dt.timedelta(days=2))  # still in the week: nothing new
    assert mail.outbox == []
    reminders_send(today=TODAY + dt.timedelta(days=5))
    assert mail.outbox and "is due today" in mail.outbox[0].body


def test_submitted_returns_are_not_chased(world) -> None:
    audit = world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=2))
    for ret in audit.cases.get(number=1).returns.all():
        world.submit(ret)
    reminders_send(today=TODAY)
    assert sorted(m.to[0] for m in mail.outbox) == ["csc@example.invalid", "gp@example.invalid"]


def test_actions_due_and_overdue(world) -> None:
    audit = world.audit("pub", status="published")
    add_action(world, audit, owner="police", due=TODAY + dt.timedelta(days=1))
    add_action(world, audit, owner="csc", due=TODAY - dt.timedelta(days=2))
    done = add_action(world, audit, owner="gp", due=TODAY - dt.timedelta(days=9))
    progress(world, done, "done", by="gp", evidence="Finished.")
    reminders_send(today=TODAY)
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert "Action 1 (POLICE) is due tomorrow." in by_person["police@example.invalid"]
    assert "Action 2 (CSC) is overdue" in by_person["csc@example.invalid"]
    assert "Action 2 (CSC) is overdue" in by_person["admin@example.invalid"]  # business unit
    assert "gp@example.invalid" not in by_person  # done actions are not chased
    mail.outbox.clear()
    reminders_send(today=TODAY + dt.timedelta(days=1))
    assert not any("overdue" in m.body for m in mail.outbox)  # weekly, not daily
    reminders_send(today=TODAY + dt.timedelta(days=7))
    assert any("Action 2 (CSC) is overdue" in m.body for m in mail.outbox)


def test_the_command_dry_run_sends_and_records_nothing(world) -> None:
    world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=3))
    out = StringIO()
    call_command("reminders", "--dry-run", stdout=out)
    assert "Would e-mail police@example.invalid:" in out.getvalue()
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    out = StringIO()
    call_command("reminders", stdout=out)
    assert "Sent 3 e-mail(s) with 4 reminder(s)." in out.getvalue()


def test_the_console_backend_prints_the_reminder(world, settings, capsys) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=3))
    reminders_send(today=TODAY)
    out = capsys.readouterr().out
    assert "Subject: maca: 1 reminder about returns and actions" in out
    assert "To: police@example.invalid" in out


def test_the_worker_queues_one_reminders_job_a_day(world) -> None:
    import maca.jobs.handlers  # noqa: F401

    world.audit("run", status="auditing", deadline=TODAY + dt.timedelta(days=3))
    assert enqueue_if_due() == 1
    assert enqueue_if_due() == 0  # already queued today
    job_services.run_pending()
    job = Job.objects.get(kind="reminders")
    assert job.status == "done" and job.result == {"emails": 3, "reminders": 4}
    assert len(mail.outbox) == 3
