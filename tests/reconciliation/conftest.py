"""Scenario fixtures: conversations and threads stored as webhooks and syncs store them, and the
outside world of a reconciliation pass: Amazon's notification emails in a real Maildir, Help
Scout's Mailbox API behind `responses`, Slack on the local `fake_slack` server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from pydantic import SecretStr
from reconciliation_world import API_URL, AmazonMailbox, FakeHelpScout
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.reconcile_pass import ReconcileResult, run_reconcile_pass
from helpscout_app.settings import Settings
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.database import create_engine_for, session_factory
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


@pytest.fixture
def amazon_mailbox(settings: Settings) -> AmazonMailbox:
    assert settings.amazon_notifications_url is not None
    return AmazonMailbox(
        Path(settings.amazon_notifications_url.get_secret_value().removeprefix("maildir:"))
    )


@pytest.fixture
def helpscout() -> Iterator[FakeHelpScout]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeHelpScout(mock)


@pytest.fixture
def reconcile_settings(settings: Settings, fake_slack: Any) -> Settings:
    """The test settings pointed at the fake Help Scout and the local Slack."""
    return settings.model_copy(
        update={
            "helpscout_api_url": API_URL,
            "slack_webhook_url": SecretStr(fake_slack.webhook_url),
            "amazon_mailbox_ids": (101,),
            "auto_reply_markers": ("This is an automatic reply",),
        }
    )


@pytest.fixture
def run_pass(
    reconcile_settings: Settings, store_session: Session, amazon_mailbox: AmazonMailbox
) -> Iterator[Callable[[datetime], ReconcileResult]]:
    """Run a pass at a time, each in a session of its own, as each job or command has."""
    engine = create_engine_for(reconcile_settings.database_url)
    factory = session_factory(engine)

    def run(now: datetime) -> ReconcileResult:
        with factory() as session:
            return run_reconcile_pass(session, reconcile_settings, now=now)

    yield run
    engine.dispose()
