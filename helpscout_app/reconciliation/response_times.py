"""How long each buyer message waited for its answer: the digest's and the dashboard's figures.

Each buyer message is answered by the first agent reply after it (one reply answers every
message before it, as Amazon counts); a message marked "No response needed" has no answer.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import (
    AMAZON_RESPONSE_TIME,
    CUSTOMER_THREAD_TYPE,
    ThreadFacts,
    is_answer,
    is_buyer_message,
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
    """Every buyer message on an Amazon conversation received in [since, until), in time order."""
    conversation_ids = session.scalars(
        select(Thread.conversation_id)
        .join(Conversation, Conversation.id == Thread.conversation_id)
        .where(
            Conversation.is_amazon.is_(True),
            Thread.type == CUSTOMER_THREAD_TYPE,
            Thread.created_at >= since,
            Thread.created_at < until,
        )
        .distinct()
    ).all()
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
        for time in _conversation_times(conversation_id, threads)
        if since <= time.message_at < until
    ]
    return sorted(times, key=lambda time: (time.message_at, time.conversation_id))


def _conversation_times(conversation_id: int, threads: Iterable[ThreadFacts]) -> list[ResponseTime]:
    messages: list[datetime] = []
    answers: list[datetime] = []
    for thread in threads:
        if thread.created_at is None:
            continue
        if is_buyer_message(thread):
            messages.append(thread.created_at)
        elif is_answer(thread):
            answers.append(thread.created_at)
    answers.sort()
    return [
        ResponseTime(conversation_id, message_at, _first_after(answers, message_at))
        for message_at in sorted(messages)
    ]


def _first_after(moments: Sequence[datetime], moment: datetime) -> datetime | None:
    index = bisect.bisect_right(moments, moment)
    return moments[index] if index < len(moments) else None


def percentile(durations: Sequence[timedelta], fraction: float) -> timedelta | None:
    """The `fraction` percentile (nearest rank) of `durations`; None for none."""
    if not durations:
        return None
    ordered = sorted(durations)
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))  # ceil without float error
    return ordered[min(rank, len(ordered)) - 1]
