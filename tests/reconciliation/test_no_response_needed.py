"""Closed without a reply: pending "No response needed", its link, and recording the mark."""

from __future__ import annotations

from collections.abc import Callable

from reconciliation_times import at
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import ClockState, conversation_clock, refresh_clock
from helpscout_app.reconciliation.no_response_needed import (
    NRN_DONE_TAG,
    pending_nrn,
    pending_nrns,
    record_nrn_done,
    tag_newly_marks,
)
from helpscout_app.store.models import AmazonNotification, Conversation

NRN_LINK = "https://sellercentral.amazon.com/messaging/no-response-needed?t=a&m=b&mp=c&c=d&h=e&s=1"


def notification(message_id: str, **columns: object) -> AmazonNotification:
    return AmazonNotification(message_id=message_id, kind="buyer_message", **columns)


def test_a_closed_conversation_with_a_waiting_message_needs_nrn_with_the_messages_own_link(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, status="closed")
    add_thread(1, 11, "customer", at(0))
    add_conversation(2, status="active")
    add_thread(2, 21, "customer", at(0))
    add_conversation(3, status="closed")
    add_thread(3, 31, "customer", at(0))
    add_thread(3, 32, "message", at(1))
    store_session.add_all(
        [
            notification("<other@amazon>", matched_thread_id=99, no_response_needed_url="x"),
            notification("<n1@amazon>", matched_thread_id=11, no_response_needed_url=NRN_LINK),
        ]
    )
    for conversation_id in (1, 2, 3):
        refresh_clock(store_session, conversation_id, now=at(2))
    store_session.commit()

    pending = pending_nrn(store_session, 1)

    assert pending is not None
    assert (pending.message_at, pending.due_at, pending.link) == (at(0), at(24), NRN_LINK)
    assert pending_nrn(store_session, 2) is None  # still open: answer it instead
    assert pending_nrn(store_session, 3) is None  # answered
    assert [p.conversation_id for p in pending_nrns(store_session)] == [1]


def test_without_a_matched_notification_the_link_is_unknown(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, status="closed")
    add_thread(1, 11, "customer", at(0))
    refresh_clock(store_session, 1, now=at(1))

    pending = pending_nrn(store_session, 1)

    assert pending is not None and pending.link is None


def test_recording_the_mark_stops_the_clock_until_the_buyer_writes_again(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, status="closed")
    add_thread(1, 11, "customer", at(0))
    refresh_clock(store_session, 1, now=at(1))

    assert record_nrn_done(store_session, 1, now=at(2), marked_by="Dana")
    store_session.commit()
    marked = store_session.get(Conversation, 1)
    again = record_nrn_done(store_session, 1, now=at(3))
    add_thread(1, 12, "customer", at(4))
    refresh_clock(store_session, 1, now=at(5))

    assert marked is not None and marked.nrn_marked_by == "Dana"
    assert pending_nrn(store_session, 1) is not None  # the new message needs one of its own
    clock = conversation_clock(store_session, 1, now=at(5))
    assert clock is not None and clock.state is ClockState.WAITING and clock.waiting_since == at(4)
    assert not again  # nothing was waiting any more
    assert not record_nrn_done(store_session, 404, now=at(2))


def test_the_mark_covers_only_up_to_the_message_shown(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    """The sidebar passes the waiting message it showed: a later message keeps its clock, and
    the stored tag keeps a sync or webhook from recording the mark again at its own time."""
    add_conversation(1, status="closed")
    add_thread(1, 11, "customer", at(0))
    add_thread(1, 12, "customer", at(2))  # arrived after the page was loaded
    refresh_clock(store_session, 1, now=at(3))

    assert not record_nrn_done(store_session, 1, now=at(3), up_to=at(-1))
    assert record_nrn_done(store_session, 1, now=at(3), up_to=at(0))

    conversation = store_session.get(Conversation, 1)
    assert conversation is not None and conversation.nrn_marked_at == at(0)
    clock = conversation_clock(store_session, 1, now=at(3))
    assert clock is not None and clock.waiting_since == at(2)
    assert not tag_newly_marks(conversation.tags, [*conversation.tags])
    assert NRN_DONE_TAG in conversation.tags
