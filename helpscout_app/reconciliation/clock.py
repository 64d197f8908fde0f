"""Amazon's 24-hour response clock, per conversation, from the threads amz-guard has stored.

Amazon counts calendar time, weekends included, from a buyer's message to the seller's reply;
auto-responders do not count, and "No response needed" removes a message from the metric
(reference/amazon.md §2). One reply answers every message before it, so what matters is the
oldest buyer message that no reply (and no "No response needed") has covered yet: it sets the
deadline, and a buyer message after a reply starts a new clock.

What counts:
- a **buyer message** is a published customer thread (`type` customer), timed by the earlier
  of Help Scout's receipt and Amazon's own notification of it (`message_time`): when Help Scout
  receives a message hours late, Amazon's clock started all the same;
- an **answer** is a published agent reply to the customer (`message`/`reply`, written by a
  user) that is not an auto-reply; notes, drafts, Send Later replies not yet sent and activity
  lines do not count.

The conversation's `waiting_since`, `waiting_thread_id` and `due_at` columns hold the clock as
of the last refresh (`refresh_clock`, after every change to the threads), so a pass can find
the conversations with a clock running without reading every thread; `conversation_clock`
recomputes it from the threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.store.models import Conversation, Thread

AMAZON_RESPONSE_TIME = timedelta(hours=24)
"""Amazon's response-time target, in calendar time."""

CUSTOMER_THREAD_TYPE = "customer"
AGENT_REPLY_TYPES = frozenset({"message", "reply"})
"""Thread types of an agent's reply to the customer (Help Scout v2 sends `message`; some
clients say `reply`: reference/helpscout.md §2.6)."""

PUBLISHED = "published"

MERGED_STATUS = "merged"
"""Our status for a conversation Help Scout merged into another (it lists it no more)."""
DELETED_STATUS = "deleted"
"""Our status for a conversation deleted in Help Scout (`convo.deleted`)."""
GONE_STATUSES = frozenset({MERGED_STATUS, DELETED_STATUS})
"""Conversations Help Scout no longer has: nothing waits there, whatever their threads say."""


class ThreadFacts(Protocol):
    """What the clock reads of a thread: a stored `Thread`, or one a sync is about to store."""

    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def state(self) -> str | None: ...
    @property
    def created_by_kind(self) -> str | None: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def buyer_sent_at(self) -> datetime | None: ...
    @property
    def scheduled_for(self) -> datetime | None: ...
    @property
    def is_auto_reply(self) -> bool: ...


class ClockState(StrEnum):
    """Where a conversation stands against the 24-hour deadline."""

    NO_MESSAGE = "no_message"  # no buyer message on record
    ANSWERED = "answered"  # every buyer message answered (or marked "No response needed")
    WAITING = "waiting"  # a buyer message unanswered, its deadline ahead
    BREACHED = "breached"  # unanswered past its deadline


@dataclass(frozen=True)
class BuyerMessage:
    """A buyer message on the clock: when it came, and its Help Scout thread when known."""

    at: datetime
    thread_id: int | None = None


@dataclass(frozen=True)
class ResponseClock:
    """A conversation's clock: the oldest unanswered buyer message and its deadline, if any."""

    state: ClockState
    waiting_since: datetime | None
    due_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_reply_at: datetime | None
    waiting_thread_id: int | None = None

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left until the deadline (negative once breached); None when nothing waits."""
        return None if self.due_at is None else self.due_at - now


def compute_clock(
    buyer_messages: Iterable[BuyerMessage],
    answers: Iterable[datetime],
    *,
    nrn_marked_at: datetime | None,
    now: datetime,
) -> ResponseClock:
    """The clock for these buyer messages and answer times; pure.

    "No response needed" marked at `nrn_marked_at` covers the messages up to then, as an
    answer would, without being one (it sets no `last_agent_reply_at`).
    """
    messages = sorted(buyer_messages, key=lambda message: message.at)
    answer_times = sorted(answers)
    covers = [*answer_times, *([nrn_marked_at] if nrn_marked_at is not None else [])]
    waiting = _oldest_uncovered(messages, sorted(covers))
    last_message_at = messages[-1].at if messages else None
    last_answer_at = answer_times[-1] if answer_times else None
    if waiting is None:
        state = ClockState.ANSWERED if messages else ClockState.NO_MESSAGE
        return ResponseClock(state, None, None, last_message_at, last_answer_at)
    due_at = waiting.at + AMAZON_RESPONSE_TIME
    return ResponseClock(
        state=ClockState.BREACHED if now >= due_at else ClockState.WAITING,
        waiting_since=waiting.at,
        due_at=due_at,
        last_customer_message_at=last_message_at,
        last_agent_reply_at=last_answer_at,
        waiting_thread_id=waiting.thread_id,
    )


def _oldest_uncovered(
    messages: Sequence[BuyerMessage], covers: Sequence[datetime]
) -> BuyerMessage | None:
    """The first message after the last cover (answer or mark) at or after it, if any."""
    last_cover = covers[-1] if covers else None
    for message in messages:
        if last_cover is None or message.at > last_cover:
            return message
    return None


def is_buyer_message(thread: ThreadFacts) -> bool:
    """A published customer thread with a time."""
    return (
        thread.type == CUSTOMER_THREAD_TYPE
        and thread.state in (None, PUBLISHED)
        and thread.created_at is not None
    )


def message_time(thread: ThreadFacts) -> datetime:
    """When a buyer message's clock starts: Help Scout's receipt, or Amazon's notification of
    it when that is earlier (`Thread.buyer_sent_at`). Only for threads with a `created_at`."""
    assert thread.created_at is not None
    if thread.buyer_sent_at is not None and thread.buyer_sent_at < thread.created_at:
        return thread.buyer_sent_at
    return thread.created_at


def is_answer(thread: ThreadFacts) -> bool:
    """A sent agent reply to the customer that is not an auto-reply.

    A thread stored without a state (an older webhook) counts unless it was scheduled.
    """
    if thread.type not in AGENT_REPLY_TYPES or thread.created_at is None:
        return False
    if thread.created_by_kind not in (None, "user") or thread.is_auto_reply:
        return False
    if thread.state is None:
        return thread.scheduled_for is None
    return thread.state == PUBLISHED


def clock_of(
    conversation: Conversation, threads: Iterable[ThreadFacts], *, now: datetime
) -> ResponseClock:
    """The clock of a stored conversation from its threads (see `clock_from_threads`)."""
    return clock_from_threads(
        threads,
        last_customer_message_at=conversation.last_customer_message_at,
        last_agent_reply_at=conversation.last_agent_reply_at,
        nrn_marked_at=conversation.nrn_marked_at,
        now=now,
    )


def clock_from_threads(
    threads: Iterable[ThreadFacts],
    *,
    last_customer_message_at: datetime | None,
    last_agent_reply_at: datetime | None,
    nrn_marked_at: datetime | None,
    now: datetime,
) -> ResponseClock:
    """The clock from a conversation's threads.

    A buyer message or reply a webhook recorded only as the conversation's
    `last_customer_message_at` / `last_agent_reply_at` (its payload embedded no thread) counts
    too, when no thread is as recent.
    """
    messages: list[BuyerMessage] = []
    received: list[datetime] = []  # Help Scout's receipt of each, at or after its message time
    answers: list[datetime] = []
    for thread in threads:
        if thread.created_at is None:
            continue
        if is_buyer_message(thread):
            messages.append(BuyerMessage(message_time(thread), thread.id))
            received.append(thread.created_at)
        elif is_answer(thread):
            answers.append(thread.created_at)
    if last_customer_message_at is not None and _later_than_all(last_customer_message_at, received):
        messages.append(BuyerMessage(last_customer_message_at))
    if last_agent_reply_at is not None and _later_than_all(last_agent_reply_at, answers):
        answers.append(last_agent_reply_at)
    return compute_clock(messages, answers, nrn_marked_at=nrn_marked_at, now=now)


def _later_than_all(moment: datetime, moments: Sequence[datetime]) -> bool:
    return all(moment > other for other in moments)


def clock_columns(clock: ResponseClock) -> dict[str, Any]:
    """The conversation columns that hold `clock` between refreshes."""
    return {
        "waiting_since": clock.waiting_since,
        "waiting_thread_id": clock.waiting_thread_id,
        "due_at": clock.due_at,
        "last_customer_message_at": clock.last_customer_message_at,
        "last_agent_reply_at": clock.last_agent_reply_at,
    }


def refresh_clock(session: Session, conversation_id: int, *, now: datetime) -> ResponseClock | None:
    """Recompute a stored conversation's clock from its threads and store it; None if unknown.

    Call after storing any thread of the conversation. The caller commits.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    if conversation.status in GONE_STATUSES:
        stop_clock(conversation, conversation.status)
        return stored_clock(conversation, now=now)
    clock = clock_of(conversation, _threads(session, conversation_id), now=now)
    for name, value in clock_columns(clock).items():
        if name in ("last_customer_message_at", "last_agent_reply_at") and value is None:
            continue  # never forget a time a webhook recorded
        setattr(conversation, name, value)
    return clock


def stop_clock(conversation: Conversation, status: str) -> None:
    """Mark a conversation gone from Help Scout (`MERGED_STATUS`, `DELETED_STATUS`): its clock
    stops for good, and no warning, breach or "No response needed" is raised for it. The row
    stays, so its alerts and incidents still read. The caller commits."""
    conversation.status = status
    for name in ("waiting_since", "waiting_thread_id", "due_at"):
        setattr(conversation, name, None)


def record_deleted(session: Session, conversation_id: int) -> bool:
    """`convo.deleted`: a stored conversation's clock stops for good (a deleted duplicate must
    not keep warning); False when amz-guard never stored it. The caller commits."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    stop_clock(conversation, DELETED_STATUS)
    return True


def conversation_clock(
    session: Session, conversation_id: int, *, now: datetime
) -> ResponseClock | None:
    """The conversation's clock as of `now`, from its stored threads; None if not stored."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    return clock_of(conversation, _threads(session, conversation_id), now=now)


def stored_clock(conversation: Conversation, *, now: datetime) -> ResponseClock:
    """The clock as the conversation's columns hold it (as of the last refresh), judged at `now`."""
    due_at = conversation.due_at
    if conversation.waiting_since is None or due_at is None:
        has_message = conversation.last_customer_message_at is not None
        state = ClockState.ANSWERED if has_message else ClockState.NO_MESSAGE
    else:
        state = ClockState.BREACHED if now >= due_at else ClockState.WAITING
    waiting = state in (ClockState.WAITING, ClockState.BREACHED)
    return ResponseClock(
        state=state,
        waiting_since=conversation.waiting_since if waiting else None,
        due_at=due_at if waiting else None,
        last_customer_message_at=conversation.last_customer_message_at,
        last_agent_reply_at=conversation.last_agent_reply_at,
        waiting_thread_id=conversation.waiting_thread_id if waiting else None,
    )


def open_clocks(session: Session, *, now: datetime) -> list[tuple[Conversation, ResponseClock]]:
    """Amazon buyers' conversations with a message waiting for an answer, soonest deadline first.

    Only conversations with a buyer's relay address: Amazon's metric counts buyer messages, not
    the system notices (refunds, claims) a seller may also route into the Amazon mailbox.
    """
    conversations = session.scalars(
        select(Conversation)
        .where(
            Conversation.is_amazon.is_(True),
            Conversation.relay_base_address.is_not(None),
            Conversation.waiting_since.is_not(None),
        )
        .order_by(Conversation.due_at, Conversation.id)
    ).all()
    return [(conversation, stored_clock(conversation, now=now)) for conversation in conversations]


def _threads(session: Session, conversation_id: int) -> list[Thread]:
    return list(session.scalars(select(Thread).where(Thread.conversation_id == conversation_id)))
