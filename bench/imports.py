"""One side of the import benchmark, run in its own process so its peak memory is its own.

    python bench/imports.py maca  LIST3.csv [--profile]   # pool_import into a fresh SQLite DB
    python bench/imports.py floor LIST3.csv               # polars read + executemany, one transaction

Prints one JSON line: seconds (read to commit, excluding interpreter and Django start-up and
migrations), peak_mib (this process's peak resident set size, VmHWM), and what was written.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The same pragmas as maca's SQLite settings (config/settings.py), so only the code differs.
PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"


def maca(csv: Path, data_dir: Path, profile: bool) -> dict[str, Any]:
    # As production runs: DEBUG off. With DEBUG on, Django keeps the SQL of the last 9,000
    # queries (bulk_update's are large), which costs ~30% more time and grows memory.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["MACA_DEBUG"] = "0"
    os.environ.setdefault("MACA_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("MACA_PSEUDONYM_KEY", "bench-only-pseudonym-key")
    os.environ["MACA_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file
    import django

    django.setup()
    from django.core.management import call_command

    from maca.partnerships.models import Partnership
    from maca.sampling.services import pool_import

    call_command("migrate", verbosity=0)
    partnership = Partnership.objects.create(name="Bench partnership", slug="bench")

    def run() -> Any:
        return pool_import(
            actor=None, partnership=partnership, source=csv, filename=csv.name, format="annex-a"
        )

    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        summary = profiler.runcall(run)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    else:
        summary = run()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": summary.rows_read, "written": summary.children}


def floor(csv: Path, data_dir: Path) -> dict[str, Any]:
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_csv(csv, infer_schema=False).with_columns(
        pl.col(c).str.to_date("%d/%m/%Y").dt.to_string("%Y-%m-%d")
        for c in ("Date of Birth", "Date of Referral")
    )
    connection = sqlite3.connect(data_dir / "floor.sqlite3", isolation_level=None)
    connection.executescript(PRAGMAS)
    columns = ", ".join(f"c{n} TEXT" for n in range(frame.width))
    connection.execute(f"CREATE TABLE list3 (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" * frame.width)
    names = ", ".join(f"c{n}" for n in range(frame.width))
    connection.execute("BEGIN")
    connection.executemany(
        f"INSERT INTO list3 ({names}) VALUES ({marks})",  # noqa: S608 (fixed names)
        frame.iter_rows(),
    )
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds, "rows": frame.height, "written": frame.height}


def main() -> None:
    side, csv = sys.argv[1], Path(sys.argv[2]).resolve()
    with tempfile.TemporaryDirectory(prefix="maca-bench-") as tmp:
        if side == "maca":
            result = maca(csv, Path(tmp), "--profile" in sys.argv)
        else:
            result = floor(csv, Path(tmp))
    result["peak_mib"] = peak_mib()
    print(json.dumps(result))


def peak_mib() -> float:
    """This process's peak resident set size. VmHWM counts only since exec; ru_maxrss (the
    fallback) can report the parent's peak, inherited across fork and exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
