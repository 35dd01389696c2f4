"""A large synthetic partnership for the page benchmarks: ten years of audits, built fast.

    uv run python bench/partnership.py [--quick]    # prints the database's folder

Full size: 120 audits, 1,200 cases, about 8,000 agency returns (with their answers), 60,000
chronology events, 200,000 children in the pool. `--quick` is a tenth of that (20,000
children). The demo partnership (`maca.partnerships.demo`, built through the services) is the
template: its tool, protocol, users and its published audit are cloned with bulk inserts, so
every row is one the services could have written, and every page can show it. Four audits are
left part-way (sampling, auditing, moderation, reporting); the rest are published or closed.

The database is made once per size and generator version under `bench/out/pages/` (git-ignored)
and reused; bench/pages.py runs each benchmark on a copy of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "pages"
VERSION = 1  # bump when the generated data changes, so cached databases are rebuilt
SIZES = {
    "full": {"audits": 120, "cases": 10, "events": 50, "pool": 200_000},
    "quick": {"audits": 12, "cases": 10, "events": 50, "pool": 20_000},
}
USERS = 20  # bench-admin-01.., bench-csc-01..: one per concurrent client
EXTRA_AGENCIES = [("education", "Schools", "Schools"), ("housing", "Housing", "Housing")]
# The audits left part-way, by reference; the page benchmarks open these.
CURRENT = {
    "sampling": "bench-sampling",
    "auditing": "bench-auditing",
    "moderation": "bench-moderation",
    "reporting": "bench-reporting",
}
SECRET_KEY = "bench-only-secret-key-not-for-production-" + "x" * 20  # nosec B105
PSEUDONYM_KEY = "bench-only-pseudonym-key"  # nosec B105


def environment(data_dir: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off) on the bench's own data folder and keys."""
    env = {
        "MACA_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MACA_DEBUG": "0",
        "MACA_SECRET_KEY": os.environ.get("MACA_SECRET_KEY", SECRET_KEY),
        "MACA_PSEUDONYM_KEY": os.environ.get("MACA_PSEUDONYM_KEY", PSEUDONYM_KEY),
        "MACA_SECURE_SSL_REDIRECT": "0",  # plain HTTP on localhost
        "MACA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MACA_STATIC_ROOT": str(OUT / "static"),
        "MACA_LOG_LEVEL": "WARNING",
    }
    return env


def database_dir(mode: str) -> Path:
    return OUT / f"partnership-{mode}-v{VERSION}"


def ensure(mode: str) -> Path:
    """The folder holding the generated database, built first if it is not there yet."""
    target = database_dir(mode)
    if (target / "maca.sqlite3").exists():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    import subprocess

    subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(Path(__file__)), "--build", mode, str(partial)],
        check=True,
        cwd=ROOT,
        env={**os.environ, **environment(partial)},
    )
    partial.rename(target)
    return target


def _copy(obj: Any, **changes: Any) -> Any:
    """A new unsaved row with `obj`'s field values, changed where given."""
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.attname not in changes
    }
    return type(obj)(**values, **changes)


def build(mode: str) -> None:
    """Migrate, build the demo through the services, then clone it up to the size asked."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maca.activity.models import ActivityEntry
    from maca.audits.models import Audit, Case, CaseRecord, case_label
    from maca.briefings.models import Briefing, BriefingVersion
    from maca.chronology.models import ChronologyEvent, Incident
    from maca.findings.models import Finding, LearningEvent, PractitionerStep
    from maca.moderation.models import CaseModeration
    from maca.partnerships import demo
    from maca.partnerships.models import Agency, Membership, Role, User
    from maca.returns.models import AgencyReturn, Answer
    from maca.sampling.models import PoolChild

    size = SIZES[mode]
    rng = random.Random(f"bench-partnership-{VERSION}")  # noqa: S311  # nosec B311
    call_command("migrate", verbosity=0)
    demo.demo_load()
    now = timezone.now()
    template = Audit.objects.get(reference=demo.NMB_REFERENCE)
    partnership = template.partnership
    admin = User.objects.get(username="admin")
    chair = User.objects.get(username="chair")
    t_cases = list(template.cases.order_by("number").prefetch_related("agencies"))
    t_events = {
        c.pk: list(ChronologyEvent.objects.filter(case=c).order_by("on_date", "at_time", "id"))
        for c in t_cases
    }
    t_returns = list(AgencyReturn.objects.filter(case__audit=template).select_related("agency"))
    by_agency = {r.agency.slug: r for r in t_returns}
    t_answers = {
        r.pk: list(Answer.objects.filter(agency_return=r).order_by("id")) for r in t_returns
    }
    t_moderation = {m.case_id: m for m in CaseModeration.objects.filter(case__audit=template)}
    t_findings = list(Finding.objects.filter(audit=template).prefetch_related("cases"))
    t_steps = list(PractitionerStep.objects.filter(audit=template))
    t_learning = list(LearningEvent.objects.filter(audit=template))
    t_version = BriefingVersion.objects.get(briefing__audit=template, number=1)
    t_pool = list(PoolChild.objects.filter(partnership=partnership).values())

    with transaction.atomic():
        for slug, name, short in EXTRA_AGENCIES:
            Agency.objects.create(partnership=partnership, slug=slug, name=name, short_name=short)
        agencies = {a.slug: a for a in Agency.objects.filter(partnership=partnership)}
        others = [slug for slug in agencies if slug != "csc"]
        password = make_password(None)  # unusable: bench users only ever have sessions
        for role, agency, prefix in ((Role.ADMIN, None, "admin"), (Role.AUDITOR, "csc", "csc")):
            for n in range(1, USERS + 1):
                user = User.objects.create(
                    username=f"bench-{prefix}-{n:02d}", password=password, first_name="Bench"
                )
                Membership.objects.create(
                    user=user,
                    partnership=partnership,
                    role=role,
                    agency=agencies[agency] if agency else None,
                )
                TOTPDevice.objects.create(user=user, name="Bench app", confirmed=True)

        count = size["audits"] - 2  # the demo has two
        statuses = ["closed"] * (count - 4 - 12) + ["published"] * 12 + list(CURRENT)
        statuses = statuses[-count:]
        for index, status in enumerate(statuses):
            year = 2016 + index * 10 // count
            shift = dt.timedelta(days=365 * (year - 2021) + 10 * (index % 30))
            reference = CURRENT.get(status) or f"audit-{year}-{index:03d}"
            current = status in CURRENT
            audit = _copy(
                template,
                reference=reference,
                title=f"{template.title} ({year}, {index + 1})",
                status=status,
                period_start=template.period_start + shift,
                period_end=template.period_end + shift,
                return_deadline=(
                    dt.date.today() + dt.timedelta(days=60)
                    if current
                    else template.return_deadline + shift
                ),
                panel_date=(
                    dt.date.today() + dt.timedelta(days=90)
                    if current
                    else template.panel_date + shift
                ),
            )
            audit.save()
            audit.agencies.set(agencies.values())
            submitted = status not in ("sampling", "auditing")
            moderated = status not in ("sampling", "auditing", "moderation")
            cases = Case.objects.bulk_create(
                [
                    Case(audit=audit, number=n, label=case_label(n))
                    for n in range(1, size["cases"] + 1)
                ]
            )
            CaseRecord.objects.bulk_create(
                [
                    CaseRecord(
                        case=case,
                        given_name=f"Bench{case.number}",
                        family_name=f"Child{index}",
                        date_of_birth=dt.date(year - 1, 1 + case.number % 12, 1),
                        council_id=f"BENCH-{index:03d}-{case.number:02d}",
                    )
                    for case in cases
                ]
            )
            links, returns, answers_for = [], [], []
            for case in cases:
                slugs = ["csc", *rng.sample(others, rng.choice((5, 6, 6)))]
                links += [
                    Case.agencies.through(case_id=case.pk, agency_id=agencies[s].pk) for s in slugs
                ]
                for slug in slugs:
                    source = by_agency.get(slug, t_returns[0])
                    ret = _copy(
                        source,
                        case_id=case.pk,
                        agency_id=agencies[slug].pk,
                        status="submitted" if submitted else "draft",
                        version=2 if submitted else 1,
                        submitted_at=now if submitted else None,
                        submitted_by_id=source.submitted_by_id if submitted else None,
                        **({} if submitted else {"grade": "", "grade_reason": ""}),
                    )
                    returns.append(ret)
                    answers_for.append(t_answers[source.pk] if submitted else [])
            Case.agencies.through.objects.bulk_create(links)
            AgencyReturn.objects.bulk_create(returns)
            Answer.objects.bulk_create(
                [
                    _copy(answer, agency_return_id=ret.pk)
                    for ret, answers in zip(returns, answers_for, strict=True)
                    for answer in answers
                ]
            )
            incidents = {
                case.pk: Incident(case=case, code="1", description="Bruising") for case in cases
            }
            Incident.objects.bulk_create(incidents.values())
            events = []
            for case in cases:
                source_case = t_cases[(case.number - 1) % len(t_cases)]
                chosen = t_events[source_case.pk]
                for event in chosen:
                    events.append(
                        _copy(
                            event,
                            case_id=case.pk,
                            on_date=event.on_date + shift,
                            incident_id=incidents[case.pk].pk if event.incident_id else None,
                            created_at=now,
                        )
                    )
                last = max(e.on_date for e in chosen) + shift
                slugs = [link.agency_id for link in links if link.case_id == case.pk]
                for n in range(size["events"] - len(chosen)):
                    events.append(
                        ChronologyEvent(
                            case_id=case.pk,
                            agency_id=slugs[n % len(slugs)],
                            event_type="core_group",
                            on_date=last + dt.timedelta(days=14 * (n + 1)),
                            summary="Core group meeting; the plan was reviewed.",
                            recorded_by_id=admin.pk,
                        )
                    )
            ChronologyEvent.objects.bulk_create(events, batch_size=2000)
            if moderated:
                CaseModeration.objects.bulk_create(
                    [
                        _copy(
                            t_moderation[t_cases[(case.number - 1) % len(t_cases)].pk],
                            case_id=case.pk,
                        )
                        for case in cases
                    ]
                )
                for finding in t_findings:
                    copy = _copy(finding, audit_id=audit.pk)
                    copy.save()
                    numbers = {c.number for c in finding.cases.all()}
                    copy.cases.set(
                        [c for c in cases if (c.number - 1) % len(t_cases) + 1 in numbers]
                    )
                PractitionerStep.objects.bulk_create([_copy(s, audit_id=audit.pk) for s in t_steps])
                LearningEvent.objects.bulk_create(
                    [_copy(e, audit_id=audit.pk, date=e.date + shift) for e in t_learning]
                )
                published = status != "reporting"
                briefing = Briefing.objects.create(
                    partnership=partnership, reference=reference, audit=audit, title=audit.title
                )
                version = BriefingVersion.objects.create(
                    briefing=briefing,
                    number=1,
                    sections=t_version.sections,
                    note="Composed from the audit",
                    created_by=chair,
                    published_at=now if published else None,
                    published_by=admin if published else None,
                )
                if published:
                    briefing.published_version = version
                    briefing.save(update_fields=["published_version"])
            ActivityEntry.objects.bulk_create(
                [
                    ActivityEntry(
                        partnership=partnership,
                        actor=admin,
                        action="return.submit",
                        audit_id=audit.pk,
                        target_type="agencyreturn",
                        target_id=ret.pk,
                        target_label="Bench return",
                    )
                    for ret in returns
                ]
            )

        # The pool: the demo's children repeated with new ids, their dates moved a few years.
        rows = []
        for n in range(size["pool"] - len(t_pool)):
            child = t_pool[n % len(t_pool)]
            years = n % 10 - 5
            rows.append(
                (
                    partnership.pk,
                    hashlib.sha256(f"bench-child-{n}".encode()).hexdigest(),
                    _shift(child["date_of_birth"], years),
                    child["age_years"],
                    child["sex"],
                    child["ethnicity"],
                    child["team"],
                    json.dumps(
                        [
                            {**e, "date": _shift(dt.date.fromisoformat(e["date"]), years)}
                            for e in child["events"]
                        ]
                    ),
                    now.isoformat(),
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO sampling_poolchild (partnership_id, pseudo_id, date_of_birth, "
                "age_years, sex, ethnicity, team, events, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _shift(day: dt.date | None, years: int) -> str | None:
    """The date `years` later (28 February for 29 February in a common year), as ISO text."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:
        return day.replace(year=day.year + years, day=28).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the full size")
    parser.add_argument("--build", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        sys.path.insert(0, str(ROOT))
        build(args.build[0])
        return
    print(ensure("quick" if args.quick else "full"))


if __name__ == "__main__":
    main()
