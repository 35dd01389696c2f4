"""A few hundred synthetic children for the demo's case pool, as a council would export them.

Deterministic (a fixed random seed), so every `maca demo` builds the same pool. The IDs are
invented ("DEMO-" prefixed); nothing here describes a real child.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

TEAMS = ["Front Door", "Locality North", "Locality South", "Children with Disabilities"]
SEXES = ["a) Male", "b) Female"]
ETHNICITIES = [
    "WBRI",
    "WBRI",
    "WBRI",
    "WOTH",
    "MWBC",
    "AIND",
    "APKN",
    "BAFR",
    "BCRB",
    "CHNE",
    "OOTH",
]
CATEGORIES = [
    "b) Physical abuse",
    "d) Emotional abuse",
    "c) Sexual abuse",
    "e) Multiple/not recommended",
]
HEADER = [
    "child_id",
    "date_of_birth",
    "sex",
    "ethnicity",
    "team",
    "event",
    "event_date",
    "category",
]


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def demo_pool_csv(seed: int = 2022) -> bytes:
    """The demo pool as maca's plain case-pool CSV (one row per event)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    rows: list[list[str]] = []
    number = 0

    def child(born: dt.date, events: list[tuple[str, dt.date, str]]) -> None:
        nonlocal number
        number += 1
        referral = next(on for kind, on, _ in events if kind == "referral")
        if rng.random() < 0.9:  # most assessments are authorised, some late
            events.append(
                ("assessment_authorised", referral + dt.timedelta(days=rng.randint(10, 80)), "")
            )
        ident = f"DEMO-{10000 + number}"
        sex, ethnicity, team = rng.choice(SEXES), rng.choice(ETHNICITIES), rng.choice(TEAMS)
        for kind, on, category in events:
            rows.append(
                [ident, born.isoformat(), sex, ethnicity, team, kind, on.isoformat(), category]
            )

    # Babies referred under 6 months old during the injuries audit's period (April 2021 to
    # January 2022): the injuries audit draws its five cases from these.
    for _ in range(12):
        born = _day(rng, dt.date(2021, 3, 1), dt.date(2021, 9, 30))
        referred = born + dt.timedelta(days=rng.randint(20, 150))
        events = [("referral", referred, ""), ("s47_start", referred + dt.timedelta(days=1), "")]
        if rng.random() < 0.5:
            events.append(("icpc", referred + dt.timedelta(days=rng.randint(10, 22)), ""))
            events.append(("cp_plan_start", referred + dt.timedelta(days=20), "b) Physical abuse"))
        else:  # the enquiry found no conference was needed
            events.append(("icpc_not_required", referred + dt.timedelta(days=1), ""))
        child(born, events)
    # Children on neglect plans during the neglect audit's period (April 2022 to March 2023).
    for _ in range(60):
        born = _day(rng, dt.date(2008, 1, 1), dt.date(2021, 12, 31))
        referred = _day(rng, dt.date(2022, 3, 1), dt.date(2023, 2, 1))
        icpc = referred + dt.timedelta(days=rng.randint(15, 40))
        events = [
            ("referral", referred, ""),
            ("s47_start", referred + dt.timedelta(days=2), ""),
            ("icpc", icpc, ""),
            ("cp_plan_start", icpc, "a) Neglect"),
        ]
        if rng.random() < 0.4:
            events.append(
                ("cp_plan_end", icpc + dt.timedelta(days=rng.randint(180, 400)), "a) Neglect")
            )
        child(born, events)
    # Everyone else known to children's social care: older children, other plans, other years.
    for _ in range(240):
        born = _day(rng, dt.date(2006, 1, 1), dt.date(2020, 6, 30))
        referred = _day(rng, dt.date(2019, 1, 1), dt.date(2024, 6, 30))
        events = [("referral", referred, "")]
        roll = rng.random()
        if roll < 0.35:
            events.append(("cin_plan_start", referred + dt.timedelta(days=30), ""))
        elif roll < 0.55:
            icpc = referred + dt.timedelta(days=rng.randint(12, 26))  # most within 15 working days
            events += [("s47_start", referred + dt.timedelta(days=3), ""), ("icpc", icpc, "")]
            events.append(("cp_plan_start", icpc, rng.choice(CATEGORIES)))
        elif roll < 0.65:
            events.append(("cla_start", referred + dt.timedelta(days=60), ""))
        child(born, events)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
