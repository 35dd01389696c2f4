"""The database's own guard on the two logs: a trigger refuses UPDATE and DELETE of a log
row, so even SQL typed at a database prompt (or a bug that bypasses the ORM guard in
models.py) cannot rewrite history.

PostgreSQL: one trigger function for both tables. It lets a DELETE through only when the
session setting `maca.retention` is `on` for the current transaction, which only the
retention job (`maca purge`, via `retention_unlocked`) sets. UPDATE is always refused.

SQLite has no session settings: its UPDATE trigger is permanent, and its DELETE trigger is
dropped and re-created by the retention job inside the job's own transaction (SQLite DDL is
transactional, so nobody else ever sees the table unguarded). Test databases are emptied
with DELETE between some tests, so on SQLite the DELETE trigger is installed only outside
the test run; the UPDATE trigger always.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

LOG_TABLES = ("activity_activityentry", "activity_accessentry")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION maca_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('maca.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'maca: % on % refused: log entries are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _pg_install(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION maca_log_append_only();",
    ]


def _sqlite_update(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'maca: log entries are append-only'); END;"
    )


def _sqlite_delete(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'maca: log entries are append-only'); END;"
    )


def sqlite_delete_guard_wanted() -> bool:
    """The SQLite DELETE trigger, except in the test run (whose flushes DELETE every row)."""
    return not getattr(settings, "TESTING", False)


def install(connection: BaseDatabaseWrapper, *, sqlite_delete: bool | None = None) -> None:
    """Create the triggers (idempotent). Called by migration 0003."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for table in LOG_TABLES:
                for sql in _pg_install(table):
                    cursor.execute(sql)
        elif connection.vendor == "sqlite":
            want_delete = sqlite_delete_guard_wanted() if sqlite_delete is None else sqlite_delete
            for table in LOG_TABLES:
                cursor.execute(_sqlite_update(table))
                if want_delete:
                    cursor.execute(_sqlite_delete(table))


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in LOG_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS maca_log_append_only();")


@contextmanager
def retention_unlocked(connection: BaseDatabaseWrapper = default_connection) -> Iterator[None]:
    """Allow DELETE of log rows for the rest of the current transaction (retention job only).

    Must be used inside `transaction.atomic()`; the permission ends with the transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("retention_unlocked needs an open transaction")
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('maca.retention', 'on', true)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('maca.retention', '', true)")
    elif vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE %s",
                ["%_no_delete"],
            )
            had = {row[0] for row in cursor.fetchall()}
            for table in LOG_TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in LOG_TABLES:
                    if f"{table}_no_delete" in had:
                        cursor.execute(_sqlite_delete(table))
    else:
        yield
