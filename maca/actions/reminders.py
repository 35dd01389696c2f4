"""E-mail reminders for returns due, actions due and actions overdue.

Run by `maca reminders` (cron) or by the job worker once a day (`enqueue_if_due`, called from
the worker's loop, so the demo needs no extra service). Each reminder is recorded in
`ReminderSent` before its e-mail goes, in one transaction per recipient, and the record is
unique per thing, recipient and day: nobody is e-mailed twice about the same thing on the same
day, even if two workers run at once. Reminders name the audit, the case label and the action
number, never a child or the wording of a finding.

Cadence: a return or action due within a week gets one reminder when it enters the week and one
on its last day (or the day before); an overdue action one a week until it is done.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from maca.actions.models import OPEN_STATUSES, Action, ReminderKind, ReminderSent
from maca.activity.services import activity_record
from maca.partnerships.models import Membership, Role

WEEK = 7
JOB_KIND = "reminders"


@dataclass(frozen=True)
class Item:
    kind: str
    key: str
    text: str
    repeat_after_days: int | None = None  # None: once per key; N: again after N days


@dataclass
class Letter:
    """Everything one person is reminded of in one run: one e-mail."""

    partnership_id: int
    recipient: str
    items: list[Item] = field(default_factory=list)

    @property
    def subject(self) -> str:
        n = len(self.items)
        return f"maca: {n} reminder{'s' if n != 1 else ''} about returns and actions"

    @property
    def body(self) -> str:
        lines = ["Hello,", "", "This is a reminder from maca about:", ""]
        lines += [f"- {item.text}" for item in self.items]
        lines += ["", "Sign in to maca to see the details.", "", "This e-mail was sent by maca."]
        return "\n".join(lines)


@dataclass(frozen=True)
class Summary:
    emails: int
    reminders: int
    letters: tuple[Letter, ...]


def _stage(days_left: int) -> str:
    return "final" if days_left <= 1 else "week"


def _when(days_left: int, due: dt.date) -> str:
    if days_left == 0:
        return "today"
    if days_left == 1:
        return "tomorrow"
    return f"by {due:%-d %B %Y}"


def _addresses(partnership_id: int, *, role: str, agency_id: int | None = None) -> list[str]:
    qs = Membership.objects.filter(
        partnership_id=partnership_id, role=role, is_active=True, user__is_active=True
    ).exclude(user__email="")
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return sorted(set(qs.values_list("user__email", flat=True)))


def _planned(today: dt.date, partnership_id: int | None) -> list[tuple[int, list[str], Item]]:
    """(partnership, recipients, item) for everything due a reminder today, before dedupe."""
    from maca.returns.models import AgencyReturn, ReturnStatus

    out: list[tuple[int, list[str], Item]] = []
    returns = AgencyReturn.objects.filter(
        status=ReturnStatus.DRAFT,
        case__audit__status="auditing",
        case__audit__return_deadline__gte=today,
        case__audit__return_deadline__lte=today + dt.timedelta(days=WEEK),
    ).select_related("case__audit", "agency")
    if partnership_id is not None:
        returns = returns.filter(case__audit__partnership_id=partnership_id)
    for ret in returns.order_by("case__audit__title", "case__number", "agency__name"):
        audit = ret.case.audit
        due = audit.return_deadline
        assert due is not None
        days = (due - today).days
        item = Item(
            ReminderKind.RETURN_DUE,
            f"return:{ret.pk}:{due.isoformat()}:{_stage(days)}",
            f"{audit.title}: your agency's return for {ret.case.label} is due {_when(days, due)}.",
        )
        recipients = _addresses(audit.partnership_id, role=Role.AUDITOR, agency_id=ret.agency_id)
        out.append((audit.partnership_id, recipients, item))

    actions = (
        Action.objects.filter(
            status__in=OPEN_STATUSES, due_date__lte=today + dt.timedelta(days=WEEK)
        )
        .exclude(audit__status="closed")
        .select_related("audit", "owner_agency")
        .order_by("due_date", "audit__title", "number")
    )
    if partnership_id is not None:
        actions = actions.filter(partnership_id=partnership_id)
    for action in actions:
        days = (action.due_date - today).days
        owners = _addresses(
            action.partnership_id, role=Role.AUDITOR, agency_id=action.owner_agency_id
        )
        where = f"{action.source_title}: {action.label} ({action.owner_agency.name})"
        if days >= 0:
            item = Item(
                ReminderKind.ACTION_DUE,
                f"action:{action.pk}:{action.due_date.isoformat()}:{_stage(days)}",
                f"{where} is due {_when(days, action.due_date)}.",
            )
            out.append((action.partnership_id, owners, item))
        else:
            late = -days
            item = Item(
                ReminderKind.ACTION_OVERDUE,
                f"action:{action.pk}:{action.due_date.isoformat()}:overdue",
                f"{where} is overdue: it was due on {action.due_date:%-d %B %Y} "
                f"({late} day{'s' if late != 1 else ''} ago).",
                repeat_after_days=WEEK,
            )
            admins = _addresses(action.partnership_id, role=Role.ADMIN)
            out.append((action.partnership_id, sorted(set(owners) | set(admins)), item))
    return out


def _already_sent(item: Item, recipient: str, today: dt.date) -> bool:
    sent = ReminderSent.objects.filter(kind=item.kind, subject_key=item.key, recipient=recipient)
    if item.repeat_after_days is not None:
        sent = sent.filter(sent_on__gt=today - dt.timedelta(days=item.repeat_after_days))
    return sent.exists()


def letters_due(today: dt.date, partnership_id: int | None = None) -> list[Letter]:
    """The e-mails a run today would send, one per recipient, without what was already sent."""
    letters: dict[tuple[int, str], Letter] = {}
    for pid, recipients, item in _planned(today, partnership_id):
        for recipient in recipients:
            if _already_sent(item, recipient, today):
                continue
            letter = letters.setdefault((pid, recipient), Letter(pid, recipient))
            letter.items.append(item)
    return [letters[k] for k in sorted(letters)]


def reminders_send(
    *, today: dt.date | None = None, dry_run: bool = False, partnership_id: int | None = None
) -> Summary:
    """Send today's reminders (or, with `dry_run`, only say what would go)."""
    today = today or timezone.localdate()
    letters = letters_due(today, partnership_id)
    if dry_run:
        return Summary(0, sum(len(x.items) for x in letters), tuple(letters))
    sent: list[Letter] = []
    per_partnership: dict[int, int] = defaultdict(int)
    for letter in letters:
        try:
            with transaction.atomic():
                for item in letter.items:
                    ReminderSent.objects.create(
                        partnership_id=letter.partnership_id,
                        kind=item.kind,
                        subject_key=item.key,
                        recipient=letter.recipient,
                        sent_on=today,
                    )
                send_mail(
                    letter.subject,
                    letter.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [letter.recipient],
                    fail_silently=False,
                )
        except IntegrityError:
            continue  # another run sent this today
        sent.append(letter)
        per_partnership[letter.partnership_id] += len(letter.items)
    for pid, count in per_partnership.items():
        activity_record(
            actor=None,
            partnership_id=pid,
            action="reminders.sent",
            label="Reminders",
            data={"reminders": count, "date": today.isoformat()},
        )
    return Summary(len(sent), sum(len(x.items) for x in sent), tuple(sent))


def enqueue_if_due(now: dt.datetime | None = None) -> int:
    """Queue today's reminders job for each partnership that has none yet; returns how many.

    Called from the worker's loop, so a running worker sends reminders once a day with no
    scheduler to install.
    """
    from maca.jobs import services as job_services
    from maca.jobs.models import Job
    from maca.partnerships.models import Partnership

    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    done = set(
        Job.objects.filter(kind=JOB_KIND, created_at__gte=start).values_list(
            "partnership_id", flat=True
        )
    )
    count = 0
    for pid in Partnership.objects.exclude(pk__in=done).values_list("pk", flat=True):
        job_services.enqueue(kind=JOB_KIND, partnership_id=pid, created_by_id=None)
        count += 1
    return count
