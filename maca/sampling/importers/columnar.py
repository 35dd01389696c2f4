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


class _Fallback(Exception):
    """Something the fast path does not do silently: use the row-by-row reader."""


def _scratch(reader: CsvReader) -> Context:
    ctx = reader._context()
    ctx.summary = Summary(reader.format)
    return ctx


def _mapped(
    frame: pl.DataFrame, column: str, convert: Any, ctx: Context, *, dtype: Any = pl.String
) -> pl.Expr:
    """The column with each distinct raw value replaced by ``convert(raw)``; any message
    from ``convert`` means the file needs the row-by-row reader."""
    raws = frame.get_column(column).unique().to_list()
    values = [convert(raw) for raw in raws]
    if ctx.summary.warnings or ctx.summary.errors or ctx.summary.notes:
        raise _Fallback
    return pl.col(column).replace_strict(raws, values, return_dtype=dtype)


_PLAIN_DMY, _PLAIN_ISO = r"^\d{2}/\d{2}/\d{4}$", r"^\d{4}-\d{2}-\d{2}$"


def _mapped_dates(frame: pl.DataFrame, column: str, convert: Any, ctx: Context) -> pl.Expr:
    """``_mapped`` for a date column: a distinct value in dd/mm/yyyy or yyyy-mm-dd that is a
    real day from DATE_FLOOR to today (which every date reader accepts silently, as is) is
    converted by polars; any other goes through ``convert`` one by one."""
    raws = frame.get_column(column).unique()
    day = pl.coalesce(
        pl.when(pl.col(column).str.contains(_PLAIN_DMY)).then(
            pl.col(column).str.to_date("%d/%m/%Y", strict=False)
        ),
        pl.when(pl.col(column).str.contains(_PLAIN_ISO)).then(
            pl.col(column).str.to_date("%Y-%m-%d", strict=False)
        ),
    )
    parsed = raws.to_frame().select(
        pl.when(day.is_between(DATE_FLOOR, ctx.today)).then(day.dt.to_string("%Y-%m-%d"))
    )
    values = [
        iso if iso is not None else convert(raw)
        for raw, iso in zip(raws.to_list(), parsed.to_series().to_list(), strict=True)
    ]
    if ctx.summary.warnings or ctx.summary.errors or ctx.summary.notes:
        raise _Fallback
    return pl.col(column).replace_strict(raws.to_list(), values, return_dtype=pl.String)


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _json_text(value: str | None) -> str:
    return json.dumps(value)


# An ID that is already as read_child_id leaves it: no surrounding space, and not possibly a
# placeholder ("n/a", "-") or an Excel error ("#N/A"). Any other is read one by one.
_PLAIN_ID = r"(?s)^[A-MO-Za-mo-z0-9](.*[A-Za-z0-9])?$"


def _child_ids(
    frame: pl.DataFrame, column: str, ctx: Context, header: str, pseudonymise: Any
) -> pl.DataFrame:
    """The pseudonymised ID column: each distinct ID read and hashed once. ``pseudonymise``
    may have a ``many`` attribute hashing a whole list (much faster than one call each)."""
    raws = frame.get_column(column).unique()
    plain = raws.str.contains(_PLAIN_ID).to_list()
    values = raws.to_list()
    texts = [
        raw if is_plain else (read_child_id(ctx, raw, 0, header) or "")
        for raw, is_plain in zip(values, plain, strict=True)
    ]
    if ctx.summary.warnings or ctx.summary.errors or ctx.summary.notes:
        raise _Fallback
    if pseudonymise is None:
        ids = texts
    elif hasattr(pseudonymise, "many"):
        ids = pseudonymise.many(texts)
    else:
        ids = [pseudonymise(text) for text in texts]
    # A join, not replace_strict: with a million distinct IDs the latter takes gigabytes.
    return pl.DataFrame(
        {column: values, "pseudo_id": ids}, schema={column: pl.String, "pseudo_id": pl.String}
    )


def read_columnar(reader: CsvReader, pseudonymise: Any) -> tuple[pl.DataFrame, int] | None:
    """(one row per child: pseudo_id, date_of_birth, age_years, sex, ethnicity, team,
    events JSON text; rows read), or None when the row-by-row reader must be used."""
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
        return _read(reader, parser, pseudonymise)
    except (_Fallback, pl.exceptions.PolarsError, ValueError, TypeError):
        return None


def _read(reader: CsvReader, parser: ListRowParser, pseudonymise: Any) -> tuple[pl.DataFrame, int]:
    reader.stream.seek(0)
    raw = pl.read_csv(
        reader.stream,
        has_header=False,
        skip_rows=1,
        separator=reader.delimiter,
        infer_schema=False,
        encoding="utf8",
    )
    width = len(raw.columns)
    if width > len(parser.headers):
        raise _Fallback
    names = [f"c{i}" for i in range(width)]
    raw = raw.rename(dict(zip(raw.columns, names, strict=True))).with_columns(
        pl.col(n).fill_null("") for n in names
    )
    blank = pl.all_horizontal(pl.col(n).str.strip_chars() == "" for n in names)
    raw = raw.filter(~blank)
    rows_read = raw.height
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

    id_map = _child_ids(raw, id_col, ctx, header("child_id"), pseudonymise)
    exprs: dict[str, pl.Expr] = {"pseudo_id": pl.col("pseudo_id")}
    dob_col, age_col = col("date_of_birth"), col("age")
    if dob_col is not None:
        exprs["date_of_birth"] = _mapped_dates(
            raw,
            dob_col,
            lambda v: _iso(read_birth_date(ctx, v, 0, header("date_of_birth"))[0]),
            ctx,
        )
        exprs["age_years"] = pl.lit(None, dtype=pl.Float64)
    elif age_col is not None:
        exprs["date_of_birth"] = pl.lit(None, dtype=pl.String)
        exprs["age_years"] = _mapped(
            raw, age_col, lambda v: read_age(ctx, v, 0, header("age")), ctx, dtype=pl.Float64
        )
    else:
        exprs["date_of_birth"] = pl.lit(None, dtype=pl.String)
        exprs["age_years"] = pl.lit(None, dtype=pl.Float64)
    for name, read in (("sex", read_sex), ("ethnicity", read_ethnicity)):
        source = col(name)
        exprs[name] = (
            _mapped(raw, source, lambda v, r=read, n=name: r(ctx, v, 0, header(n)), ctx)
            if source is not None
            else pl.lit(None, dtype=pl.String)
        )
    team_col = col("team")
    exprs["team"] = (
        _mapped(
            raw,
            team_col,
            lambda v: read_text(ctx, v, 0, header("team"), "a team name", warn_blank=False),
            ctx,
        )
        if team_col is not None
        else pl.lit(None, dtype=pl.String)
    )
    for column in parser.spec.dates:
        source = col(column.field)
        if source is None:
            if column.key:
                raise _Fallback
            exprs[column.field] = pl.lit(None, dtype=pl.String)
            continue
        exprs[column.field] = _mapped_dates(
            raw,
            source,
            lambda v, c=column: _iso(read_date(ctx, v, 0, header(c.field), key=c.key)),
            ctx,
        )
        if column.category:
            cat_col = col(column.category)
            exprs[column.category] = (
                _mapped(
                    raw,
                    cat_col,
                    lambda v, c=column: read_category(ctx, v, 0, header(c.category)),
                    ctx,
                )
                if cat_col is not None
                else pl.lit(None, dtype=pl.String)
            )
    raw = raw.join(id_map, on=id_col, how="left", maintain_order="left")
    del id_map
    rows = raw.select(**exprs).with_row_index("row")
    del raw
    if rows.get_column("pseudo_id").eq("").any():
        raise _Fallback
    # Cross-cell checks: any that would warn sends the file to the row-by-row reader.
    as_date = {c.field: pl.col(c.field).str.to_date("%Y-%m-%d") for c in parser.spec.dates}
    dob = pl.col("date_of_birth").str.to_date("%Y-%m-%d")
    checks = []
    for column in parser.spec.dates:
        checks.append((dob - as_date[column.field]).dt.total_days() > PRE_BIRTH_DAYS)
        if column.after:
            checks.append(as_date[column.field] < as_date[column.after])
    if checks and rows.select(pl.any_horizontal(checks).fill_null(False).any()).item():
        raise _Fallback
    # Each child's details must be the same on every row that names them, so that merging
    # rows (first non-empty wins) and merging across batches (newer wins) agree.
    details = ("date_of_birth", "age_years", "sex", "ethnicity", "team")
    per_child = rows.group_by("pseudo_id", maintain_order=True).agg(
        pl.col("row").min().alias("first"),
        *(pl.col(name).first() for name in details),
        *(pl.col(name).n_unique().alias(f"n_{name}") for name in details),
    )
    if per_child.select(pl.max_horizontal(f"n_{name}" for name in details).max()).item() > 1:
        raise _Fallback
    # The events, one JSON object per (child, kind, date), as json.dumps writes them.
    teams = rows.get_column("team").unique().to_list()
    team_json = pl.col("team").replace_strict(
        teams, [_json_text(t) for t in teams], return_dtype=pl.String
    )
    parts = []
    for column in parser.spec.dates:
        category = pl.col(column.category) if column.category else pl.lit(None, dtype=pl.String)
        latest = (
            ', "latest": true' if column.event == "cp_review" and parser.source == "List 7" else ""
        )
        parts.append(
            rows.filter(pl.col(column.field).is_not_null()).select(
                "pseudo_id",
                "row",
                pl.lit(column.event).alias("kind"),
                pl.col(column.field).alias("date"),
                category.alias("category"),
                team_json.alias("team_json"),
                pl.lit(latest).alias("latest"),
            )
        )
    events = pl.concat(parts)
    cats = events.get_column("category").unique().to_list()
    events = events.with_columns(
        pl.col("category")
        .replace_strict(cats, [_json_text(c) for c in cats], return_dtype=pl.String)
        .alias("category_json")
    )
    keyed = events.group_by("pseudo_id", "kind", "date", maintain_order=True).agg(
        pl.col("category_json").first(),
        pl.col("team_json").first(),
        pl.col("latest").first(),
        pl.col("category_json").n_unique().alias("n_category"),
    )
    if keyed.height and keyed.get_column("n_category").max() > 1:  # type: ignore[operator]
        raise _Fallback
    fragment = pl.concat_str(
        pl.lit('{"kind": "'),
        pl.col("kind"),
        pl.lit('", "date": "'),
        pl.col("date"),
        pl.lit('", "category": '),
        pl.col("category_json"),
        pl.lit(', "team": '),
        pl.col("team_json"),
        pl.col("latest"),
        pl.lit("}"),
    )
    joined = (
        # Sorted first: a group keeps its rows' order, so each child's events are in order.
        keyed.sort("date", "kind")
        .group_by("pseudo_id")
        .agg(fragment.str.join(", ").alias("events"))
        .with_columns(pl.concat_str(pl.lit("["), pl.col("events"), pl.lit("]")).alias("events"))
    )
    children = (
        per_child.select("first", "pseudo_id", *details)
        .join(joined, on="pseudo_id", how="left")
        .sort("first")
        .select(
            "pseudo_id",
            "date_of_birth",
            "age_years",
            *(pl.col(n).fill_null("") for n in ("sex", "ethnicity", "team")),
            pl.col("events").fill_null("[]"),
        )
    )
    return children, rows_read
