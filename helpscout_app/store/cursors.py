"""Cursors of the readers of outside sources: how far the notification source and the Help
Scout sync got, so the next pass starts there, after a restart too.

A cursor is written in the same transaction as what was read up to it, so a pass that fails
part-way is not counted as done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from helpscout_app.store.models import SyncCursor
from helpscout_app.store.statements import upsert
from helpscout_app.store.timestamps import utc_now


def read_cursor(session: Session, name: str) -> str | None:
    """The cursor stored under `name`, None before the first pass."""
    row = session.get(SyncCursor, name, populate_existing=True)
    return row.value if row is not None else None


def write_cursor(session: Session, name: str, value: str, *, now: datetime | None = None) -> None:
    """Store `value` as the cursor `name`. The caller commits, with what was read up to it."""
    upsert(
        session,
        SyncCursor,
        {"name": name, "value": value, "updated_at": now or utc_now()},
        unique_columns=("name",),
        update_columns=("value", "updated_at"),
    )
