"""Matching notifications to customer threads: same buyer, in the window, best pair first."""

from __future__ import annotations

from collections.abc import Callable

from reconciliation_times import at
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.matching import match_notifications
from helpscout_app.store.models import AmazonNotification, Conversation

BUYER = "k7m2q9x4b1c8d3f@marketplace.amazon.com"


def notification(message_id: str, **columns: object) -> AmazonNotification:
    return AmazonNotification(
        message_id=message_id, kind="buyer_message", relay_base_address=BUYER, **columns
    )


def test_the_same_case_wins_over_a_closer_thread_of_another_case(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    for conversation_id, case in ((1, "case-a"), (2, "case-b")):
        address = BUYER.replace("@", f"+{case}@")
        add_conversation(conversation_id, customer_email=address, relay_base_address=BUYER)
    add_thread(1, 11, "customer", at(0, 1))  # closer in time, but case A
    add_thread(2, 21, "customer", at(0, 20))
    store_session.add(
        notification("<b>", relay_address=BUYER.replace("@", "+case-b@"), received_at=at(0))
    )
    store_session.commit()

    [matched] = match_notifications(store_session, since=at(-24), now=at(1))

    assert (matched.matched_thread_id, matched.matched_conversation_id) == (21, 2)


def test_threads_outside_the_window_or_already_taken_are_not_matched(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, customer_email=BUYER, relay_base_address=BUYER)
    add_thread(1, 11, "customer", at(-3))  # more than 2 h before the notification
    add_thread(1, 12, "customer", at(0, 5))
    store_session.add_all(
        [
            notification("<taken>", received_at=at(0), matched_thread_id=12),
            notification("<new>", received_at=at(0, 1)),
        ]
    )
    store_session.commit()

    assert match_notifications(store_session, since=at(-24), now=at(1)) == []


def test_without_a_relay_address_the_order_id_pairs_them(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, order_ids=["112-0000000-0000001"])
    add_thread(1, 11, "customer", at(0, 3))
    store_session.add(
        AmazonNotification(
            message_id="<broken>",
            kind="buyer_message",
            order_ids=["112-0000000-0000001"],
            received_at=at(0),
        )
    )
    store_session.commit()

    [matched] = match_notifications(store_session, since=at(-24), now=at(1))

    assert matched.matched_thread_id == 11
