"""Replies sent from Seller Central: Amazon's copy of each (`seller_reply_copy`) answers the
buyer as a Help Scout reply would.

Agents answer in Seller Central when a message never reached Help Scout (the `[missing]` alert
says so) or out of habit. Help Scout never sees those replies, so without their copies the
conversation would be warned about, breached and, once closed, flagged for "No response needed"
although Amazon counts it answered.

A copy carries the order and the buyer's name but no relay address or case (reference/
amazon.md §3), so it is tied to the Amazon conversation waiting for an answer that names its
order, and only when exactly one does. It counts as the conversation's latest agent reply at
the copy's time (`last_agent_reply_at`, which the clock reads as it reads a reply recorded by a
webhook). A copy with no such conversation yet (the buyer's message has not reached Help
Scout) is tried again on later passes, until it leaves the look-back window.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.amazon.notification_email import NotificationKind
from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.store.models import AmazonNotification, Conversation

log = logging.getLogger(__name__)


def apply_seller_replies(
    session: Session, *, since: datetime, now: datetime
) -> list[AmazonNotification]:
    """Count each unapplied seller-reply copy received since `since` as an answer on the one
    waiting conversation naming its order; returns the copies applied. The caller commits."""
    copies = session.scalars(
        select(AmazonNotification)
        .where(
            AmazonNotification.kind == NotificationKind.SELLER_REPLY_COPY.value,
            AmazonNotification.matched_conversation_id.is_(None),
            AmazonNotification.received_at.is_not(None),
            AmazonNotification.received_at >= since,
        )
        .order_by(AmazonNotification.received_at, AmazonNotification.id)
    ).all()
    if not copies:
        return []
    waiting_by_order = _waiting_conversations_by_order(session)
    applied = []
    for copy in copies:
        assert copy.received_at is not None
        candidates = {
            conversation.id: conversation
            for order in copy.order_ids or ()
            for conversation in waiting_by_order.get(order, ())
        }
        if len(candidates) != 1:
            continue  # none yet, or two conversations about the order: nothing certain
        [conversation] = candidates.values()
        if conversation.waiting_since is None or copy.received_at < conversation.waiting_since:
            continue  # answers an earlier message, not the one waiting
        conversation.last_agent_reply_at = max(
            filter(None, (conversation.last_agent_reply_at, copy.received_at))
        )
        copy.matched_conversation_id, copy.matched_at = conversation.id, now
        refresh_clock(session, conversation.id, now=now)
        applied.append(copy)
        log.info(
            "conversation %s: answered from Seller Central at %s (Amazon's copy of the reply)",
            conversation.id,
            copy.received_at.isoformat(),
        )
    return applied


def _waiting_conversations_by_order(session: Session) -> dict[str, list[Conversation]]:
    """The Amazon buyers' conversations with a message waiting, by each order they name."""
    by_order: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in session.scalars(
        select(Conversation).where(
            Conversation.is_amazon.is_(True),
            Conversation.relay_base_address.is_not(None),
            Conversation.waiting_since.is_not(None),
        )
    ):
        for order in conversation.order_ids or ():
            by_order[order].append(conversation)
    return by_order
