"""Pairing each buyer-message notification with the Help Scout customer thread it became.

Amazon sends the same buyer message to Help Scout and to the independent copy at the same time,
from the same relay address. A notification and a customer thread are candidates for each other
when the conversation's buyer is the notification's (the relay address without its `+case`
suffix) and the thread arrived within `EARLIEST` before to `LATEST` after the notification.
Among candidates, the pairs are taken best first:

1. the same case (the relay address's `+suffix`) over another case of the same buyer;
2. an order ID in common, or no order ID on one side, over two different orders;
3. the closest in time.

Each thread answers for one notification, and each notification for one thread, so a buyer who
writes twice within minutes has both messages paired, in order.

A thread Help Scout received more than `LATE_RECEIPT` after a notification is the notification's
only when nothing says otherwise: never when the two name different orders, and not before the
thread is `SETTLE` old, so that the thread's own notification (which Amazon sent with it, and
which the mailbox may give a pass later) is read first and claims it. Otherwise a buyer's next
message would "resolve" an earlier one that never reached Help Scout. A notification without a relay
address (a broken email) is paired by its order ID instead, against the conversations naming
that order.

A thread Help Scout received more than `LATE_RECEIPT` after its notification keeps the
notification's time (`Thread.buyer_sent_at`), and its conversation's clock is redone from it:
Amazon's 24 hours started when the buyer wrote, not when Help Scout caught up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from helpscout_app.amazon.notification_email import NotificationKind
from helpscout_app.amazon.relay_address import parse_relay_address
from helpscout_app.reconciliation.clock import CUSTOMER_THREAD_TYPE, refresh_clock
from helpscout_app.store.models import AmazonNotification, Conversation, Thread

EARLIEST = timedelta(hours=2)
"""How long before the notification's time its thread may have arrived: the two copies' clocks
(the email's Date against Help Scout's receipt) can disagree."""

LATEST = timedelta(hours=48)
"""How long after the notification its thread may still arrive and be matched: Help Scout has
had inbound delays of hours (reference/helpscout.md §5)."""

LATE_RECEIPT = timedelta(minutes=5)
"""How much later than its notification Help Scout may receive a buyer message before the
clock counts from the notification instead: less is ordinary mail delivery, not worth a write."""

SETTLE = timedelta(minutes=10)
"""How old a thread received late must be before an older notification may claim it: two
passes for its own notification to be read."""

_ID_CHUNK = 500


@dataclass(frozen=True)
class _Candidate:
    thread_id: int
    conversation_id: int
    created_at: datetime
    case: str | None  # the relay address's +suffix, lower-cased; None without one
    order_ids: tuple[str, ...]


def match_notifications(
    session: Session, *, since: datetime, now: datetime
) -> list[AmazonNotification]:
    """Match the unmatched buyer-message notifications received since `since`; returns those
    matched by this call. The caller commits."""
    unmatched = list(
        session.scalars(
            select(AmazonNotification)
            .where(
                AmazonNotification.kind == NotificationKind.BUYER_MESSAGE.value,
                AmazonNotification.matched_thread_id.is_(None),
                AmazonNotification.received_at.is_not(None),
                AmazonNotification.received_at >= since,
            )
            .order_by(AmazonNotification.received_at, AmazonNotification.id)
        )
    )
    if not unmatched:
        return []
    received = [n.received_at for n in unmatched if n.received_at is not None]
    window = (min(received) - EARLIEST, max(received) + LATEST)
    candidates = _candidates(session, unmatched, window)
    taken = _threads_taken(session, [c.thread_id for group in candidates.values() for c in group])
    pairs = sorted(
        (
            (_score(notification, case, candidate), notification.id, candidate.thread_id)
            for notification in unmatched
            for case in (_case(notification.relay_address),)
            for candidate in _candidates_for(notification, candidates)
            if candidate.thread_id not in taken
            and _in_window(notification, candidate)
            and _may_claim_late(notification, candidate, now)
        ),
    )
    by_id = {n.id: n for n in unmatched}
    candidate_of = {c.thread_id: c for group in candidates.values() for c in group}
    matched: list[AmazonNotification] = []
    for _, notification_id, thread_id in pairs:
        notification = by_id[notification_id]
        if notification.matched_thread_id is not None or thread_id in taken:
            continue
        notification.matched_thread_id = thread_id
        notification.matched_conversation_id = candidate_of[thread_id].conversation_id
        notification.matched_at = now
        taken.add(thread_id)
        matched.append(notification)
    _start_late_clocks(session, matched, candidate_of, now)
    return matched


def _start_late_clocks(
    session: Session,
    matched: Sequence[AmazonNotification],
    candidate_of: dict[int, _Candidate],
    now: datetime,
) -> None:
    """Give each thread Help Scout received late its notification's time, and redo the clocks
    of their conversations."""
    late = [
        (notification.matched_thread_id, notification.received_at)
        for notification in matched
        if notification.matched_thread_id is not None
        and notification.received_at is not None
        and candidate_of[notification.matched_thread_id].created_at - notification.received_at
        > LATE_RECEIPT
    ]
    for thread_id, sent_at in late:
        session.execute(update(Thread).where(Thread.id == thread_id).values(buyer_sent_at=sent_at))
    conversation_ids = {candidate_of[thread_id].conversation_id for thread_id, _ in late}
    for conversation_id in sorted(conversation_ids):
        refresh_clock(session, conversation_id, now=now)


def _candidates(
    session: Session,
    notifications: Sequence[AmazonNotification],
    window: tuple[datetime, datetime],
) -> dict[str, list[_Candidate]]:
    """Customer threads in the window, keyed by the buyer's relay base address, and by
    `order:<id>` for conversations naming an order a relay-less notification names."""
    relays = sorted({n.relay_base_address for n in notifications if n.relay_base_address})
    orders = sorted(
        {order for n in notifications if not n.relay_base_address for order in n.order_ids or ()}
    )
    base = (
        select(
            Thread.id,
            Thread.conversation_id,
            Thread.created_at,
            Conversation.relay_base_address,
            Conversation.customer_email,
            Conversation.order_ids,
        )
        .join(Conversation, Conversation.id == Thread.conversation_id)
        .where(
            Conversation.is_amazon.is_(True),
            Thread.type == CUSTOMER_THREAD_TYPE,
            Thread.created_at >= window[0],
            Thread.created_at <= window[1],
        )
    )
    found: dict[str, list[_Candidate]] = defaultdict(list)
    for start in range(0, len(relays), _ID_CHUNK):
        chunk = relays[start : start + _ID_CHUNK]
        for row in session.execute(base.where(Conversation.relay_base_address.in_(chunk))):
            found[row.relay_base_address].append(_candidate(row))
    if orders:
        wanted = set(orders)
        for row in session.execute(base):  # orders live in a JSON list: filter here
            for order in wanted.intersection(row.order_ids or ()):
                found[f"order:{order}"].append(_candidate(row))
    return found


def _candidate(row: Row[Any]) -> _Candidate:
    return _Candidate(
        thread_id=row.id,
        conversation_id=row.conversation_id,
        created_at=row.created_at,
        case=_case(row.customer_email),
        order_ids=tuple(row.order_ids or ()),
    )


def _candidates_for(
    notification: AmazonNotification, candidates: dict[str, list[_Candidate]]
) -> Iterable[_Candidate]:
    if notification.relay_base_address:
        return candidates.get(notification.relay_base_address, ())
    orders = notification.order_ids or ()
    return [c for order in orders for c in candidates.get(f"order:{order}", ())]


def _threads_taken(session: Session, thread_ids: Sequence[int]) -> set[int]:
    """The threads among `thread_ids` already paired with a notification."""
    taken: set[int] = set()
    unique = sorted(set(thread_ids))
    for start in range(0, len(unique), _ID_CHUNK):
        chunk = unique[start : start + _ID_CHUNK]
        taken.update(
            session.scalars(
                select(AmazonNotification.matched_thread_id).where(
                    AmazonNotification.matched_thread_id.in_(chunk)
                )
            )
        )
    return taken


def _in_window(notification: AmazonNotification, candidate: _Candidate) -> bool:
    assert notification.received_at is not None
    delta = candidate.created_at - notification.received_at
    return -EARLIEST <= delta <= LATEST


def _may_claim_late(notification: AmazonNotification, candidate: _Candidate, now: datetime) -> bool:
    """A thread received within `LATE_RECEIPT` of the notification, or else one about no other
    order and at least `SETTLE` old."""
    assert notification.received_at is not None
    if candidate.created_at - notification.received_at <= LATE_RECEIPT:
        return True
    return not _conflicting_orders(notification, candidate) and (
        now - candidate.created_at >= SETTLE
    )


def _conflicting_orders(notification: AmazonNotification, candidate: _Candidate) -> bool:
    """Both name orders, and none in common."""
    notified_orders = set(notification.order_ids or ())
    return bool(notified_orders and candidate.order_ids) and notified_orders.isdisjoint(
        candidate.order_ids
    )


def _score(
    notification: AmazonNotification, case: str | None, candidate: _Candidate
) -> tuple[int, int, float]:
    """Lower is better: other case, conflicting orders, then distance in seconds."""
    other_case = int(case is None or case != candidate.case)
    conflicting = int(_conflicting_orders(notification, candidate))
    assert notification.received_at is not None
    distance = abs((candidate.created_at - notification.received_at).total_seconds())
    return other_case, conflicting, distance


def _case(address: str | None) -> str | None:
    """The case a relay address names (its `+suffix`, lower-cased; "" for none), None when it
    is no relay address: two addresses are the same case when their `_case` is equal."""
    relay = parse_relay_address(address)
    return None if relay is None else (relay.suffix or "").lower()
