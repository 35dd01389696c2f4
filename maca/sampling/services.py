"""The case pool, eligibility and sampling: every write goes through here.

Imports are all or nothing: rows are written inside one transaction as the file streams past,
and a file with any unusable required value is rolled back whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import IO, Any, cast

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from maca.activity.services import activity_record
from maca.audits.models import Audit, Case, CaseRecord, case_label
from maca.core import permissions as perms
from maca.core.errors import NotAllowed, PreconditionFailed, ServiceError
from maca.core.permissions import Actor
from maca.partnerships.models import Partnership
from maca.sampling import algorithm
from maca.sampling.eligibility import Criteria, eligible_children
from maca.sampling.importers import Format, Problem, open_reader
from maca.sampling.importers.columnar import read_columnar
from maca.sampling.importers.csv_reader import CsvReader
from maca.sampling.importers.model import ChildRecord
from maca.sampling.importers.tables import ListRowParser
from maca.sampling.models import EligibilityCriteria, PoolChild, PoolImport, SelectionRecord

BATCH = 2000
COLUMNAR_CHUNK = 50_000  # rows per executemany on the columnar path
ROWS_PER_INSERT = 100  # rows per INSERT statement on the columnar path (SQLite)


class PoolImportRefused(ServiceError):
    """The file was read but has unusable required values; nothing was saved."""

    def __init__(self, errors: list[Problem], rows_read: int) -> None:
        super().__init__(f"The file was refused: {len(errors)} problem(s); nothing was saved.")
        self.errors = errors
        self.rows_read = rows_read


@dataclass
class ImportSummary:
    format: str
    rows_read: int = 0
    children: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Rows read: {self.rows_read:,}",
            f"Children: {self.children:,} ({self.created:,} new, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged)",
            f"Warnings: {len(self.warnings):,}",
        ]


def pseudonymise(raw_id: str) -> str:
    """Keyed hash of a council child ID, so the same child matches across lists and imports
    without the raw ID being stored."""
    inner, outer = _keyed_pads(_pseudonym_key())
    one = inner.copy()
    one.update(raw_id.strip().encode())
    two = outer.copy()
    two.update(one.digest())
    return two.hexdigest()


def _pseudonymise_many(raw_ids: list[str]) -> list[str]:
    """``pseudonymise`` of many IDs at once (the columnar import path)."""
    inner, outer = _keyed_pads(_pseudonym_key())
    inner_copy, outer_copy = inner.copy, outer.copy
    out: list[str] = []
    append = out.append
    for raw_id in raw_ids:
        one = inner_copy()
        one.update(raw_id.strip().encode())
        two = outer_copy()
        two.update(one.digest())
        append(two.hexdigest())
    return out


pseudonymise.many = _pseudonymise_many  # type: ignore[attr-defined]

_SHA256_BLOCK = 64


def _pseudonym_key() -> str:
    key = settings.PSEUDONYM_KEY
    if not key:
        raise ServiceError("MACA_PSEUDONYM_KEY is not set, so children cannot be pseudonymised.")
    return str(key)


@functools.lru_cache(maxsize=4)
def _keyed_pads(key: str) -> tuple[Any, Any]:
    """HMAC-SHA256 (RFC 2104) spelt out: the key's inner and outer hash states, prepared once
    per key, so each ID costs two state copies and no Python-level hmac object (the same
    digests as ``hmac.new(key, id, sha256)``)."""
    secret = key.encode()
    if len(secret) > _SHA256_BLOCK:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in secret))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in secret))
    return inner, outer


def _events_json(record: ChildRecord) -> list[dict[str, Any]]:
    events = []
    for e in record.events:
        event: dict[str, Any] = {
            "kind": e.kind,
            "date": e.date.isoformat(),
            "category": e.category,
            "team": e.team,
        }
        if e.kind == "cp_review" and e.source == "List 7":
            # Annex A keeps only the latest review conference, so this may not be the first.
            event["latest"] = True
        events.append(event)
    return events


def _record_values(record: ChildRecord) -> dict[str, Any]:
    return {
        "date_of_birth": record.date_of_birth,
        "age_years": record.age_years,
        "sex": record.sex,
        "ethnicity": record.ethnicity,
        "team": record.team,
        "events": _events_json(record),
    }


def _merge(old: dict[str, Any] | None, record: ChildRecord) -> dict[str, Any]:
    """Combine what the pool holds with a newer file: newer values win, events are united."""
    return _merge_values(old, _record_values(record))


def _merge_values(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    old = old or {}
    events = {(e["kind"], e["date"]): e for e in old.get("events", [])}
    for e in new["events"]:
        events[(e["kind"], e["date"])] = e
    dob = new["date_of_birth"] or old.get("date_of_birth")
    return {
        "date_of_birth": dob,
        "age_years": None
        if dob
        else (new["age_years"] if new["age_years"] is not None else old.get("age_years")),
        "sex": new["sex"] or old.get("sex") or "",
        "ethnicity": new["ethnicity"] or old.get("ethnicity") or "",
        "team": new["team"] or old.get("team") or "",
        "events": sorted(events.values(), key=lambda e: (e["date"], e["kind"])),
    }


@dataclass
class _Seen:
    """Which children this import created or changed, so a child split across batches counts once."""

    all: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    # When the pool was empty as the import began, only children this import wrote can
    # already be there: the others need no look-up (a first import of a big file).
    pool_was_empty: bool = False
    inserted: int = 0  # children the columnar path wrote straight into an empty pool


def _values_of(batch: dict[str, ChildRecord]) -> dict[str, dict[str, Any]]:
    return {pseudo_id: _record_values(record) for pseudo_id, record in batch.items()}


def _write_columnar(partnership: Partnership, children: pl.DataFrame, seen: _Seen) -> None:
    """Write the children the columnar fast path read (one row each, events as JSON text).

    Into an empty pool the rows go straight in, as the row-by-row path would have written
    them; otherwise each batch is merged with what the pool holds exactly as that path does."""
    if seen.pool_was_empty:
        table = connection.ops.quote_name(PoolChild._meta.db_table)
        names = ("partnership_id", "pseudo_id", *_UPDATE_FIELDS, "updated_at")
        columns = ", ".join(connection.ops.quote_name(n) for n in names)
        marks = ", ".join(_placeholder(n) for n in names)
        now = timezone.now()
        # The datetime as Django's SQLite adapter writes it, adapted once rather than per row.
        stamp = now.isoformat(" ") if connection.vendor == "sqlite" else now
        if connection.vendor == "postgresql":
            _copy_columnar(table, columns, partnership, children, now)
            seen.inserted = children.height
            return

        def insert(rows: int) -> str:
            values = ", ".join([f"({marks})"] * rows)
            return f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 - table and column names are ours  # nosec B608

        # ROWS_PER_INSERT rows per statement: SQLite's work per statement (the AUTOINCREMENT
        # counter, the deferred foreign key) is then done once per so many rows, not per row.
        step = ROWS_PER_INSERT * len(names)
        sql = insert(ROWS_PER_INSERT)
        with connection.cursor() as cursor:
            for chunk in children.iter_slices(COLUMNAR_CHUNK):
                # Column by column into Python, then one flat list of every value in order:
                # much faster than polars' own rows().
                values = (chunk.get_column(name).to_list() for name in chunk.columns)
                flat = list(
                    chain.from_iterable(zip(repeat(partnership.pk), *values, repeat(stamp)))
                )
                whole = len(flat) - len(flat) % step
                cursor.executemany(sql, [flat[i : i + step] for i in range(0, whole, step)])
                if whole < len(flat):
                    cursor.execute(insert((len(flat) - whole) // len(names)), flat[whole:])
        seen.inserted = children.height
        return
    for chunk in children.iter_slices(BATCH):
        batch = {
            pseudo_id: {
                "date_of_birth": dt.date.fromisoformat(dob) if dob else None,
                "age_years": age,
                "sex": sex,
                "ethnicity": ethnicity,
                "team": team,
                "events": json.loads(events),
            }
            for pseudo_id, dob, age, sex, ethnicity, team, events in chunk.iter_rows()
        }
        _flush(partnership, batch, seen)


def _copy_columnar(
    table: str, columns: str, partnership: Partnership, children: pl.DataFrame, now: dt.datetime
) -> None:
    """PostgreSQL: the rows go in by COPY, several times faster than INSERTs."""
    sql = f"COPY {table} ({columns}) FROM STDIN"  # table and column names are ours
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for chunk in children.iter_slices(COLUMNAR_CHUNK):
            values = (chunk.get_column(name).to_list() for name in chunk.columns)
            for row in zip(repeat(partnership.pk), *values, repeat(now)):
                copy.write_row(row)


def _flush(partnership: Partnership, batch: dict[str, dict[str, Any]], seen: _Seen) -> None:
    """Write one batch of children (pseudo_id → their values from the file)."""
    wanted = [p for p in batch if p in seen.all] if seen.pool_was_empty else list(batch)
    rows = (
        PoolChild.objects.filter(partnership=partnership, pseudo_id__in=wanted).values_list(
            "pk", "pseudo_id", *_UPDATE_FIELDS
        )
        if wanted
        else []
    )
    existing = {row[1]: (row[0], dict(zip(_UPDATE_FIELDS, row[2:], strict=True))) for row in rows}
    new, changed = [], []
    for pseudo_id, record in batch.items():
        seen.all.add(pseudo_id)
        found = existing.get(pseudo_id)
        values = _merge_values(found[1] if found else None, record)
        if found is None:
            new.append((pseudo_id, values))
            seen.created.add(pseudo_id)
        elif values != found[1]:
            changed.append((found[0], values))
            seen.changed.add(pseudo_id)
    _insert_rows(partnership, new)
    _update_rows(changed)


_UPDATE_FIELDS = ("date_of_birth", "age_years", "sex", "ethnicity", "team", "events")


def _param(name: str, value: Any) -> Any:
    if name == "events":
        return json.dumps(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _placeholder(name: str) -> str:
    if name == "events" and connection.vendor == "postgresql":
        return "CAST(%s AS jsonb)"
    return "%s"


def _update_rows(changed: list[tuple[int, dict[str, Any]]]) -> None:
    """One parameterised UPDATE run for many rows. The ORM's bulk_create and bulk_update
    build a model and expressions per row, which dominated a big import (docs/performance.md)."""
    if not changed:
        return
    table = connection.ops.quote_name(PoolChild._meta.db_table)
    sets = ", ".join(
        f"{connection.ops.quote_name(name)} = {_placeholder(name)}"
        for name in (*_UPDATE_FIELDS, "updated_at")
    )
    now = timezone.now()
    rows = [(*(_param(f, v[f]) for f in _UPDATE_FIELDS), now, pk) for pk, v in changed]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608 - table and column names are ours  # nosec B608


def _insert_rows(partnership: Partnership, new: list[tuple[str, dict[str, Any]]]) -> None:
    if not new:
        return
    table = connection.ops.quote_name(PoolChild._meta.db_table)
    names = ("partnership_id", "pseudo_id", *_UPDATE_FIELDS, "updated_at")
    columns = ", ".join(connection.ops.quote_name(n) for n in names)
    marks = ", ".join(_placeholder(n) for n in names)
    now = timezone.now()
    rows = [
        (partnership.pk, pseudo_id, *(_param(f, v[f]) for f in _UPDATE_FIELDS), now)
        for pseudo_id, v in new
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - table and column names are ours  # nosec B608


def pool_import(
    *,
    actor: Actor | None,
    partnership: Partnership,
    source: Path | IO[bytes],
    filename: str,
    format: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    today: dt.date | None = None,
) -> ImportSummary:
    """Stream a file into the pool. Raises UnreadableFile, or PoolImportRefused (nothing saved)."""
    if actor is not None and not perms.can_plan_audits(actor):
        raise NotAllowed("Only the business unit can import the case pool.")
    digest, size = _sha256(source)
    # The columnar path reads in batches but holds every row's normalised values (0.7 GiB
    # peak for a million rows): only for files small enough; bigger ones stream row by row.
    columnar = size <= settings.MACA_IMPORT_COLUMNAR_MAX_BYTES
    with transaction.atomic():
        reader = open_reader(
            source,
            cast(Format | None, format),
            pseudonymise=pseudonymise,
            progress=progress,
            today=today,
        )
        summary = ImportSummary(format=reader.format)
        seen = _Seen(pool_was_empty=not PoolChild.objects.filter(partnership=partnership).exists())
        fast = (
            read_columnar(reader, pseudonymise)
            if columnar and isinstance(reader, CsvReader)
            else None
        )
        if fast is not None:
            children, rows_read = fast.children, fast.rows_read
            reader.close()
            reader.summary.counts[cast(ListRowParser, cast(CsvReader, reader).parser).source] = (
                rows_read
            )
            _write_columnar(partnership, children, seen)
            if progress is not None:
                progress(rows_read, rows_read)
        else:
            batch: dict[str, ChildRecord] = {}
            for row in reader:
                record = row.record
                batch[record.child_id] = (
                    batch[record.child_id].merged(record) if record.child_id in batch else record
                )
                if len(batch) >= BATCH:
                    _flush(partnership, _values_of(batch), seen)
                    batch = {}
            if batch:
                _flush(partnership, _values_of(batch), seen)
        summary.children = len(seen.all) + seen.inserted
        summary.created = len(seen.created) + seen.inserted
        summary.updated = len(seen.changed - seen.created)
        summary.unchanged = summary.children - summary.created - summary.updated
        result = reader.summary
        summary.rows_read = result.rows_read
        summary.warnings, summary.notes = list(result.warnings), list(result.notes)
        if result.errors:
            transaction.set_rollback(True)
            raise PoolImportRefused(list(result.errors), result.rows_read)
        # Read the new pool's dates for the whole-population figures now, while the import is
        # running anyway, so the first audit page afterwards does not pay for a big pool.
        if fast is not None and seen.pool_was_empty:
            _cache_pool_dates(partnership, fast.events)
        else:
            from maca.chronology.population import partnership_pool_dates

            partnership_pool_dates(partnership.pk)
        PoolImport.objects.create(
            partnership=partnership,
            filename=filename[:255],
            format=summary.format,
            sha256=digest,
            rows_read=summary.rows_read,
            children=summary.children,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            warnings=[str(w) for w in summary.warnings[:500]],
            notes=[str(n) for n in summary.notes[:100]],
            imported_by_id=actor.user_id if actor else None,
        )
        activity_record(
            actor=actor,
            partnership_id=partnership.pk,
            action="pool.imported",
            label=filename[:200],
            data={
                "format": summary.format,
                "rows": summary.rows_read,
                "created": summary.created,
                "updated": summary.updated,
            },
        )
    return summary


def _cache_pool_dates(partnership: Partnership, events: pl.DataFrame) -> None:
    """The population figures' dates of a pool the columnar path has just written into an
    empty pool, straight from its events (the same arrays ``pool_dates`` makes from the rows:
    child numbers in row order, each child's dates in order), rather than reading every child
    back or decoding their JSON."""
    import numpy as np

    from maca.chronology.engine.population import KINDS, KindDates
    from maca.chronology.population import _cache_path, _save_cached

    path = _cache_path(partnership.pk)
    if path is None:
        return
    dates = {}
    for kind in KINDS:
        part = events.filter(pl.col("kind") == kind).sort("number", "date")
        dates[kind] = KindDates(
            part.get_column("number").cast(pl.Int64).to_numpy(),
            part.get_column("date").to_numpy().astype("datetime64[D]"),
            part.get_column("latest").to_numpy()
            if kind == "cp_review"
            else np.zeros(part.height, bool),
        )
    with contextlib.suppress(OSError):  # a read-only data directory only costs speed
        _save_cached(path, dates)


def _sha256(source: Path | IO[bytes]) -> tuple[str, int]:
    """The file's SHA-256 and its size in bytes."""
    digest = hashlib.sha256()
    size = 0
    if isinstance(source, Path):
        with source.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    else:
        position = source.tell()
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
        source.seek(position)
    return digest.hexdigest(), size


# --- Eligibility ---------------------------------------------------------------------------


def criteria_for(audit: Audit) -> Criteria:
    """The audit's criteria as the pure rule sees them (window from the period or look-back)."""
    stored = EligibilityCriteria.objects.filter(audit=audit).first()
    if stored is None:
        return Criteria(window_start=audit.period_start, window_end=audit.period_end)
    start, end = audit.period_start, audit.period_end
    if stored.lookback_months and end:
        start = _months_before(end, stored.lookback_months)
    return Criteria(
        event_kind=stored.event_kind,
        category=stored.category,
        min_age_months=stored.min_age_months,
        max_age_months=stored.max_age_months,
        window_start=start,
        window_end=end,
    )


def _months_before(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    import calendar

    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last)) + dt.timedelta(days=1)


@transaction.atomic
def criteria_set(*, actor: Actor, audit: Audit, **values: Any) -> EligibilityCriteria:
    if not perms.can_plan_audits(actor) or audit.status not in {"planning", "sampling"}:
        raise NotAllowed("Only the business unit sets criteria, before the sample is fixed.")
    lo, hi = values.get("min_age_months"), values.get("max_age_months")
    if lo is not None and hi is not None and hi < lo:
        raise ServiceError(
            "The oldest age must be the same as or more than the youngest.", field="max_age_months"
        )
    criteria, _ = EligibilityCriteria.objects.update_or_create(audit=audit, defaults=values)
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="sampling.criteria_set",
        target=audit,
        audit_id=audit.pk,
        data={k: v for k, v in values.items() if v not in (None, "")},
    )
    return criteria


def _pool_rows(partnership_id: int) -> Iterator[dict[str, Any]]:
    rows = PoolChild.objects.filter(partnership_id=partnership_id).values(
        "pseudo_id", "date_of_birth", "sex", "ethnicity", "team", "events"
    )
    for row in rows.iterator(chunk_size=2000):
        yield dict(row)


def eligible_for(audit: Audit) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every eligible pool child with the event that made them eligible."""
    criteria = criteria_for(audit)
    return [(dict(c), e) for c, e in eligible_children(_pool_rows(audit.partnership_id), criteria)]


def eligibility_counts(audit: Audit) -> tuple[int, int]:
    """(children in the pool, children eligible): shown as criteria change."""
    population = PoolChild.objects.filter(partnership_id=audit.partnership_id).count()
    return population, len(eligible_for(audit))


# --- Drawing -------------------------------------------------------------------------------


@transaction.atomic
def sample_draw(
    *,
    actor: Actor | None,
    audit: Audit,
    size: int,
    seed: str | None = None,
    stratify: str | None = None,
    quotas: dict[str, int] | None = None,
    exclusions: dict[str, str] | None = None,
) -> SelectionRecord:
    """Draw (or re-draw, while sampling) the audit's sample; the record says how.

    `exclusions` maps pseudonymous ids to the recorded reason they may not be audited (e.g.
    active court proceedings); each is replaced by the next rank in its stratum.
    """
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if actor is not None and not perms.can_plan_audits(actor):
        raise NotAllowed("Only the business unit draws samples.")
    if audit.status != "sampling":
        raise PreconditionFailed("A sample can only be drawn while the audit is in sampling.")
    previous = SelectionRecord.objects.filter(audit=audit).first()
    if previous is not None and previous.fixed:
        raise PreconditionFailed("The sample is already fixed: its cases have been created.")
    population = PoolChild.objects.filter(partnership_id=audit.partnership_id).count()
    candidates = _candidates(audit)
    seed = seed or algorithm.new_seed()
    exclusions = exclusions or {}
    try:
        drawn = algorithm.draw(
            candidates, size, seed, stratify=stratify, quotas=quotas, exclude=tuple(exclusions)
        )
    except algorithm.NotEnoughEligible as exc:
        raise PreconditionFailed(str(exc)[:1].upper() + str(exc)[1:] + ".") from exc
    except ValueError as exc:
        raise ServiceError(str(exc)[:1].upper() + str(exc)[1:] + ".", field="size") from exc
    criteria = criteria_for(audit)
    values = {
        "seed": seed,
        "method": drawn.method,
        "algorithm": drawn.algorithm,
        "size": size,
        "stratify": stratify or "",
        "quotas": quotas or {},
        "criteria": {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in criteria.__dict__.items()
        },
        "criteria_text": criteria.describe(),
        "population": population,
        "eligible": drawn.eligible,
        "eligible_hash": drawn.eligible_hash,
        "strata": {name: s.to_dict() for name, s in drawn.strata.items()},
        "selected": list(drawn.selected),
        "exclusions": exclusions,
        "replacements": [r.to_dict() for r in drawn.replacements],
        "drawn_by_id": actor.user_id if actor else None,
    }
    record, _ = SelectionRecord.objects.update_or_create(audit=audit, defaults=values)
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="sampling.redrawn" if previous else "sampling.drawn",
        target=audit,
        audit_id=audit.pk,
        data={"seed": seed, "size": size, "method": drawn.method, "eligible": drawn.eligible},
    )
    return record


def sample_exclude(*, actor: Actor, audit: Audit, pseudo_id: str, reason: str) -> SelectionRecord:
    """Take one drawn child out, with the reason, and draw their replacement from the same seed."""
    record = SelectionRecord.objects.filter(audit=audit).first()
    if record is None or pseudo_id not in record.selected:
        raise ServiceError("Choose a child from the current draw.", field="pseudo_id")
    if not reason.strip():
        raise ServiceError("Enter why this child cannot be audited.", field="reason")
    return sample_draw(
        actor=actor,
        audit=audit,
        size=record.size,
        seed=record.seed,
        stratify=record.stratify or None,
        quotas=record.quotas or None,
        exclusions={**record.exclusions, pseudo_id: reason.strip()[:500]},
    )


@dataclass
class Verification:
    eligible_unchanged: bool
    same_selection: bool

    @property
    def message(self) -> str:
        if self.eligible_unchanged and self.same_selection:
            return (
                "Verified: the same eligible children and the same seed give exactly this sample."
            )
        if self.same_selection:
            return (
                "The eligible list has changed since the draw (the pool was updated), but the "
                "recorded seed still selects the same children."
            )
        if self.eligible_unchanged:
            return "Not verified: the same eligible children and seed give a different sample."
        return (
            "The eligible list has changed since the draw (the pool or the criteria were "
            "updated), so a redraw now gives a different sample. The record shows the draw as made."
        )


def sample_verify(audit: Audit) -> Verification:
    """Redraw from the record's seed and compare; changes nothing."""
    record = SelectionRecord.objects.filter(audit=audit).first()
    if record is None:
        raise PreconditionFailed("There is no draw to verify.")
    candidates = _candidates(audit)
    try:
        drawn = algorithm.draw(
            candidates,
            record.size,
            record.seed,
            stratify=record.stratify or None,
            quotas=record.quotas or None,
            exclude=tuple(record.exclusions),
        )
    except (algorithm.NotEnoughEligible, ValueError):
        return Verification(eligible_unchanged=False, same_selection=False)
    return Verification(
        eligible_unchanged=drawn.eligible_hash == record.eligible_hash,
        same_selection=list(drawn.selected) == list(record.selected),
    )


def _candidates(audit: Audit) -> list[algorithm.Candidate]:
    return [
        algorithm.Candidate(
            id=child["pseudo_id"],
            strata={
                "sex": child["sex"] or None,
                "ethnicity": child["ethnicity"] or None,
                "team": child["team"] or None,
                "category": (event.get("category") or None),
            },
        )
        for child, event in eligible_for(audit)
    ]


@transaction.atomic
def sample_fix(*, actor: Actor, audit: Audit, agency_ids: tuple[int, ...]) -> list[Case]:
    """Turn the drawn sample into the audit's cases (in draw order), and fix the draw."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if not perms.can_plan_audits(actor) or audit.status != "sampling":
        raise NotAllowed("Only the business unit fixes the sample, while the audit is in sampling.")
    record = SelectionRecord.objects.filter(audit=audit).first()
    if record is None or record.fixed:
        raise PreconditionFailed(
            "Draw a sample first." if record is None else "The sample is already fixed."
        )
    if not agency_ids:
        raise ServiceError("Choose at least one agency that knew the children.", field="agencies")
    children = {
        c.pseudo_id: c
        for c in PoolChild.objects.filter(
            partnership_id=audit.partnership_id, pseudo_id__in=record.selected
        )
    }
    start = audit.cases.count()
    cases = []
    for offset, pseudo_id in enumerate(record.selected, start=1):
        child = children[pseudo_id]
        number = start + offset
        case = Case.objects.create(
            audit=audit, number=number, label=case_label(number), pool_child=child
        )
        case.agencies.set(agency_ids)
        CaseRecord.objects.create(case=case, date_of_birth=child.date_of_birth, council_id="")
        cases.append(case)
    record.fixed = True
    record.save(update_fields=["fixed"])
    activity_record(
        actor=actor,
        partnership_id=audit.partnership_id,
        action="sampling.fixed",
        target=audit,
        audit_id=audit.pk,
        data={"cases": len(cases)},
    )
    return cases


@dataclass
class ProfileRow:
    dimension: str
    value: str
    eligible: int
    sample: int


def _age_band(born: dt.date | None, on: dt.date) -> str:
    if born is None:
        return "Not known"
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if months < 12:
        return "Under 1"
    years = months // 12
    return (
        "1 to 4"
        if years < 5
        else "5 to 9"
        if years < 10
        else "10 to 15"
        if years < 16
        else "16 and over"
    )


def population_profile(
    audit: Audit, eligible: list[tuple[dict[str, Any], dict[str, Any]]] | None = None
) -> list[ProfileRow]:
    """Eligible children and the drawn sample side by side, by age band, sex, ethnicity and
    category, so the panel can see the sample is not odd. Pass `eligible` when the caller
    already has it, so the pool is read once per page."""
    record = SelectionRecord.objects.filter(audit=audit).first()
    drawn = set(record.selected) if record else set()
    counts: dict[tuple[str, str], list[int]] = {}
    for child, event in eligible if eligible is not None else eligible_for(audit):
        values = {
            "Age at the time": _age_band(
                child["date_of_birth"], dt.date.fromisoformat(event["date"])
            ),
            "Sex": (child["sex"] or "Not recorded").split(") ", 1)[-1],
            "Ethnicity": (child["ethnicity"] or "Not recorded").split(") ", 1)[-1],
            "Category of abuse": (event.get("category") or "None recorded").split(") ", 1)[-1],
        }
        for dimension, value in values.items():
            row = counts.setdefault((dimension, value), [0, 0])
            row[0] += 1
            row[1] += child["pseudo_id"] in drawn
    order = ["Age at the time", "Sex", "Ethnicity", "Category of abuse"]
    return [
        ProfileRow(dimension, value, eligible, sample)
        for (dimension, value), (eligible, sample) in sorted(
            counts.items(), key=lambda kv: (order.index(kv[0][0]), -kv[1][0], kv[0][1])
        )
    ]
