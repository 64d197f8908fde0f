"""Writing what enforcement saw of an Amazon conversation and its threads to the store.

Only Amazon conversations are stored. The upserts write just the columns named, so a webhook
and a sync can each fill in what they know. `modified_at` (Help Scout's `userUpdatedAt`) is
written only by passes that list conversations (`draft_scan`), never from a webhook: the draft
scan's watermark is the newest `modified_at` stored, and a webhook's time would move it past
conversations the scan has not looked at yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from helpscout_app.amazon.relay_address import parse_relay_address
from helpscout_app.enforcement.conversation_ref import ConversationRef
from helpscout_app.enforcement.threads import (
    parse_timestamp,
    scheduled_for,
    thread_author,
    thread_created_at,
)
from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.reconciliation.no_response_needed import NRN_TAG_MARKER, tag_newly_marks
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import Conversation, Thread


def store_conversation(
    session: Session,
    conversation: Mapping[str, Any],
    ref: ConversationRef,
    *,
    now: datetime,
    **columns: Any,
) -> Conversation:
    """Upsert an Amazon conversation's facts from its v2 payload, plus `columns` as given.

    Order IDs are added to those stored, never dropped: a payload that embeds fewer threads
    than the last one must not forget an order. Tags newly bringing `nrn-done` record "No
    response needed" for what waits, and the clock is refreshed for it. The caller commits.
    """
    stored = session.get(Conversation, ref.conversation_id)
    known_orders = list(stored.order_ids) if stored is not None and stored.order_ids else []
    relay = parse_relay_address(ref.customer_email)
    values: dict[str, Any] = {
        "is_amazon": True,
        "number": ref.conversation_number,
        "mailbox_id": ref.mailbox_id,
        "customer_email": ref.customer_email,
        "relay_base_address": relay.buyer_address if relay is not None else None,
        "subject": ref.subject,
        "order_ids": [*known_orders, *(o for o in ref.order_ids if o not in known_orders)],
    }
    if isinstance(conversation.get("status"), str):
        values["status"] = conversation["status"]
    tags = conversation.get("tags")
    if isinstance(tags, list):
        values["tags"] = [t["tag"] for t in tags if isinstance(t, Mapping) and t.get("tag")]
        marked = (
            stored is not None
            and stored.waiting_since is not None
            and tag_newly_marks(stored.tags, values["tags"])
        )
        if marked:  # seen here first: record it, as the sync would have (no_response_needed)
            values["nrn_marked_at"], values["nrn_marked_by"] = now, NRN_TAG_MARKER
    closed_at = parse_timestamp(conversation.get("closedAt"))
    if closed_at is not None:
        values["closed_at"] = closed_at
    # None means "not in this payload": keep what is stored rather than erase it.
    values = {name: value for name, value in values.items() if value is not None}
    stored = upsert_conversation(session, ref.conversation_id, now=now, **values, **columns)
    if "nrn_marked_at" in values:
        refresh_clock(session, ref.conversation_id, now=now)
    return stored


def store_thread(
    session: Session,
    conversation_id: int,
    thread_id: int,
    thread: Mapping[str, Any],
    *,
    now: datetime,
    body_hash: str | None = None,
    is_auto_reply: bool | None = None,
) -> Thread:
    """Upsert a thread's type, state, author, times and (when known) body hash and whether it
    is an auto-reply. The caller commits."""
    author = thread_author(thread)
    values: dict[str, Any] = {
        "state": thread.get("state") if isinstance(thread.get("state"), str) else None,
        "created_by_kind": author.kind,
        "created_by_user_id": author.user_id,
        "created_by_name": author.name,
        "created_at": thread_created_at(thread),
        "scheduled_for": scheduled_for(thread),
    }
    if body_hash is not None:
        values["body_hash"] = body_hash
    if is_auto_reply is not None:
        values["is_auto_reply"] = is_auto_reply
    thread_type = thread.get("type") if isinstance(thread.get("type"), str) else "unknown"
    return upsert_thread(
        session, thread_id, conversation_id, thread_type=thread_type, now=now, **values
    )


def is_later(moment: datetime | None, than: datetime | None) -> bool:
    """True when `moment` is known and later than `than` (or `than` is not known)."""
    return moment is not None and (than is None or moment > than)
