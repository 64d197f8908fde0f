"""How long each buyer message waited for its answer: the digest's and the dashboard's figures.

Each buyer message is answered by the first agent reply after it (one reply answers every
message before it, as Amazon counts). A message that "No response needed" covered before any
reply is left out, as Amazon leaves it out of its metric; so are conversations without a
buyer's relay address (Amazon's system notices a seller may route into the Amazon mailbox).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import (
    AMAZON_RESPONSE_TIME,
    CUSTOMER_THREAD_TYPE,
    ThreadFacts,
    is_answer,
    is_buyer_message,
    message_time,
)
from helpscout_app.store.models import Conversation, Thread

_ID_CHUNK = 500
"""Conversation ids per IN (…) query: well under every backend's parameter limit."""

_FACT_COLUMNS = (
    Thread.id,
    Thread.conversation_id,
    Thread.type,
    Thread.state,
    Thread.created_by_kind,
    Thread.created_at,
    Thread.buyer_sent_at,
    Thread.scheduled_for,
    Thread.is_auto_reply,
)


@dataclass(frozen=True)
class ResponseTime:
    """One buyer message and when it was answered (None: not answered yet, or never)."""

    conversation_id: int
    message_at: datetime
    answered_at: datetime | None

    @property
    def duration(self) -> timedelta | None:
        """Time from the message to its answer; None while unanswered."""
        return None if self.answered_at is None else self.answered_at - self.message_at

    def in_time(self) -> bool:
        """Answered within Amazon's 24 hours."""
        return self.duration is not None and self.duration <= AMAZON_RESPONSE_TIME


def response_times(session: Session, *, since: datetime, until: datetime) -> list[ResponseTime]:
    """Every buyer message on an Amazon buyer's conversation received in [since, until) and
    counted by Amazon, in time order."""
    nrn_marked_at: dict[int, datetime | None] = {
        conversation_id: marked_at
        for conversation_id, marked_at in session.execute(
            select(Thread.conversation_id, Conversation.nrn_marked_at)
            .join(Conversation, Conversation.id == Thread.conversation_id)
            .where(
                Conversation.is_amazon.is_(True),
                Conversation.relay_base_address.is_not(None),
                Thread.type == CUSTOMER_THREAD_TYPE,
                Thread.created_at >= since,
                Thread.created_at < until,
            )
            .distinct()
        )
    }
    conversation_ids = list(nrn_marked_at)
    threads_by_conversation: dict[int, list[ThreadFacts]] = defaultdict(list)
    for start in range(0, len(conversation_ids), _ID_CHUNK):
        chunk = conversation_ids[start : start + _ID_CHUNK]
        # Plain rows of the columns the clock reads, not ORM objects: a tenth of the cost.
        for thread in session.execute(
            select(*_FACT_COLUMNS).where(Thread.conversation_id.in_(chunk))
        ):
            threads_by_conversation[thread.conversation_id].append(thread)
    times = [
        time
        for conversation_id, threads in threads_by_conversation.items()
        for time in _conversation_times(conversation_id, threads, nrn_marked_at[conversation_id])
        if since <= time.message_at < until
    ]
    return sorted(times, key=lambda time: (time.message_at, time.conversation_id))


def _conversation_times(
    conversation_id: int, threads: Iterable[ThreadFacts], nrn_marked_at: datetime | None
) -> list[ResponseTime]:
    """Each counted buyer message with its answer: not those the "No response needed" mark
    covered first (it came after them, and before any reply to them)."""
    messages: list[datetime] = []
    answers: list[datetime] = []
    for thread in threads:
        if thread.created_at is None:
            continue
        if is_buyer_message(thread):
            messages.append(message_time(thread))
        elif is_answer(thread):
            answers.append(thread.created_at)
    answers.sort()
    times = []
    for message_at in sorted(messages):
        answered_at = _first_after(answers, message_at)
        marked_first = (
            nrn_marked_at is not None
            and nrn_marked_at >= message_at
            and (answered_at is None or nrn_marked_at < answered_at)
        )
        if not marked_first:
            times.append(ResponseTime(conversation_id, message_at, answered_at))
    return times


def _first_after(moments: Sequence[datetime], moment: datetime) -> datetime | None:
    index = bisect.bisect_right(moments, moment)
    return moments[index] if index < len(moments) else None


def percentile(durations: Sequence[timedelta], fraction: float) -> timedelta | None:
    """The `fraction` percentile (nearest rank) of `durations`; None for none."""
    if not durations:
        return None
    ordered = sorted(durations)
    # The fraction as written (0.9 is 9/10, not the float just above it), times n, rounded up.
    rank = max(1, math.ceil(Fraction(str(fraction)) * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
