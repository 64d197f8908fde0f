"""record_customer_message: Amazon conversations stored with the buyer's clock; others ignored."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.enforcement.customer_messages import record_customer_message
from helpscout_app.helpscout.webhook_events import WebhookEvent, parse_webhook_event
from helpscout_app.settings import Settings
from helpscout_app.store.conversations import upsert_conversation
from helpscout_app.store.models import Conversation, Thread

LoadFixture = Callable[[str], bytes]

CONVERSATION_ID = 3120419377
NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
FIRST_MESSAGE_AT = datetime(2026, 11, 20, 9, 14, 3, tzinfo=UTC)
SECOND_MESSAGE_AT = datetime(2026, 11, 20, 12, 31, 9, tzinfo=UTC)


@pytest.fixture
def event(load_fixture: LoadFixture) -> Callable[..., WebhookEvent]:
    """A WebhookEvent from a webhook fixture, its payload changed by `edit` if given."""

    def make(name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> WebhookEvent:
        payload = json.loads(load_fixture(f"helpscout/webhooks/{name}.json"))
        if edit is not None:
            edit(payload)
        headers = {"X-HelpScout-Event": name}
        return parse_webhook_event(headers, json.dumps(payload).encode())

    return make


def stored(session: Session) -> Conversation:
    conversation = session.get(Conversation, CONVERSATION_ID, populate_existing=True)
    assert conversation is not None
    return conversation


def test_a_new_amazon_conversation_starts_the_clock(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    recorded = record_customer_message(
        session=store_session, event=event("convo.created"), settings=settings, now=NOW
    )

    assert recorded is True
    conversation = stored(store_session)
    assert (
        conversation.is_amazon,
        conversation.number,
        conversation.mailbox_id,
        conversation.status,
        conversation.customer_email,
        conversation.relay_base_address,
        conversation.subject,
        conversation.order_ids,
        conversation.last_customer_message_at,
        conversation.due_at,
    ) == (
        True,
        4187,
        101,
        "active",
        "k7m2q9x4b1c8d3f@marketplace.amazon.com",
        "k7m2q9x4b1c8d3f@marketplace.amazon.com",
        "Inquiry from Amazon customer Jordan (Order: 112-4839201-5512347)",
        ["112-4839201-5512347"],
        FIRST_MESSAGE_AT,
        FIRST_MESSAGE_AT + timedelta(hours=24),
    )
    thread = store_session.get(Thread, 8812004503)
    assert thread is not None
    assert (thread.type, thread.created_by_kind, thread.created_at) == (
        "customer",
        "customer",
        FIRST_MESSAGE_AT,
    )


def test_a_second_message_before_any_reply_keeps_the_first_deadline(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    record_customer_message(
        session=store_session, event=event("convo.created"), settings=settings, now=NOW
    )
    record_customer_message(
        session=store_session,
        event=event("convo.customer.reply.created"),
        settings=settings,
        now=NOW,
    )

    conversation = stored(store_session)
    assert conversation.last_customer_message_at == SECOND_MESSAGE_AT
    assert conversation.due_at == FIRST_MESSAGE_AT + timedelta(hours=24)


def test_a_message_after_a_reply_starts_a_new_deadline(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    record_customer_message(
        session=store_session, event=event("convo.created"), settings=settings, now=NOW
    )
    upsert_conversation(
        store_session,
        CONVERSATION_ID,
        last_agent_reply_at=datetime(2026, 11, 20, 10, 2, 41, tzinfo=UTC),
    )
    store_session.commit()

    record_customer_message(
        session=store_session,
        event=event("convo.customer.reply.created"),
        settings=settings,
        now=NOW,
    )

    assert stored(store_session).due_at == SECOND_MESSAGE_AT + timedelta(hours=24)


def test_an_older_message_delivered_late_keeps_the_latest_time_and_sets_the_deadline(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    for name in ("convo.customer.reply.created", "convo.created"):
        record_customer_message(
            session=store_session, event=event(name), settings=settings, now=NOW
        )

    conversation = stored(store_session)
    assert conversation.last_customer_message_at == SECOND_MESSAGE_AT
    # No reply is on record between them: the older message is the one Amazon's clock runs on.
    assert conversation.due_at == FIRST_MESSAGE_AT + timedelta(hours=24)


def test_without_an_embedded_thread_the_message_time_is_now(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    def without_threads(payload: dict[str, Any]) -> None:
        del payload["_embedded"]

    record_customer_message(
        session=store_session,
        event=event("convo.customer.reply.created", without_threads),
        settings=settings,
        now=NOW,
    )

    conversation = stored(store_session)
    assert (conversation.last_customer_message_at, conversation.due_at) == (
        NOW,
        NOW + timedelta(hours=24),
    )
    assert conversation.order_ids == ["112-4839201-5512347"]  # from the subject


def test_a_conversation_an_agent_started_does_not_start_the_clock(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    def started_by_agent(payload: dict[str, Any]) -> None:
        del payload["_embedded"]
        payload["createdBy"] = {"id": 531200, "type": "user", "email": "sam.agent@seller.example"}
        payload["source"] = {"type": "email", "via": "user"}

    recorded = record_customer_message(
        session=store_session,
        event=event("convo.created", started_by_agent),
        settings=settings,
        now=NOW,
    )

    assert recorded is True
    conversation = stored(store_session)
    assert (conversation.is_amazon, conversation.last_customer_message_at, conversation.due_at) == (
        True,
        None,
        None,
    )


def test_a_relay_address_in_another_mailbox_is_amazons(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    def other_mailbox(payload: dict[str, Any]) -> None:
        payload["mailboxId"] = 303

    assert record_customer_message(
        session=store_session,
        event=event("convo.created", other_mailbox),
        settings=settings,
        now=NOW,
    )
    assert stored(store_session).mailbox_id == 303


def test_other_conversations_are_ignored(
    event: Callable[..., WebhookEvent], store_session: Session, settings: Settings
) -> None:
    def not_amazon(payload: dict[str, Any]) -> None:
        payload["mailboxId"] = 303
        payload["primaryCustomer"]["email"] = "pat@example.com"
        payload["createdBy"]["email"] = "pat@example.com"

    recorded = record_customer_message(
        session=store_session, event=event("convo.created", not_amazon), settings=settings, now=NOW
    )

    assert recorded is False
    assert store_session.scalars(select(Conversation)).all() == []
