"""Conversation and thread upserts: partial writes that never erase what another source stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import Race
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import Conversation, Thread

CUSTOMER_MESSAGE_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
SYNCED_AT = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
ORDER_ID = "112-1234567-1234567"


def test_a_new_conversation_gets_the_values_given_and_defaults(session: Session) -> None:
    conversation = upsert_conversation(
        session,
        123,
        number=1001,
        mailbox_id=101,
        status="active",
        customer_email="abc+x1@marketplace.amazon.com",
        relay_base_address="abc@marketplace.amazon.com",
        is_amazon=True,
        order_ids=[ORDER_ID],
        last_customer_message_at=CUSTOMER_MESSAGE_AT,
        due_at=CUSTOMER_MESSAGE_AT + timedelta(hours=24),
        now=SYNCED_AT,
    )
    session.commit()

    assert conversation.id == 123
    assert (conversation.number, conversation.mailbox_id, conversation.is_amazon) == (
        1001,
        101,
        True,
    )
    assert conversation.order_ids == [ORDER_ID]
    assert conversation.tags == []
    assert conversation.due_at == datetime(2026, 5, 5, 9, 30, tzinfo=UTC)
    assert conversation.updated_at == SYNCED_AT
    assert conversation.subject is None


def test_an_update_changes_only_the_columns_given(session: Session) -> None:
    upsert_conversation(session, 123, number=1001, is_amazon=True, order_ids=[ORDER_ID])
    session.commit()

    conversation = upsert_conversation(
        session, 123, status="closed", tags=["amazon", "nrn-done"], now=SYNCED_AT
    )
    session.commit()

    assert (conversation.number, conversation.is_amazon) == (1001, True)
    assert conversation.order_ids == [ORDER_ID]
    assert conversation.status == "closed"
    assert conversation.tags == ["amazon", "nrn-done"]
    assert conversation.updated_at == SYNCED_AT


def test_an_upsert_refreshes_a_copy_the_session_already_holds(session: Session) -> None:
    stale = upsert_conversation(session, 123, status="active")

    fresh = upsert_conversation(session, 123, status="closed")

    assert fresh is stale
    assert stale.status == "closed"


def test_an_unknown_column_is_refused(session: Session) -> None:
    with pytest.raises(TypeError, match=r"^Conversation.order_id is not a column"):
        upsert_conversation(session, 123, order_id=ORDER_ID)


def test_concurrent_first_upserts_make_one_row(race: Race) -> None:
    race(4, lambda session: upsert_conversation(session, 123, is_amazon=True))

    def count(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(Conversation)) or 0

    assert race(1, count) == [1]


def test_a_thread_can_be_stored_before_its_conversation(session: Session) -> None:
    thread = upsert_thread(
        session,
        456,
        123,
        thread_type="customer",
        state="published",
        created_by_kind="customer",
        created_at=CUSTOMER_MESSAGE_AT,
        body_hash="0" * 64,
    )
    session.commit()

    assert (thread.id, thread.conversation_id, thread.type) == (456, 123, "customer")
    assert thread.created_at == CUSTOMER_MESSAGE_AT
    assert thread.is_auto_reply is False
    conversation = session.get(Conversation, 123)
    assert conversation is not None
    assert conversation.is_amazon is False  # a bare row until a webhook or sync fills it in
    assert [t.id for t in conversation.threads] == [456]


def test_storing_a_thread_leaves_its_conversation_alone(session: Session) -> None:
    upsert_conversation(session, 123, number=1001, is_amazon=True)

    upsert_thread(session, 456, 123, thread_type="customer")
    session.commit()

    conversation = session.get(Conversation, 123)
    assert conversation is not None
    assert (conversation.number, conversation.is_amazon) == (1001, True)


def test_a_draft_scheduled_then_sent_is_updated_in_place(session: Session) -> None:
    scheduled_for = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    upsert_thread(
        session,
        456,
        123,
        thread_type="reply",
        state="draft",
        created_by_kind="user",
        created_by_user_id=7,
        created_by_name="Sam Agent",
        scheduled_for=scheduled_for,
    )
    session.commit()

    thread = upsert_thread(session, 456, 123, thread_type="reply", state="published")
    session.commit()

    assert thread.state == "published"
    assert (thread.created_by_user_id, thread.created_by_name) == (7, "Sam Agent")
    assert thread.scheduled_for == scheduled_for
    assert session.scalar(select(func.count()).select_from(Thread)) == 1


def test_a_thread_moved_by_a_merge_follows_its_new_conversation(session: Session) -> None:
    upsert_thread(session, 456, 123, thread_type="customer")
    session.commit()

    thread = upsert_thread(session, 456, 789, thread_type="customer")
    session.commit()

    assert thread.conversation_id == 789
    first, second = session.get(Conversation, 123), session.get(Conversation, 789)
    assert first is not None and second is not None
    session.refresh(first)
    session.refresh(second)
    assert [t.id for t in first.threads] == []
    assert [t.id for t in second.threads] == [456]


def test_a_thread_refuses_the_columns_its_arguments_set(session: Session) -> None:
    with pytest.raises(TypeError, match=r"^Thread.updated_at is not a column"):
        upsert_thread(session, 456, 123, thread_type="note", updated_at=SYNCED_AT)
