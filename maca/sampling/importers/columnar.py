"""The columnar fast path for a big single Annex A list CSV (see maca/sampling/README.md).

The row-by-row reader spends most of a big import normalising one cell at a time. Here the
file is read with polars, every *distinct* raw value of a column is normalised once by the
very same cell readers (``cells.py``), the results are mapped back onto the whole column,
and the cross-cell checks (an event long before the birth, an end before its start) are
column expressions. The children's pool values, with their events as the JSON the pool
stores, are then built per child by polars group-bys.

The fast path never reports anything: if any value would give a warning, an error or a
note in the row-by-row reader, or the file is in any way unusual (not UTF-8, title rows
above the header, one child with differing details on different rows), ``read_columnar``
returns None and the caller uses the row-by-row reader, so messages stay exactly the same.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import polars as pl

from .cells import (
    PRE_BIRTH_DAYS,
    Context,
    read_age,
    read_birth_date,
    read_category,
    read_child_id,
    read_date,
    read_ethnicity,
    read_sex,
    read_text,
)
from .csv_reader import CsvReader
from .model import Summary
from .normalise import DATE_FLOOR
from .tables import ListRowParser


@dataclass
class Columnar:
    """What the fast path read from a file."""

    # One row per child, in pseudonymised ID order: pseudo_id, date_of_birth (ISO text),
    # age_years, sex, ethnicity, team, events (the JSON text the pool stores).
    children: pl.DataFrame
    # Every event: number (the child's row in ``children``), kind, date, latest.
    events: pl.DataFrame
    rows_read: int


class _Fallback(Exception):
    """Something the fast path does not do silently: use the row-by-row reader."""


# Rows normalised at a time. Each batch's raw text is dropped once normalised, so memory
# grows only with the compact normalised rows (dates as days, not text), not the file.
BATCH_ROWS = 200_000


def _scratch(reader: CsvReader) -> Context:
    ctx = reader._context()
    ctx.summary = Summary(reader.format)
    return ctx


def _quiet(ctx: Context) -> None:
    if ctx.summary.warnings or ctx.summary.errors or ctx.summary.notes:
        raise _Fallback


class _Values:
    """One column's distinct raw values normalised once by ``convert``, kept across batches;
    any message from ``convert`` means the file needs the row-by-row reader."""

    def __init__(self, ctx: Context, convert: Any, dtype: Any = pl.String) -> None:
        self.ctx, self.convert, self.dtype = ctx, convert, dtype
        self.known: dict[str, Any] = {}

    def _learn(self, new: list[str]) -> None:
        for raw in new:
            self.known[raw] = self.convert(raw)

    def expr(self, frame: pl.DataFrame, column: str) -> pl.Expr:
        raws = frame.get_column(column).unique().to_list()
        new = [raw for raw in raws if raw not in self.known]
        if new:
            self._learn(new)
            _quiet(self.ctx)
        known = self.known
        return pl.col(column).replace_strict(
            raws, [known[raw] for raw in raws], return_dtype=self.dtype
        )


_PLAIN_DMY, _PLAIN_ISO = r"^\d{2}/\d{2}/\d{4}$", r"^\d{4}-\d{2}-\d{2}$"


class _Dates(_Values):
    """``_Values`` for a date column (as days): a value in dd/mm/yyyy or yyyy-mm-dd that is a
    real day from DATE_FLOOR to today (which every date reader accepts silently, as is) is
    converted by polars; any other goes through ``convert`` one by one."""

    def __init__(self, ctx: Context, convert: Any) -> None:
        super().__init__(ctx, convert, pl.Date)

    def _learn(self, new: list[str]) -> None:
        text = pl.col("raw")
        day = pl.coalesce(
            pl.when(text.str.contains(_PLAIN_DMY)).then(text.str.to_date("%d/%m/%Y", strict=False)),
            pl.when(text.str.contains(_PLAIN_ISO)).then(text.str.to_date("%Y-%m-%d", strict=False)),
        )
        parsed = (
            pl.DataFrame({"raw": new}, schema={"raw": pl.String})
            .select(pl.when(day.is_between(DATE_FLOOR, self.ctx.today)).then(day))
            .to_series()
            .to_list()
        )
        for raw, day_value in zip(new, parsed, strict=True):
            self.known[raw] = day_value if day_value is not None else self.convert(raw)


def _json_text(value: str | None) -> str:
    return json.dumps(value)


# An ID that is already as read_child_id leaves it: no surrounding space, and not possibly a
# placeholder ("n/a", "-") or an Excel error ("#N/A"). Any other is read one by one.
_PLAIN_ID = r"(?s)^[A-MO-Za-mo-z0-9](.*[A-Za-z0-9])?$"


def _child_ids(frame: pl.DataFrame, column: str, ctx: Context, header: str) -> pl.Expr:
    """The ID column as read_child_id reads it (each distinct unusual ID read once)."""
    ids = frame.get_column(column)
    odd = ids.filter(~ids.str.contains(_PLAIN_ID)).unique().to_list()
    if not odd:
        return pl.col(column)
    texts = [read_child_id(ctx, raw, 0, header) or "" for raw in odd]
    _quiet(ctx)
    return pl.col(column).replace(odd, texts)


def _pseudonymised(texts: list[str], pseudonymise: Any) -> list[str]:
    """Each child's ID hashed once. ``pseudonymise`` may have a ``many`` attribute hashing
    a whole list (much faster than one call each)."""
    if pseudonymise is None:
        return texts
    if hasattr(pseudonymise, "many"):
        return list(pseudonymise.many(texts))
    return [pseudonymise(text) for text in texts]


def _source(reader: CsvReader) -> Any:
    """The file's path when the reader opened it from one (polars then reads the file without
    a copy in memory); otherwise the stream. A stream's own ``name`` is not trusted: an
    uploaded file's may be the name the user gave it."""
    name = getattr(reader.stream, "name", None)
    if reader._owned and isinstance(name, str) and os.path.isfile(name):
        return name
    reader.stream.seek(0)
    return reader.stream


def read_columnar(
    reader: CsvReader, pseudonymise: Any, *, batch_rows: int | None = None
) -> Columnar | None:
    """(one row per child: pseudo_id, date_of_birth, age_years, sex, ethnicity, team,
    events JSON text; rows read), or None when the row-by-row reader must be used.
    The file is read ``batch_rows`` rows at a time (default BATCH_ROWS)."""
    parser = reader.parser
    if (
        not isinstance(parser, ListRowParser)
        or reader.encoding != "utf-8-sig"
        or reader.header_row != 1
        or reader.summary.warnings
        or reader.summary.errors
        or reader.summary.notes
    ):
        return None
    try:
        return _read(reader, parser, pseudonymise, batch_rows or BATCH_ROWS)
    except (_Fallback, pl.exceptions.PolarsError, ValueError, TypeError):
        return None


def _read(reader: CsvReader, parser: ListRowParser, pseudonymise: Any, batch_rows: int) -> Columnar:
    scan = pl.scan_csv(
        _source(reader),
        has_header=False,
        skip_rows=1,
        separator=reader.delimiter,
        infer_schema=False,
        encoding="utf8",
        glob=False,
    )
    width = len(scan.collect_schema())
    if width > len(parser.headers):
        raise _Fallback
    names = [f"c{i}" for i in range(width)]
    scan = scan.rename(dict(zip(scan.collect_schema().names(), names, strict=True)))
    scan = scan.with_columns(pl.col(n).fill_null("") for n in names)
    scan = scan.filter(~pl.all_horizontal(pl.col(n).str.strip_chars() == "" for n in names))
    ctx = _scratch(reader)

    def col(name: str) -> str | None:
        index = parser.index.get(name)
        return f"c{index}" if index is not None and index < width else None

    def header(name: str) -> str:
        return parser.header(name)

    id_col = col("child_id")
    if id_col is None:
        raise _Fallback
    if any(col(flag.field) is not None for flag in parser.spec.flags):
        raise _Fallback  # yes/no columns (List 5's "ICPC deemed unnecessary") go row by row
    # How each column is normalised: (output name, raw column, its distinct values' cache).
    columns: list[tuple[str, str, _Values]] = []
    constants: dict[str, pl.Expr] = {}
    dob_col, age_col = col("date_of_birth"), col("age")
    constants["age_years"] = pl.lit(None, dtype=pl.Float64)
    if dob_col is not None:
        columns.append(
            (
                "date_of_birth",
                dob_col,
                _Dates(ctx, lambda v: read_birth_date(ctx, v, 0, header("date_of_birth"))[0]),
            )
        )
    else:
        constants["date_of_birth"] = pl.lit(None, dtype=pl.Date)
        if age_col is not None:
            del constants["age_years"]
            columns.append(
                (
                    "age_years",
                    age_col,
                    _Values(ctx, lambda v: read_age(ctx, v, 0, header("age")), pl.Float64),
                )
            )
    for name, read in (("sex", read_sex), ("ethnicity", read_ethnicity)):
        source = col(name)
        if source is None:
            constants[name] = pl.lit(None, dtype=pl.String)
        else:
            columns.append(
                (name, source, _Values(ctx, lambda v, r=read, n=name: r(ctx, v, 0, header(n))))
            )
    team_col = col("team")
    if team_col is None:
        constants["team"] = pl.lit(None, dtype=pl.String)
    else:
        columns.append(
            (
                "team",
                team_col,
                _Values(
                    ctx,
                    lambda v: read_text(ctx, v, 0, header("team"), "a team name", warn_blank=False),
                ),
            )
        )
    for column in parser.spec.dates:
        source = col(column.field)
        if source is None:
            if column.key:
                raise _Fallback
            constants[column.field] = pl.lit(None, dtype=pl.Date)
        else:
            columns.append(
                (
                    column.field,
                    source,
                    _Dates(
                        ctx, lambda v, c=column: read_date(ctx, v, 0, header(c.field), key=c.key)
                    ),
                )
            )
        if column.category:
            cat_col = col(column.category)
            if cat_col is None or source is None:
                constants[column.category] = pl.lit(None, dtype=pl.String)
            else:
                columns.append(
                    (
                        column.category,
                        cat_col,
                        _Values(
                            ctx, lambda v, c=column: read_category(ctx, v, 0, header(c.category))
                        ),
                    )
                )
    # Cross-cell checks: any that would warn sends the file to the row-by-row reader.
    dob = pl.col("date_of_birth")
    checks = []
    for column in parser.spec.dates:
        day = pl.col(column.field)
        checks.append((dob - day).dt.total_days() > PRE_BIRTH_DAYS)
        if column.after:
            checks.append(day < pl.col(column.after))
    batches: list[pl.DataFrame] = []
    rows_read = 0
    for raw in scan.collect_batches(chunk_size=batch_rows):
        if not raw.height:
            continue
        exprs = {"child": _child_ids(raw, id_col, ctx, header("child_id"))}
        exprs.update({name: values.expr(raw, source) for name, source, values in columns})
        batch = raw.select(**exprs, **constants)
        del raw
        if batch.get_column("child").eq("").any():
            raise _Fallback
        if checks and batch.select(pl.any_horizontal(checks).fill_null(False).any()).item():
            raise _Fallback
        batches.append(batch)
        rows_read += batch.height
        if reader.progress is not None:
            reader.progress(rows_read, None)
    if not batches:
        raise _Fallback
    rows = pl.concat(batches, rechunk=False)
    batches.clear()
    return Columnar(*_children(rows, parser, pseudonymise), rows_read)


def _children(
    rows: pl.DataFrame, parser: ListRowParser, pseudonymise: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per child from the normalised rows of the whole file, as the row-by-row path
    would have merged them (in pseudonymised ID order)."""
    # Each child's details must be the same on every row that names them, so that merging
    # rows (first non-empty wins) and merging across batches (newer wins) agree.
    details = ("date_of_birth", "age_years", "sex", "ethnicity", "team")
    per_child = rows.select("child", *details).unique()
    if per_child.height != per_child.get_column("child").n_unique():
        raise _Fallback
    # The events, one JSON object per (child, kind, date), as json.dumps writes them.
    parts = []
    for column in parser.spec.dates:
        category = pl.col(column.category) if column.category else pl.lit(None, dtype=pl.String)
        latest = (
            ', "latest": true' if column.event == "cp_review" and parser.source == "List 7" else ""
        )
        parts.append(
            rows.filter(pl.col(column.field).is_not_null()).select(
                "child",
                pl.lit(column.event).alias("kind"),
                pl.col(column.field).alias("date"),
                category.alias("category"),
                pl.col("team"),
                pl.lit(latest).alias("latest"),
            )
        )
    del rows
    events = pl.concat(parts)
    del parts
    keyed = events.group_by("child", "kind", "date").agg(
        pl.col("category").first(),
        pl.col("team").first(),
        pl.col("latest").first(),
        pl.col("category").n_unique().alias("n_category"),
    )
    del events
    if keyed.height and keyed.get_column("n_category").max() > 1:  # type: ignore[operator]
        raise _Fallback
    # Each (child, kind, date) event as the JSON object json.dumps writes.
    json_of = {}
    for name in ("category", "team"):
        texts = keyed.get_column(name).unique().to_list()
        json_of[name] = pl.col(name).replace_strict(
            texts, [_json_text(t) for t in texts], return_dtype=pl.String
        )
    dates = keyed.select("child", "kind", "date", pl.col("latest") != "")
    keyed = keyed.select(
        "child",
        "kind",
        "date",
        pl.concat_str(
            pl.lit('{"kind": "'),
            pl.col("kind"),
            pl.lit('", "date": "'),
            pl.col("date").dt.to_string("%Y-%m-%d"),
            pl.lit('", "category": '),
            json_of["category"],
            pl.lit(', "team": '),
            json_of["team"],
            pl.col("latest"),
            pl.lit("}"),
        ).alias("event"),
    )
    joined = (
        # Sorted first: a group keeps its rows' order, so each child's events are in order.
        keyed.sort("date", "kind")
        .group_by("child")
        .agg(pl.col("event"))  # then joined as lists: str.join per group is 3 times slower
        .select(
            "child",
            pl.concat_str(pl.lit("["), pl.col("event").list.join(", "), pl.lit("]")).alias(
                "events"
            ),
        )
    )
    del keyed
    children = per_child.join(joined, on="child", how="left")
    del per_child, joined
    pseudo_ids = _pseudonymised(children.get_column("child").to_list(), pseudonymise)
    # In pseudonymised ID order: written so, the pool's unique index on it grows at its end
    # rather than at random places (several times faster for SQLite on a big first import).
    children = children.select(
        pl.Series("pseudo_id", pseudo_ids, dtype=pl.String),
        pl.col("date_of_birth").dt.to_string("%Y-%m-%d"),
        "age_years",
        *(pl.col(n).fill_null("") for n in ("sex", "ethnicity", "team")),
        "child",
        pl.col("events").fill_null("[]"),
    ).sort("pseudo_id")
    numbers = children.select("child").with_row_index("number")
    dates = dates.join(numbers, on="child").select("number", "kind", "date", "latest")
    return children.drop("child"), dates
