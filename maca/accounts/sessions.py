"""The session store: Django's database sessions, renewed in the same commit as the request's
access-log entries.

Every signed-in request renews its session (the 30-minute idle limit), and every case-level
page writes an access-log entry. Written apart, that is two commits, and on SQLite two turns at
the single write lock, per page. Here the held entries (maca.activity.services.access_batch)
go in the transaction that saves the session. If that transaction fails, the entries are handed
back and the end of the request writes them on their own, so none is lost.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router, transaction

from maca.activity.services import access_put_back, access_take, access_write


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        rows = access_take()
        if not rows:
            super().save(must_create=must_create)
            return
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                access_write(rows)
                super().save(must_create=must_create)
        except BaseException:
            access_put_back(rows)
            raise
