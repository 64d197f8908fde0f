"""The 24-hour clock: which message waits, until when, and what counts as an answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st
from reconciliation_times import T0, at
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import (
    BuyerMessage,
    ClockState,
    compute_clock,
    conversation_clock,
    message_time,
    open_clocks,
    record_deleted,
    refresh_clock,
)
from helpscout_app.store.models import Conversation


def test_an_unanswered_message_is_due_24_hours_later_weekend_included() -> None:
    clock = compute_clock([BuyerMessage(at(0), 11)], [], nrn_marked_at=None, now=at(1))

    assert clock.state is ClockState.WAITING
    assert clock.waiting_since == at(0) and clock.waiting_thread_id == 11
    assert clock.due_at == at(24)  # Friday 09:00 -> Saturday 09:00
    assert clock.remaining(at(1)) == timedelta(hours=23)


def test_the_oldest_unanswered_message_sets_the_deadline() -> None:
    messages = [BuyerMessage(at(5), 12), BuyerMessage(at(0), 11)]

    clock = compute_clock(messages, [], nrn_marked_at=None, now=at(6))

    assert clock.due_at == at(24) and clock.waiting_thread_id == 11
    assert clock.last_customer_message_at == at(5)


def test_a_reply_answers_every_message_before_it_and_a_later_message_starts_a_new_clock() -> None:
    messages = [BuyerMessage(at(0), 11), BuyerMessage(at(2), 12), BuyerMessage(at(30), 13)]

    answered = compute_clock(messages[:2], [at(3)], nrn_marked_at=None, now=at(4))
    follow_up = compute_clock(messages, [at(3)], nrn_marked_at=None, now=at(31))

    assert answered.state is ClockState.ANSWERED and answered.due_at is None
    assert answered.last_agent_reply_at == at(3)
    assert follow_up.state is ClockState.WAITING
    assert (follow_up.waiting_since, follow_up.due_at) == (at(30), at(54))


def test_past_the_deadline_the_clock_is_breached_with_negative_time_left() -> None:
    clock = compute_clock([BuyerMessage(at(0))], [], nrn_marked_at=None, now=at(25))

    assert clock.state is ClockState.BREACHED
    assert clock.remaining(at(25)) == timedelta(hours=-1)


def test_no_response_needed_covers_the_messages_before_it_without_being_a_reply() -> None:
    clock = compute_clock([BuyerMessage(at(0))], [], nrn_marked_at=at(2), now=at(3))
    later = compute_clock(
        [BuyerMessage(at(0)), BuyerMessage(at(5))], [], nrn_marked_at=at(2), now=at(6)
    )

    assert clock.state is ClockState.ANSWERED and clock.last_agent_reply_at is None
    assert later.state is ClockState.WAITING and later.waiting_since == at(5)


def test_a_conversation_without_buyer_messages_has_no_clock() -> None:
    clock = compute_clock([], [at(1)], nrn_marked_at=None, now=at(2))

    assert clock.state is ClockState.NO_MESSAGE and clock.remaining(at(2)) is None


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=12),
    st.lists(st.integers(min_value=0, max_value=500), max_size=12),
)
def test_the_waiting_message_is_the_first_one_after_the_last_answer(
    message_hours: list[int], answer_hours: list[int]
) -> None:
    messages = [BuyerMessage(T0 + timedelta(hours=hour)) for hour in message_hours]
    answers = [T0 + timedelta(hours=hour) for hour in answer_hours]

    clock = compute_clock(messages, answers, nrn_marked_at=None, now=T0)

    unanswered = [m.at for m in messages if not answers or m.at > max(answers)]
    assert clock.waiting_since == (min(unanswered) if unanswered else None)
    if clock.due_at is not None:
        assert clock.due_at - clock.waiting_since == timedelta(hours=24)  # type: ignore[operator]


def test_only_published_agent_replies_that_are_no_auto_reply_answer(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1)
    add_thread(1, 11, "customer", at(0))
    add_thread(1, 12, "note", at(1))
    add_thread(1, 13, "message", at(2), state="draft")
    add_thread(1, 14, "message", at(3), state="draft", scheduled_for=at(5))
    add_thread(1, 15, "message", at(4), is_auto_reply=True)
    add_thread(1, 16, "lineitem", at(5), created_by_kind="user")
    add_thread(1, 17, "customer", at(6), state="draft")

    waiting = conversation_clock(store_session, 1, now=at(7))
    add_thread(1, 18, "reply", at(8))  # some clients name agent replies "reply"
    answered = conversation_clock(store_session, 1, now=at(9))

    assert waiting is not None and waiting.state is ClockState.WAITING
    assert (waiting.waiting_thread_id, waiting.due_at) == (11, at(24))
    assert answered is not None and answered.state is ClockState.ANSWERED


def test_a_message_a_webhook_recorded_without_its_thread_still_counts(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, last_customer_message_at=at(10))
    add_thread(1, 11, "customer", at(0))
    add_thread(1, 12, "message", at(1))

    clock = conversation_clock(store_session, 1, now=at(11))

    assert clock is not None and clock.waiting_since == at(10) and clock.waiting_thread_id is None


def test_refresh_stores_the_clock_and_open_clocks_lists_waiting_conversations_by_deadline(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    for conversation_id, message_at in ((1, at(5)), (2, at(0)), (3, at(1))):
        add_conversation(conversation_id)
        add_thread(conversation_id, conversation_id * 10, "customer", message_at)
    add_thread(3, 31, "message", at(2))
    add_conversation(4, is_amazon=False)
    add_thread(4, 40, "customer", at(0))
    add_conversation(5, relay_base_address=None)  # Amazon's refund notice, not a buyer
    add_thread(5, 50, "customer", at(0))
    for conversation_id in (1, 2, 3, 4, 5):
        refresh_clock(store_session, conversation_id, now=at(6))
    store_session.commit()

    listed = open_clocks(store_session, now=at(25))

    assert [(c.id, clock.state, clock.due_at) for c, clock in listed] == [
        (2, ClockState.BREACHED, at(24)),
        (1, ClockState.WAITING, at(29)),
    ]
    assert refresh_clock(store_session, 99, now=at(6)) is None


def test_refresh_clears_the_deadline_once_a_reply_is_stored(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1)
    add_thread(1, 11, "customer", at(0))
    refresh_clock(store_session, 1, now=at(1))
    add_thread(1, 12, "message", at(2))

    refresh_clock(store_session, 1, now=at(3))
    store_session.commit()

    stored = store_session.get(Conversation, 1)
    assert stored is not None
    assert (stored.waiting_since, stored.due_at, stored.last_agent_reply_at) == (None, None, at(2))
    assert stored.last_customer_message_at == at(0)


def test_a_message_help_scout_received_late_counts_from_amazons_notification(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1)
    add_thread(1, 11, "customer", at(4), buyer_sent_at=at(0))  # received 4 h late
    add_conversation(2)
    add_thread(2, 21, "customer", at(4), buyer_sent_at=at(5))  # the notification's clock ran fast

    late = conversation_clock(store_session, 1, now=at(5))
    on_time = conversation_clock(store_session, 2, now=at(5))

    assert late is not None and (late.waiting_since, late.due_at) == (at(0), at(24))
    assert on_time is not None and on_time.waiting_since == at(4)


@given(
    received=st.integers(min_value=0, max_value=10_000),
    sent=st.none() | st.integers(min_value=0, max_value=10_000),
)
def test_a_message_s_time_is_the_earlier_of_its_receipt_and_its_notification(
    received: int, sent: int | None
) -> None:
    thread = SimpleNamespace(
        created_at=T0 + timedelta(minutes=received),
        buyer_sent_at=None if sent is None else T0 + timedelta(minutes=sent),
    )

    expected = received if sent is None else min(received, sent)
    assert message_time(thread) == T0 + timedelta(minutes=expected)


def test_a_conversation_gone_from_help_scout_keeps_its_clock_stopped(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    """Deleted (or merged away): a late notification match or reply copy redoing its clock
    must not start it again."""
    add_conversation(1)
    add_thread(1, 11, "customer", at(0))
    refresh_clock(store_session, 1, now=at(1))
    assert record_deleted(store_session, 1)

    clock = refresh_clock(store_session, 1, now=at(30))
    store_session.commit()

    stored = store_session.get(Conversation, 1)
    assert stored is not None and (stored.status, stored.waiting_since) == ("deleted", None)
    assert clock is not None and clock.state is ClockState.ANSWERED
    assert open_clocks(store_session, now=at(30)) == []
    assert not record_deleted(store_session, 99)
