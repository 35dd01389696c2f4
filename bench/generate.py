"""Synthetic benchmark data (no real personal data): Annex A List 3 as CSV and xlsx,
chronologies in the contract format (JSON Lines, one chronology file per line), and a pool
of sampling candidates. Everything is seeded, so the same N gives the same data.

    uv run --group bench python bench/generate.py csv 50000 /tmp/list3.csv
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from pathlib import Path

import numpy as np
import polars as pl

# The exact Annex A List 3 headers (11 columns).
LIST3_HEADERS = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of Referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    "Allocated Team",
    "Allocated Worker",
]
DATE_COLUMNS = ("Date of Birth", "Date of Referral")
SEXES = ["a) Male", "b) Female", "c) Not stated/recorded", "d) Neither"]
SEX_WEIGHTS = [0.49, 0.48, 0.025, 0.005]
ETHNICITIES = ["a) WBRI", "d) WOTH", "f) MWBC", "k) APKN", "o) BAFR", "r) OOTH", "s) NOBT"]
ETHNICITY_WEIGHTS = [0.7, 0.08, 0.04, 0.05, 0.06, 0.04, 0.03]
SOURCES = [
    "1A) Individual",
    "1B) Individual - family member",
    "1C) Individual - acquaintance",
    "1D) Individual - self",
    "2A) Schools",
    "2B) Education services",
    "3A) Health services - GP",
    "3B) Health services - health visitor",
    "3C) Health services - school nurse",
    "3D) Health services - other primary health",
    "3E) Health services - A&E",
    "3F) Health services - other",
    "4) Housing",
    "5A) LA services - social care",
    "5B) LA services - other internal",
    "5C) LA services - external",
    "5D) Police",
    "6) Other legal agency",
    "7) Other",
    "8) Anonymous",
    "9) Unknown",
    "10) Not recorded",
]
TEAMS = [f"Team {name}" for name in "ABCDEFGHIJKLMNOPQRST"]  # 20 teams
WORKERS = [f"Worker {n:03d}" for n in range(800)]
FIRST_REFERRAL = dt.date(2024, 4, 1)  # a year of referrals, all in the past
YEAR_DAYS = 365


def list3_frame(rows: int, seed: int = 3) -> pl.DataFrame:
    """List 3 rows sorted by referral date; about a third of rows are repeat children."""
    rng = np.random.default_rng(seed)
    children = max(1, rows * 2 // 3)
    child = np.concatenate([np.arange(children), rng.integers(0, children, rows - children)])
    born = np.datetime64("2007-04-01") + rng.integers(0, 17 * 365, children)
    referred = np.datetime64(FIRST_REFERRAL) + rng.integers(0, YEAR_DAYS, rows)
    referred = np.maximum(referred, born[child] + 1)
    age = ((referred - born[child]).astype(int) // 365.25).astype(np.int64)
    team = rng.choice(len(TEAMS), children, p=_zipf(len(TEAMS)))
    frame = pl.DataFrame(
        {
            "Child Unique ID": [f"CH{n:07d}" for n in child],
            "Gender": np.array(SEXES)[rng.choice(4, children, p=SEX_WEIGHTS)][child],
            "Ethnicity": np.array(ETHNICITIES)[
                rng.choice(len(ETHNICITIES), children, p=ETHNICITY_WEIGHTS)
            ][child],
            "Date of Birth": born[child],
            "Age of Child (Years)": age,
            "Date of Referral": referred,
            "Referral Source": np.array(SOURCES)[rng.integers(0, len(SOURCES), rows)],
            "Referral NFA?": np.where(rng.random(rows) < 0.3, "a) Yes", "b) No"),
            "Number of Referrals in Last 12 Months": rng.integers(1, 5, rows),
            "Allocated Team": np.array(TEAMS)[team][child],
            "Allocated Worker": np.array(WORKERS)[rng.integers(0, len(WORKERS), rows)],
        }
    )
    return frame.with_columns(pl.col(c).cast(pl.Date) for c in DATE_COLUMNS).sort(
        "Date of Referral", maintain_order=True
    )


def _zipf(n: int) -> np.ndarray:
    weights = 1 / np.arange(1, n + 1)
    return weights / weights.sum()


def write_list3_csv(path: Path, rows: int) -> Path:
    """The List 3 CSV with dd/mm/yyyy dates."""
    frame = list3_frame(rows).with_columns(pl.col(c).dt.strftime("%d/%m/%Y") for c in DATE_COLUMNS)
    frame.write_csv(path)
    return path


def write_list3_xlsx(path: Path, rows: int) -> Path:
    """A workbook with one "List 3" sheet (real date cells), written by openpyxl write_only."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("List 3")
    sheet.append(LIST3_HEADERS)
    for row in list3_frame(rows).iter_rows():
        sheet.append(row)
    workbook.save(path)
    return path


def chronology(index: int, rng: random.Random) -> dict[str, object]:
    """One child's chronology (~20 events) for the injuries-in-non-mobile-babies protocol,
    with some late, missing and "not done with a reason" steps."""
    born = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(700))
    day = born + dt.timedelta(days=rng.randrange(30, 200))
    events: list[dict[str, object]] = []

    def add(offset_days: int, type_: str, hour: int | None = None, **extra: object) -> None:
        when = day + dt.timedelta(days=offset_days)
        at = (
            when.isoformat()
            if hour is None
            else f"{when.isoformat()}T{hour:02d}:{rng.randrange(60):02d}"
        )
        events.append({"at": at, "type": type_, "agency": "csc", **extra})

    for incident in ("1", "2"):
        add(0, "injury_observed", 10, incident=incident, agency="health-visiting", summary="bruise")
        add(rng.choice((0, 0, 0, 1)), "referral", 11, incident=incident)
        add(rng.choice((0, 1, 1, 2)), "referral_decision", 15)
        if rng.random() < 0.1:
            add(1, "strategy_discussion_not_held", reason="known explanation")
        else:
            add(rng.choice((1, 1, 2, 4)), "strategy_discussion", 9, attendees=["csc", "police"])
        if rng.random() < 0.15:
            add(0, "cp_medical_not_done", incident=incident, reason="seen by GP")
        elif rng.random() < 0.9:
            add(rng.choice((0, 0, 1)), "cp_medical", 16, incident=incident, agency="paediatrics")
        add(2, "escalation", summary="delay chased")
        day += dt.timedelta(days=rng.randrange(20, 90))
    add(-40, "section47_started")
    add(rng.randrange(-30, 0), "icpc", outcome="plan")
    add(rng.randrange(-20, 10), "core_group")
    add(rng.randrange(0, 60), "assessment_completed")
    add(60, "second_opinion_requested")
    add(60 + rng.randrange(2, 10), "second_opinion_received")
    add(90, "review_conference")
    add(91, "plan_started", plan="cp")
    events.sort(key=lambda e: str(e["at"]))
    return {
        "child": {"ref": f"Child {index}", "date_of_birth": born.isoformat(), "non_mobile": True},
        "events": events,
    }


def write_chronologies(path: Path, count: int, seed: int = 5) -> Path:
    """JSON Lines: each line is one chronology file's content."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            out.write(json.dumps(chronology(index, rng), separators=(",", ":")) + "\n")
    return path


def pool(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """(pseudonymous ids, teams): ids look like maca's keyed hashes (64 hex digits)."""
    rng = np.random.default_rng(seed)
    ids = [hashlib.sha256(f"pool:{n}".encode()).hexdigest() for n in range(count)]
    teams = np.array(TEAMS)[rng.choice(len(TEAMS), count, p=_zipf(len(TEAMS)))].tolist()
    return ids, teams


WRITERS = {"csv": write_list3_csv, "xlsx": write_list3_xlsx, "chronologies": write_chronologies}

if __name__ == "__main__":
    kind, rows, target = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    print(WRITERS[kind](target, rows))
