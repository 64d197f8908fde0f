""" "No response needed": conversations closed without a reply, which Amazon still counts until
someone marks the message in Seller Central.

Help Scout cannot set it (reference/helpscout.md §5), so amz-guard only knows it was done when
someone says so: the tag `nrn-done` on the conversation, or the sidebar's "marked in Seller
Central" action. Either records the time on the conversation; the buyer messages up to then
need no reply, and a later message starts a new clock (reference/amazon.md §2).

The tag is read wherever amz-guard stores a conversation's tags (the reconciliation sync, the
draft scan, the webhooks): the first of them to see it newly added records the mark, so a
writer that stored the tags first cannot hide it from the others. A tag left on from an earlier
mark does not cover a later message; remove it and add it again (with a pass in between) for
that one, or use the sidebar's action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.amazon.notification_email import NotificationKind
from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.store.models import AmazonNotification, Conversation

NRN_DONE_TAG = "nrn-done"
"""Tag saying "No response needed" was marked in Seller Central for this conversation."""

NRN_TAG_MARKER = "tag nrn-done"
"""Who `nrn_marked_by` says marked "No response needed" when the tag told us."""

CLOSED_STATUSES = frozenset({"closed", "spam"})
"""Help Scout statuses of a conversation nobody is going to answer."""

LINK_LOOKBACK = timedelta(days=1)
"""How far before the waiting message a notification of the same conversation may lie and
still give its link, when the waiting thread itself was matched to none."""


@dataclass(frozen=True)
class NrnPending:
    """A closed conversation whose unanswered buyer message needs "No response needed"."""

    conversation_id: int
    message_at: datetime
    due_at: datetime
    link: str | None  # that message's own "No response needed" link, when Amazon's email had one


def tag_newly_marks(stored_tags: Sequence[str] | None, tags: Sequence[str]) -> bool:
    """Whether the tags about to be stored add `NRN_DONE_TAG` to those stored before: the
    moment "No response needed" is recorded for whatever waits then."""
    return NRN_DONE_TAG in tags and NRN_DONE_TAG not in (stored_tags or ())


def needs_nrn(conversation: Conversation) -> bool:
    """A buyer's conversation, closed (or spam) with a message still waiting, as of the last
    clock refresh."""
    return (
        conversation.is_amazon
        and conversation.relay_base_address is not None
        and conversation.status in CLOSED_STATUSES
        and conversation.waiting_since is not None
    )


def pending_nrn(session: Session, conversation_id: int) -> NrnPending | None:
    """The conversation's pending "No response needed", None when it needs none."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not needs_nrn(conversation):
        return None
    return _pending(session, conversation)


def pending_nrns(session: Session) -> list[NrnPending]:
    """Every pending "No response needed", oldest message first."""
    conversations = session.scalars(
        select(Conversation)
        .where(
            Conversation.is_amazon.is_(True),
            Conversation.relay_base_address.is_not(None),
            Conversation.status.in_(CLOSED_STATUSES),
            Conversation.waiting_since.is_not(None),
        )
        .order_by(Conversation.waiting_since, Conversation.id)
    ).all()
    return [_pending(session, conversation) for conversation in conversations]


def record_nrn_done(
    session: Session,
    conversation_id: int,
    *,
    now: datetime,
    marked_by: str | None = None,
    up_to: datetime | None = None,
) -> bool:
    """Record that "No response needed" was marked for the messages waiting up to `up_to`.

    `up_to` is the waiting message the person was shown (the sidebar's, from its session): a
    buyer message that arrived after it keeps its own clock, since nobody saw it before marking.
    Without it, everything waiting at `now` is covered (the tag's meaning). True when it changed
    something: False for an unknown conversation, one with nothing waiting, or one whose oldest
    waiting message is later than `up_to`. The tag `NRN_DONE_TAG` is stored with the mark, so
    a later sync or webhook seeing Help Scout's copy of the tag does not record it again at its
    own time (which would cover a later message). The caller commits, and tags the Help Scout
    conversation when the mark did not come from that tag.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.waiting_since is None:
        return False
    covered_until = now if up_to is None else min(up_to, now)
    if conversation.waiting_since > covered_until:
        return False
    conversation.nrn_marked_at = covered_until
    conversation.nrn_marked_by = marked_by
    if NRN_DONE_TAG not in (conversation.tags or ()):
        conversation.tags = [*(conversation.tags or ()), NRN_DONE_TAG]
    refresh_clock(session, conversation_id, now=now)
    return True


def _pending(session: Session, conversation: Conversation) -> NrnPending:
    assert conversation.waiting_since is not None and conversation.due_at is not None
    return NrnPending(
        conversation_id=conversation.id,
        message_at=conversation.waiting_since,
        due_at=conversation.due_at,
        link=no_response_needed_link(session, conversation),
    )


def no_response_needed_link(session: Session, conversation: Conversation) -> str | None:
    """Amazon's own "No response needed" link for the waiting message, when a notification
    carried one: the notification matched to the waiting thread, else the latest one matched to
    the conversation around that message."""
    with_link = select(AmazonNotification.no_response_needed_url).where(
        AmazonNotification.kind == NotificationKind.BUYER_MESSAGE.value,
        AmazonNotification.no_response_needed_url.is_not(None),
    )
    if conversation.waiting_thread_id is not None:
        link = session.scalar(
            with_link.where(AmazonNotification.matched_thread_id == conversation.waiting_thread_id)
        )
        if link is not None:
            return link
    if conversation.waiting_since is None:
        return None
    return session.scalar(
        with_link.where(
            AmazonNotification.matched_conversation_id == conversation.id,
            AmazonNotification.received_at >= conversation.waiting_since - LINK_LOOKBACK,
        )
        .order_by(AmazonNotification.received_at.desc())
        .limit(1)
    )
