"""Alerts on the 24-hour clock: `[sla-warning]`, `[sla-breached]` and `[nrn-needed]`.

Every Amazon conversation with a buyer message waiting (`clock.open_clocks`) is judged at `now`:

- **open** (active or pending): `[sla-warning]` once per configured level (`SLA_WARNING_HOURS`,
  default 8 h and 2 h) when less than that is left. A conversation first seen with less time
  than several levels gets only the most urgent one; the others are recorded as passed, so they
  are not sent later either.
- **closed** (or spam) without a reply: `[nrn-needed]` once, with the message's own "No
  response needed" link when Amazon's email had one; no warnings, the alert says what to do
  and by when. It is resolved (quietly) once the conversation is answered or marked.
- past the deadline, open or closed: `[sla-breached]` once, within a day of the deadline
  (`BREACH_ALERT_WINDOW`).

The alerts due in a pass are claimed together and then sent in order (`send_alerts_once`).

Each alert is once per conversation, waiting message and level: a new buyer message after a
reply starts a new clock, and so new alerts. Messages older than the lookback are left alone,
so a first install does not alert on months of history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.alerts.deadline_messages import (
    nrn_needed_alert,
    nrn_needed_key,
    sla_breached_alert,
    sla_warning_alert,
)
from helpscout_app.alerts.dispatch import send_alerts_once
from helpscout_app.alerts.messages import Alert
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.alerts.tags import AlertTag
from helpscout_app.enforcement.conversation_ref import ConversationRef, stored_conversation_ref
from helpscout_app.reconciliation.clock import ClockState, ResponseClock, open_clocks
from helpscout_app.reconciliation.no_response_needed import (
    CLOSED_STATUSES,
    no_response_needed_link,
)
from helpscout_app.store.alerts import resolve_alert
from helpscout_app.store.models import AlertSent, Conversation

BREACH_ALERT_WINDOW = timedelta(hours=24)
"""How long after its deadline a breach is still alerted: older ones (a first install, a long
outage) are no news to act on in time; they are counted, and the digest reports them."""

_ID_CHUNK = 500


@dataclass
class DeadlineResult:
    """What one look at the clocks found and sent."""

    warnings: int = 0  # conversations within a warning level
    breaches: int = 0  # conversations past the deadline
    nrn_needed: int = 0  # closed conversations waiting for "No response needed"
    alerts_sent: int = 0


def waiting_key(conversation: Conversation) -> str:
    """Names the buyer message a conversation's clock waits on: its thread, else its time."""
    if conversation.waiting_thread_id is not None:
        return f"thread-{conversation.waiting_thread_id}"
    assert conversation.waiting_since is not None
    return f"at-{int(conversation.waiting_since.timestamp())}"


def alert_deadlines(
    session: Session,
    notifier: SlackNotifier | None,
    *,
    warning_hours: tuple[float, ...],
    now: datetime,
    since: datetime,
) -> DeadlineResult:
    """Judge every running clock at `now` and send what is due, once each. Commits."""
    result = DeadlineResult()
    clocks = [
        (conversation, clock)
        for conversation, clock in open_clocks(session, now=now)
        if clock.waiting_since is not None and clock.waiting_since >= since
    ]
    sent = _keys_sent(session, [conversation.id for conversation, _ in clocks])
    due: list[Alert] = []
    passed: list[Alert] = []
    for conversation, clock in clocks:
        assert clock.waiting_since is not None and clock.due_at is not None
        ref = stored_conversation_ref(conversation)
        waiting = waiting_key(conversation)
        closed = conversation.status in CLOSED_STATUSES
        if closed:
            result.nrn_needed += 1
            if nrn_needed_key(conversation.id, waiting) not in sent:
                link = no_response_needed_link(session, conversation)
                due.append(
                    nrn_needed_alert(
                        ref,
                        waiting=waiting,
                        waiting_since=clock.waiting_since,
                        due_at=clock.due_at,
                        link=link,
                        now=now,
                    )
                )
        if clock.state is ClockState.BREACHED:
            result.breaches += 1
            if now - clock.due_at <= BREACH_ALERT_WINDOW:
                due.append(
                    sla_breached_alert(
                        ref,
                        waiting=waiting,
                        waiting_since=clock.waiting_since,
                        due_at=clock.due_at,
                        closed=closed,
                        now=now,
                    )
                )
        elif not closed:
            warnings = _warnings(ref, waiting, clock, warning_hours, now)
            if warnings:
                result.warnings += 1
                due.append(warnings[0])
                passed += warnings[1:]
    new = send_alerts_once(
        session,
        notifier,
        [alert for alert in due if alert.dedupe_key not in sent],
        quiet=[alert for alert in passed if alert.dedupe_key not in sent],
        now=now,
    )
    result.alerts_sent = len(new)
    _resolve_settled_nrn_alerts(session, now)
    session.commit()
    return result


def _keys_sent(session: Session, conversation_ids: list[int]) -> set[str]:
    """The dedupe keys of every alert already sent about these conversations: one query per
    500, so a pass over many clocks claims only what is new."""
    keys: set[str] = set()
    for start in range(0, len(conversation_ids), _ID_CHUNK):
        chunk = conversation_ids[start : start + _ID_CHUNK]
        keys.update(
            session.scalars(
                select(AlertSent.dedupe_key).where(AlertSent.conversation_id.in_(chunk))
            )
        )
    return keys


def _warnings(
    ref: ConversationRef,
    waiting: str,
    clock: ResponseClock,
    warning_hours: tuple[float, ...],
    now: datetime,
) -> list[Alert]:
    """The warning levels reached, most urgent first (the one to send; the others passed)."""
    remaining = clock.remaining(now)
    assert remaining is not None and clock.waiting_since is not None and clock.due_at is not None
    reached = sorted(hours for hours in warning_hours if remaining <= timedelta(hours=hours))
    return [
        sla_warning_alert(
            ref,
            waiting=waiting,
            level_hours=hours,
            waiting_since=clock.waiting_since,
            due_at=clock.due_at,
            now=now,
        )
        for hours in reached
    ]


def _resolve_settled_nrn_alerts(session: Session, now: datetime) -> None:
    """Mark `[nrn-needed]` alerts resolved once their message is answered or marked."""
    open_alerts = session.execute(
        select(AlertSent.dedupe_key, AlertSent.conversation_id).where(
            AlertSent.tag == str(AlertTag.NRN_NEEDED), AlertSent.resolved_at.is_(None)
        )
    ).all()
    for dedupe_key, conversation_id in open_alerts:
        conversation = session.get(Conversation, conversation_id) if conversation_id else None
        still_waiting = (
            conversation is not None
            and conversation.waiting_since is not None
            and conversation.status in CLOSED_STATUSES
            and dedupe_key.endswith(f":waiting:{waiting_key(conversation)}")
        )
        if not still_waiting:
            resolve_alert(session, dedupe_key, now=now)
