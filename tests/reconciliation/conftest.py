"""Helpers that write conversations and threads the way webhooks and syncs store them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import Conversation

StoreThread = Callable[..., None]


@pytest.fixture
def add_conversation(store_session: Session) -> Callable[..., Conversation]:
    """Store an Amazon conversation: `add_conversation(1, status="active", ...)`."""

    def add(conversation_id: int, **columns: Any) -> Conversation:
        values: dict[str, Any] = {
            "is_amazon": True,
            "status": "active",
            "number": 1000 + conversation_id,
            "mailbox_id": 101,
            "relay_base_address": f"buyer{conversation_id}@marketplace.amazon.com",
            **columns,
        }
        row = upsert_conversation(store_session, conversation_id, **values)
        store_session.commit()
        return row

    return add


@pytest.fixture
def add_thread(store_session: Session) -> StoreThread:
    """Store a thread: `add_thread(conversation_id, thread_id, "customer", at(1))`; agent
    replies are `"message"` threads by a user, published unless `state` says otherwise."""

    def add(
        conversation_id: int, thread_id: int, thread_type: str, created_at: datetime, **values: Any
    ) -> None:
        defaults: dict[str, Any] = {
            "state": "published",
            "created_by_kind": "customer" if thread_type == "customer" else "user",
            "created_at": created_at,
        }
        upsert_thread(
            store_session,
            thread_id,
            conversation_id,
            thread_type=thread_type,
            **{**defaults, **values},
        )
        store_session.commit()

    return add
