"""Response times: each buyer message answered by the first reply after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from reconciliation_times import at
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.response_times import percentile, response_times
from helpscout_app.store.models import Conversation


def test_each_message_in_the_window_gets_the_first_reply_after_it(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1)
    add_thread(1, 11, "customer", at(0))
    add_thread(1, 12, "customer", at(1))
    add_thread(1, 13, "message", at(30))  # late
    add_thread(1, 14, "customer", at(31))  # unanswered
    add_conversation(2)
    add_thread(2, 21, "customer", at(2))
    add_thread(2, 22, "message", at(3), state="draft")
    add_thread(2, 23, "message", at(4))
    add_conversation(3)
    add_thread(3, 31, "customer", at(-30))  # before the window
    add_thread(3, 32, "message", at(1))

    times = response_times(store_session, since=at(0), until=at(48))

    assert [(t.conversation_id, t.message_at, t.answered_at) for t in times] == [
        (1, at(0), at(30)),
        (1, at(1), at(30)),
        (2, at(2), at(4)),
        (1, at(31), None),
    ]
    assert [t.in_time() for t in times] == [False, False, True, False]
    assert times[2].duration == timedelta(hours=2) and times[3].duration is None


def test_messages_no_response_needed_covered_first_are_left_out_as_amazon_does(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    add_conversation(1, nrn_marked_at=at(5))
    add_thread(1, 11, "customer", at(0))
    add_thread(1, 12, "message", at(2))  # answered before the mark: counted
    add_thread(1, 13, "customer", at(3))  # the mark came first: left out
    add_thread(1, 14, "message", at(6))
    add_thread(1, 15, "customer", at(7))  # after the mark: counted, unanswered
    add_conversation(2, nrn_marked_at=at(4))
    add_thread(2, 21, "customer", at(1))  # marked, never answered: left out

    times = response_times(store_session, since=at(0), until=at(48))

    assert [(t.conversation_id, t.message_at, t.answered_at) for t in times] == [
        (1, at(0), at(2)),
        (1, at(7), None),
    ]


def test_amazons_system_notices_are_no_buyer_messages(
    store_session: Session,
    add_conversation: Callable[..., Conversation],
    add_thread: Callable[..., None],
) -> None:
    """A refund or claim notice routed into the Amazon mailbox has no buyer relay address."""
    add_conversation(1, relay_base_address=None, customer_email="donotreply@amazon.com")
    add_thread(1, 11, "customer", at(0))
    add_conversation(2)
    add_thread(2, 21, "customer", at(1))

    times = response_times(store_session, since=at(0), until=at(48))

    assert [t.conversation_id for t in times] == [2]


def test_a_percentile_rounds_its_rank_up_exactly() -> None:
    """0.4618 of 13 is 6.0034: the 7th value (a rank from the fraction cut to thousandths was
    the 6th, which hypothesis found)."""
    durations = [timedelta(minutes=minutes) for minutes in range(1, 14)]

    assert percentile(durations, 0.4618) == timedelta(minutes=7)
    assert percentile(durations[:10], 0.9) == timedelta(minutes=9)  # not 10: 0.9 as written
    assert percentile(durations[:10], 0.5) == timedelta(minutes=5)


def test_percentile_takes_the_nearest_rank() -> None:
    durations = [timedelta(minutes=minutes) for minutes in (50, 10, 40, 20, 30)]

    assert percentile(durations, 0.5) == timedelta(minutes=30)
    assert percentile(durations, 0.9) == timedelta(minutes=50)
    assert percentile([], 0.5) is None


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1), st.floats(0.01, 1.0))
def test_a_percentile_is_one_of_the_values_and_at_least_that_share_is_not_above_it(
    minutes: list[int], fraction: float
) -> None:
    durations = [timedelta(minutes=m) for m in minutes]

    value = percentile(durations, fraction)

    assert value in durations
    assert sum(d <= value for d in durations) >= fraction * len(durations) - 1e-9  # type: ignore[operator]
