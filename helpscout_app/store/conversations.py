"""Conversations and threads as amz-guard last saw them, written by webhooks and syncs alike.

Both upserts write only the columns they are given, so a webhook that knows the last customer
message time does not erase the order IDs a sync found, and either may come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from helpscout_app.store.models import Conversation, Thread
from helpscout_app.store.statements import insert_unless_present, upsert
from helpscout_app.store.timestamps import utc_now

Model = TypeVar("Model", Conversation, Thread)

_SET_BY_UPSERT = frozenset({"id", "conversation_id", "type", "updated_at"})
"""Columns the upserts set from their own arguments, never from `values`."""


def upsert_conversation(
    session: Session, conversation_id: int, *, now: datetime | None = None, **values: Any
) -> Conversation:
    """Create or update a conversation; the columns named in `values` change, no others.

    `values` are `Conversation` columns, e.g. `number=1234, is_amazon=True, due_at=…`. Raises
    `TypeError` for a name that is not one. The caller commits.
    """
    _check_columns(Conversation, values)
    row = {**values, "id": conversation_id, "updated_at": now or utc_now()}
    upsert(
        session, Conversation, row, unique_columns=("id",), update_columns=[*values, "updated_at"]
    )
    return _reloaded(session, Conversation, conversation_id)


def upsert_thread(
    session: Session,
    thread_id: int,
    conversation_id: int,
    *,
    thread_type: str,
    now: datetime | None = None,
    **values: Any,
) -> Thread:
    """Create or update a thread; the columns named in `values` change, no others.

    `thread_type` is Help Scout's (customer, message, reply, note, …); `values` are other
    `Thread` columns (`state`, `created_at`, `body_hash`, …). A thread moved by a merge follows
    its new `conversation_id`. If the conversation is not stored yet, a bare row is created for
    it, so a webhook can store a thread before any sync. Raises `TypeError` for a name that is
    not a column. The caller commits.
    """
    _check_columns(Thread, values)
    now = now or utc_now()
    insert_unless_present(
        session, Conversation, {"id": conversation_id, "updated_at": now}, unique_columns=("id",)
    )
    row = {
        **values,
        "id": thread_id,
        "conversation_id": conversation_id,
        "type": thread_type,
        "updated_at": now,
    }
    upsert(
        session,
        Thread,
        row,
        unique_columns=("id",),
        update_columns=[*values, "conversation_id", "type", "updated_at"],
    )
    return _reloaded(session, Thread, thread_id)


def _check_columns(model: type[Conversation] | type[Thread], values: Mapping[str, Any]) -> None:
    """Raise TypeError naming the first key of `values` that is not a column `values` may set."""
    settable = set(inspect(model).columns.keys()) - _SET_BY_UPSERT
    for name in values:
        if name not in settable:
            raise TypeError(f"{model.__name__}.{name} is not a column that an upsert may set")


def _reloaded(session: Session, model: type[Model], row_id: int) -> Model:
    """The row as stored now, refreshing any stale copy the session holds."""
    row = session.get(model, row_id, populate_existing=True)
    assert row is not None  # just written in this transaction
    return row
