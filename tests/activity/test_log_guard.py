"""The database itself refuses to change or delete log rows, except for the retention job."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from maca.activity import guard
from maca.activity.models import AccessEntry, ActivityEntry


def _raw(sql: str, params: list[object] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def delete_guard():
    """Test databases leave out the SQLite DELETE trigger (flushes); put it in for a test."""
    if connection.vendor == "sqlite":
        guard.install(connection, sqlite_delete=True)
    yield
    if connection.vendor == "sqlite":
        guard.uninstall(connection)
        guard.install(connection)


def test_raw_sql_cannot_change_or_delete_a_log_row(world, delete_guard):
    world.audit()
    entry = ActivityEntry.objects.first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE activity_activityentry SET action = 'tampered' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM activity_activityentry WHERE id = %s", [entry.pk])
    AccessEntry.objects.create(
        partnership=world.partnership, user=world.users["admin"], roles="admin", action="x"
    )
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE activity_accessentry SET action = 'tampered'")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM activity_accessentry")
    assert ActivityEntry.objects.filter(pk=entry.pk, action=entry.action).exists()


def test_the_retention_job_alone_may_delete_and_only_inside_its_transaction(world, delete_guard):
    world.audit()
    entry = ActivityEntry.objects.order_by("id").first()
    assert entry is not None
    with transaction.atomic():
        with guard.retention_unlocked(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM activity_activityentry WHERE id = %s", [entry.pk])
        # The unlock ends with the block.
        with pytest.raises(DatabaseError), transaction.atomic():
            _raw("DELETE FROM activity_activityentry")
    assert not ActivityEntry.objects.filter(pk=entry.pk).exists()
    assert ActivityEntry.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM activity_activityentry")
