"""Customer messages (`convo.created`, `convo.customer.reply.created`) on Amazon conversations:
the buyer's side of Amazon's 24-hour clock, stored for reconciliation and the sidebar.

Amazon counts 24 hours of calendar time, weekends included, from each buyer message until a
reply (DESIGN.md "Facts"). One reply answers every message before it, so the deadline that
matters is the one of the oldest message still unanswered: a second message before any reply
leaves `due_at` where the first one put it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from helpscout_app.enforcement.conversation_ref import conversation_ref
from helpscout_app.enforcement.stored_conversations import (
    is_later,
    store_conversation,
    store_thread,
)
from helpscout_app.enforcement.threads import thread_created_at
from helpscout_app.helpscout.webhook_events import WebhookEvent, is_amazon_conversation
from helpscout_app.reconciliation.clock import AMAZON_RESPONSE_TIME, refresh_clock
from helpscout_app.store.models import Conversation

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)


NEW_CONVERSATION_EVENT = "convo.created"


def record_customer_message(
    *, session: Session, event: WebhookEvent, settings: Settings, now: datetime
) -> bool:
    """Store an Amazon conversation's facts and the buyer's latest message time and deadline.

    Returns True for an Amazon conversation (stored), False for any other (left alone). The
    message time is the buyer's thread's `createdAt`, or `now` when the payload embeds no
    customer thread. A conversation an agent started (no customer thread, created by a user)
    is stored without touching the clock; so is a redelivered or out-of-order older message.
    Commits.
    """
    if event.conversation_id is None or not is_amazon_conversation(
        event, settings.amazon_mailbox_ids
    ):
        log.info("conversation %s: not an Amazon conversation; ignored", event.conversation_id)
        return False
    conversation_id = event.conversation_id
    payload = event.payload
    ref = conversation_ref({**payload, "id": conversation_id})
    thread = event.thread
    columns: dict[str, Any] = {}
    if thread is not None or not _started_by_an_agent(event):
        message_at = (thread_created_at(thread) if thread is not None else None) or now
        stored = session.get(Conversation, conversation_id)
        columns = _clock_columns(stored, message_at)
    store_conversation(session, payload, ref, now=now, **columns)
    if thread is not None and event.thread_id is not None:
        store_thread(session, conversation_id, event.thread_id, thread, now=now)
    refresh_clock(session, conversation_id, now=now)
    session.commit()
    log.info(
        "conversation %s: customer message recorded%s",
        conversation_id,
        f", due {columns['due_at'].isoformat()}" if "due_at" in columns else "",
    )
    return True


def _clock_columns(stored: Conversation | None, message_at: datetime) -> dict[str, datetime]:
    """`last_customer_message_at` and `due_at` for a buyer message at `message_at`; none when
    a later message is stored already."""
    last_message_at = stored.last_customer_message_at if stored is not None else None
    if not is_later(message_at, last_message_at):
        return {}
    due_at = message_at + AMAZON_RESPONSE_TIME
    if stored is not None and _unanswered(stored) and stored.due_at is not None:
        due_at = min(due_at, stored.due_at)  # the older unanswered message's deadline
    return {"last_customer_message_at": message_at, "due_at": due_at}


def _unanswered(stored: Conversation) -> bool:
    """True when the stored last customer message has had no agent reply since."""
    if stored.last_customer_message_at is None:
        return False
    return stored.last_agent_reply_at is None or (
        stored.last_agent_reply_at < stored.last_customer_message_at
    )


def _started_by_an_agent(event: WebhookEvent) -> bool:
    """True for a new conversation a user, not the customer, created (an outbound email): its
    `convo.created` is no buyer message. A customer reply is one, whoever started it."""
    if event.event_name != NEW_CONVERSATION_EVENT:
        return False
    creator = event.payload.get("createdBy")
    source = event.payload.get("source")
    created_by_user = isinstance(creator, Mapping) and creator.get("type") == "user"
    via_user = isinstance(source, Mapping) and source.get("via") == "user"
    return created_by_user or via_user
