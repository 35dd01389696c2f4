"""maca's speed and memory against floors measured in the same run (see bench/README.md).

    uv run --group bench python bench/run.py [--quick] [--only import,xlsx,...] [--docs]

Prints one line per goal (measured, floor, ratio, goal, MET or MISSED) and writes the report
as markdown to bench/out/report.md (and report-quick.md or report-full.md). Exits 0 whether
goals are met or not: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DATA = OUT / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import pages  # noqa: E402

from maca.chronology.engine import (  # noqa: E402
    Evaluation,
    add_working_days,
    evaluate,
    evaluate_lines,
    load_protocol,
)
from maca.chronology.engine import parse_document as parse_chronology_document  # noqa: E402
from maca.sampling.algorithm import Candidate, draw  # noqa: E402
from maca.sampling.importers import open_reader  # noqa: E402

T = TypeVar("T")
U = TypeVar("U")
SIZES = {
    # A smoke-level check (about 35 s of CPU; a minute or more of wall time on a busy machine):
    # each ratio against a floor at the same size, but fixed costs weigh more. The docs quote
    # the full sizes.
    "quick": {
        "csv": 20_000,
        "xlsx": 5_000,
        "chronologies": 2_000,
        "pool": 50_000,
        "days": 100_000,  # beyond add_working_days' cache (65,536), or runs 2 and 3 only hit it
        "briefing_runs": 1,
        "pages": 12,  # audits in the synthetic partnership (bench/partnership.py)
    },
    "full": {
        "csv": 1_000_000,
        "xlsx": 100_000,
        "chronologies": 100_000,
        "pool": 1_000_000,
        "days": 1_000_000,
        "briefing_runs": 9,
        "pages": 120,
    },
}
AS_OF = dt.date(2025, 6, 30)  # after every generated chronology event
SEED = "bench-seed-0001"
SAMPLE_SIZE = 30
GIB_MIB = 1024.0


@dataclass
class Line:
    """One goal: a measured figure against its floor (or, for memory, an absolute limit)."""

    what: str
    measured: float
    floor_name: str
    floor: float
    goal: float | None  # the largest ratio allowed (the absolute limit when `absolute`); None:
    # shown for information, no goal (e.g. a path the issue sets no target for)
    unit: str = "s"
    absolute: bool = False
    runs: str = "median of 3, maca and floor in turn"

    @property
    def ratio(self) -> float:
        return self.measured / self.floor if self.floor else float("inf")

    @property
    def met(self) -> bool:
        if self.goal is None:
            return True
        return (self.measured if self.absolute else self.ratio) <= self.goal

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return "for information"
        return "MET" if self.met else "MISSED"

    def fmt(self, value: float) -> str:
        return f"{value:,.0f} MiB" if self.unit == "MiB" else f"{value:,.3g} s"

    @property
    def goal_text(self) -> str:
        if self.goal is None:
            return "none"
        return f"<= {self.fmt(self.goal)}" if self.absolute else f"<= {self.goal:g}x"

    def text(self) -> str:
        return (
            f"{self.what}: {self.fmt(self.measured)}; floor ({self.floor_name}) "
            f"{self.fmt(self.floor)}; ratio {self.ratio:.1f}x; goal {self.goal_text}: "
            f"{self.verdict}"
        )


def timed(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median wall time of `runs` calls, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result  # type: ignore[return-value]


def timed_pair(fn: Callable[[], T], floor: Callable[[], U], runs: int) -> tuple[float, T, float, U]:
    """`timed` of maca's side and of its floor, run in turn (maca, floor, maca...): a slow
    spell of a shared machine then falls on both sides, not on one side's three runs."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[Any] = [None, None]
    for _ in range(runs):
        for side, call in enumerate((fn, floor)):
            started = time.perf_counter()
            results[side] = call()
            times[side].append(time.perf_counter() - started)
    return statistics.median(times[0]), results[0], statistics.median(times[1]), results[1]


def data_file(kind: str, rows: int, ext: str) -> Path:
    """A generated input, made once and kept in bench/out/data (git-ignored)."""
    path = DATA / f"{kind}-{rows}-v1.{ext}"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        generate.WRITERS[kind](partial, rows)
        partial.rename(path)
    return path


# --- import ----------------------------------------------------------------------------------


def run_side(side: str, csv: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(BENCH / "imports.py"), side, str(csv)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def bench_import(rows: int) -> list[Line]:
    csv = data_file("csv", rows, "csv")
    floors = [run_side("floor", csv) for _ in range(3)]
    floor = sorted(floors, key=lambda r: r["seconds"])[1]
    maca = run_side("maca", csv)
    assert maca["rows"] == floor["rows"] == rows, (maca, floor)
    name = "polars read_csv + executemany INSERT in one SQLite transaction"
    return [
        Line(
            f"import {rows:,}-row List 3 CSV (pool_import)",
            maca["seconds"],
            name,
            floor["seconds"],
            3,
            runs="maca 1 run, floor median of 3, each in a fresh process",
        ),
        Line(
            f"import {rows:,}-row List 3 CSV, peak memory of the whole process",
            maca["peak_mib"],
            name,
            floor["peak_mib"],
            GIB_MIB,
            unit="MiB",
            absolute=True,
            runs="peak RSS (VmHWM) of the same processes",
        ),
    ]


# --- xlsx ------------------------------------------------------------------------------------


def bench_xlsx(rows: int) -> list[Line]:
    from python_calamine import CalamineWorkbook

    path = data_file("xlsx", rows, "xlsx")
    maca, records, floor, table = timed_pair(
        lambda: sum(1 for _ in open_reader(path, "annex-a")),
        lambda: CalamineWorkbook.from_path(path).get_sheet_by_name("List 3").to_python(),
        3,
    )
    assert records == len(table) - 1 == rows
    return [
        Line(
            f"read {rows:,}-row List 3 xlsx (open_reader, annex-a)",
            maca,
            "python-calamine to_python() of the same sheet",
            floor,
            2,
        )
    ]


# --- sampling --------------------------------------------------------------------------------


def floor_draw(ids: list[str], teams: list[str], size: int, seed: str) -> tuple[list[str], str]:
    """The same stratified draw, directly: hashlib ranks, numpy grouping and selection."""
    digests = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in ids)
    # The first 8 bytes order like the hex digest; a tie would show up as a mismatch below.
    rank = np.frombuffer(digests, dtype=">u8").reshape(-1, 4)[:, 0]
    names, codes = np.unique(np.array(teams), return_inverse=True)
    counts = np.bincount(codes).astype(np.int64)
    quota = size * counts // len(ids)
    remainder = size * counts % len(ids)
    order = np.lexsort((np.arange(len(names)), -counts, -remainder))
    quota[order[: size - int(quota.sum())]] += 1
    chosen: list[int] = []
    for code in np.flatnonzero(quota):
        members = np.flatnonzero(codes == code)
        best = members[np.argpartition(rank[members], quota[code] - 1)[: quota[code]]]
        chosen += best.tolist()
    chosen.sort(key=lambda index: rank[index])
    eligible = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
    return [ids[index] for index in chosen], eligible


def bench_sampling(count: int) -> list[Line]:
    ids, teams = generate.pool(count)
    candidates = [Candidate(i, {"team": t}) for i, t in zip(ids, teams, strict=True)]
    maca, result, floor, (selected, eligible) = timed_pair(
        lambda: draw(candidates, SAMPLE_SIZE, SEED, stratify="team"),
        lambda: floor_draw(ids, teams, SAMPLE_SIZE, SEED),
        3,
    )
    assert list(result.selected) == selected and result.eligible_hash == eligible
    return [
        Line(
            f"stratified draw of {SAMPLE_SIZE} from {count:,} children by team (draw)",
            maca,
            "hashlib SHA-256 ranks + numpy quotas and selection, same result",
            floor,
            3,
        )
    ]


# --- chronology evaluation -------------------------------------------------------------------


def bench_evaluation(count: int) -> list[Line]:
    path = data_file("chronologies", count, "jsonl")
    protocol = load_protocol("injuries-in-non-mobile-babies")

    def maca() -> int:
        """The batch evaluator, as maca evaluates many chronologies: the file's lines in."""
        results = 0
        with path.open("rb") as lines:
            for evaluation in evaluate_lines(lines, protocol, AS_OF):
                assert isinstance(evaluation, Evaluation), evaluation
                results += len(evaluation.results)
        return results

    def one_at_a_time() -> int:
        results = 0
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                chronology, _ = parse_chronology_document(json.loads(line))
                results += len(evaluate(chronology, protocol, AS_OF).results)
        return results

    def floor() -> int:
        dates = 0
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                for event in json.loads(line)["events"]:
                    dt.date.fromisoformat(event["at"][:10])
                    dates += 1
        return dates

    maca_s, batch_results, floor_s, dates = timed_pair(maca, floor, 3)
    single_s, single_results = timed(one_at_a_time, 1)
    # The same work on both sides: every chronology evaluated (and every event's date read).
    assert batch_results == single_results > 0 and dates > 0
    floor_name = "json.loads + date.fromisoformat of every event's date"
    return [
        Line(
            f"evaluate {count:,} chronologies (~20 events, built-in protocol; evaluate_lines)",
            maca_s,
            floor_name,
            floor_s,
            3,
        ),
        Line(
            "the same, one at a time (parse_document + evaluate of each line)",
            single_s,
            floor_name,
            floor_s,
            None,  # for information: the path a single chronology takes
            runs="1 run",
        ),
    ]


# --- working days ----------------------------------------------------------------------------


def bench_working_days(count: int) -> list[Line]:
    import holidays

    rng = np.random.default_rng(11)
    starts = np.datetime64("2019-01-01") + rng.integers(0, 7 * 365, count)
    ns = rng.integers(1, 66, count)
    pairs = list(zip(starts.astype(object).tolist(), ns.tolist(), strict=True))
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2028))
    calendar = np.busdaycalendar(holidays=np.array(sorted(bank), dtype="datetime64[D]"))

    maca, due, floor, fast = timed_pair(
        lambda: [add_working_days(start, n) for start, n in pairs],
        lambda: np.busday_offset(starts, ns, roll="backward", busdaycal=calendar),
        3,
    )
    assert due == fast.astype(object).tolist()
    return [
        Line(
            f"add_working_days over {count:,} (start, n) pairs",
            maca,
            "numpy busday_offset, roll=backward, same holidays",
            floor,
            None,  # a building block: the issues' goals are on evaluation and population
        )
    ]


# --- population timeliness -------------------------------------------------------------------


def population_pool(count: int) -> tuple[list[list[dict[str, Any]]], dict[str, Any]]:
    """A seeded pool as stored (each child's event list) and, for the floor, every clock with
    its stop already paired (NaT for none). One clock of each kind per child, so the pairing
    is unambiguous and both sides must agree."""
    rng = np.random.default_rng(17)
    day0 = np.datetime64("2019-01-01")
    referral = day0 + rng.integers(0, 7 * 365, count)

    def maybe(share: float, starts: np.ndarray, low: int, high: int) -> np.ndarray:
        stops = starts + rng.integers(low, high, starts.size)
        return np.where(rng.random(starts.size) < share, stops, np.datetime64("NaT"))

    decision = maybe(0.8, referral, 0, 4)
    authorised = maybe(0.6, referral, 0, 90)
    has_s47 = rng.random(count) < 0.15
    s47 = np.where(has_s47, referral + rng.integers(0, 5, count), np.datetime64("NaT"))
    icpc = maybe(0.8, s47, 5, 30)
    has_plan = rng.random(count) < 0.05
    plan = np.where(has_plan, s47 + rng.integers(5, 30, count), np.datetime64("NaT"))
    review = maybe(0.85, plan, 60, 110)
    columns = {
        "referral": referral,
        "referral_decision": decision,
        "assessment_authorised": authorised,
        "s47_start": s47,
        "icpc": icpc,
        "cp_plan_start": plan,
        "cp_review": review,
    }
    text = {k: np.datetime_as_string(v, unit="D") for k, v in columns.items()}
    present = {k: ~np.isnat(v) for k, v in columns.items()}
    children = [
        [{"kind": k, "date": text[k][i]} for k in columns if present[k][i]] for i in range(count)
    ]
    return children, columns


def floor_population(
    columns: dict[str, Any], cal: Any, window: tuple[dt.date, dt.date], today: np.datetime64
) -> list[tuple[int, int]]:
    """The same four measures from clocks already paired with their stops: numpy only."""
    first, last = np.datetime64(window[0], "D"), np.datetime64(window[1], "D")
    results = []
    for start, stop, kind, amount in (
        ("referral", "referral_decision", "wd", 1),
        ("referral", "assessment_authorised", "wd", 45),
        ("s47_start", "icpc", "wd", 15),
        ("cp_plan_start", "cp_review", "months", 3),
    ):
        keep = (columns[start] >= first) & (columns[start] <= last)
        starts, stops = columns[start][keep], columns[stop][keep]
        if kind == "wd":
            due = np.busday_offset(starts, amount, roll="backward", busdaycal=cal)
        else:
            month = starts.astype("datetime64[M]")
            target = month + amount
            due = np.minimum(
                target.astype("datetime64[D]") + (starts - month.astype("datetime64[D]")),
                (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D"),
            )
        met = stops <= due
        running = np.isnat(stops) & (due >= today)
        results.append((int(met.sum()), int((~running).sum())))
    return results


def bench_population(count: int) -> list[Line]:
    import holidays

    from maca.chronology.engine.population import MEASURES, measure_share, pool_dates

    children, columns = population_pool(count)
    window, today = (dt.date(2019, 1, 1), dt.date(2025, 12, 31)), dt.date(2026, 1, 31)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2017, 2030))
    calendar = np.busdaycalendar(
        weekmask="1111100", holidays=np.array(sorted(bank), dtype="datetime64[D]")
    )
    read_s, dates = timed(lambda: pool_dates(children), 3)
    maca, shares, floor, fast = timed_pair(
        lambda: [measure_share(dates, m, window, today) for m in MEASURES],
        lambda: floor_population(columns, calendar, window, np.datetime64(today)),
        3,
    )
    assert [(s.met, s.counted) for s in shares] == fast, (shares, fast)
    return [
        Line(
            f"population timeliness, 4 measures over a {count:,}-child pool (measure_share)",
            maca,
            "numpy busday_offset / month arithmetic of clocks already paired with their stops",
            floor,
            3,
        ),
        # The first read after an import (pages then use the cached arrays): for information.
        Line(
            f"the same, with reading the dates from {count:,} children's event lists (pool_dates)",
            read_s + maca,
            "as above",
            floor,
            None,
            runs="median of 3 each; once per state of the pool, then cached",
        ),
    ]


# --- briefing --------------------------------------------------------------------------------


def bench_briefing(runs: int) -> list[Line]:
    """The demo briefing to PDF and DOCX, in its own process (Django, a throwaway database)."""
    done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(BENCH / "briefing.py"), "--runs", str(runs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        Line(
            f"demo 7 minute briefing to PDF, composed from the database ({result['pages']} page)",
            result["pdf"][0],
            "WeasyPrint writing the same page from static HTML, same options",
            result["pdf"][1],
            1.5,
            runs=f"median of {runs}",
        ),
        Line(
            "demo 7 minute briefing to DOCX, composed from the database",
            result["docx"][0],
            "python-docx writing a document of the same shape",
            result["docx"][1],
            3,
            runs=f"median of {runs}",
        ),
    ]


# --- report ----------------------------------------------------------------------------------

BENCHES: dict[str, tuple[str, Callable[[int], list[Line]]]] = {
    "import": ("csv", bench_import),
    "xlsx": ("xlsx", bench_xlsx),
    "sampling": ("pool", bench_sampling),
    "evaluation": ("chronologies", bench_evaluation),
    "workdays": ("days", bench_working_days),
    "population": ("pool", bench_population),
    "briefing": ("briefing_runs", bench_briefing),
    "pages": ("pages", lambda audits: pages.report_lines(audits, Line)),
}


def environment() -> list[str]:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in (
            "django",
            "polars",
            "numpy",
            "openpyxl",
            "python-calamine",
            "holidays",
            "weasyprint",
            "python-docx",
        )
    )
    return [
        f"date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"CPUs: {os.cpu_count()}; {platform.platform()}; {platform.processor() or platform.machine()}",
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}",
        versions,
    ]


def markdown(mode: str, env: list[str], lines: list[Line], seconds: float) -> str:
    rows = "\n".join(
        f"| {line.what} | {line.fmt(line.measured)} | {line.floor_name}: {line.fmt(line.floor)} "
        f"| {line.ratio:.1f}x | {line.goal_text} | **{line.verdict}** "
        f"| {line.runs} |"
        for line in lines
    )
    return "\n".join(
        [
            f"## Benchmark report ({mode} sizes)",
            "",
            *(f"- {item}" for item in env),
            f"- whole run: {seconds:,.0f} s",
            "",
            "| benchmark | maca | floor | ratio | goal | result | runs |",
            "|---|---|---|---|---|---|---|",
            rows,
            "",
            "As printed:",
            "",
            "```",
            *(line.text() for line in lines),
            "```",
            "",
            "The working-days line is the per-chronology path (one date at a time); whole-population "
            "timeliness has its own lines.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated benchmarks")
    parser.add_argument("--docs", action="store_true", help="also rewrite docs/performance.md")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    env = environment()
    print(f"maca benchmarks ({mode})", *env, sep="\n", flush=True)
    started = time.perf_counter()
    lines: list[Line] = []
    for name in args.only.split(","):
        size_key, bench = BENCHES[name]
        for line in bench(SIZES[mode][size_key]):
            print(line.text(), flush=True)
            lines.append(line)
    report = markdown(mode, env, lines, time.perf_counter() - started)
    OUT.mkdir(parents=True, exist_ok=True)
    for target in (OUT / "report.md", OUT / f"report-{mode}.md"):
        target.write_text(report, encoding="utf-8")
    print(f"report: {OUT / 'report.md'}")
    if args.docs:
        docs = ROOT / "docs" / "performance.md"
        head = docs.read_text(encoding="utf-8").split("## Benchmark report", 1)[0]
        docs.write_text(head + report, encoding="utf-8")
        print(f"updated {docs}")


if __name__ == "__main__":
    main()
