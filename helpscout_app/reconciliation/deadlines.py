"""Alerts on the 24-hour clock: `[sla-warning]`, `[sla-breached]` and `[nrn-needed]`.

Every Amazon conversation with a buyer message waiting (`clock.open_clocks`) is judged at `now`:

- **open** (active or pending): `[sla-warning]` once per configured level (`SLA_WARNING_HOURS`,
  default 8 h and 2 h) when less than that is left. A conversation first seen with less time
  than several levels gets only the most urgent one; the others are recorded as passed, so they
  are not sent later either.
- **closed** (or spam) without a reply: `[nrn-needed]` once, with the message's own "No
  response needed" link when Amazon's email had one; no warnings, the alert says what to do
  and by when. It is resolved (quietly) once the conversation is answered or marked.
- past the deadline, open or closed: `[sla-breached]` once.

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
from helpscout_app.alerts.dispatch import send_alert_once
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.alerts.tags import AlertTag
from helpscout_app.enforcement.conversation_ref import stored_conversation_ref
from helpscout_app.reconciliation.clock import ClockState, ResponseClock, open_clocks
from helpscout_app.reconciliation.no_response_needed import (
    CLOSED_STATUSES,
    no_response_needed_link,
)
from helpscout_app.store.alerts import claim_alert, resolve_alert
from helpscout_app.store.models import AlertSent, Conversation

SUPERSEDED = "not sent: a more urgent level was reached first"

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
    for conversation, clock in clocks:
        assert clock.waiting_since is not None and clock.due_at is not None
        closed = conversation.status in CLOSED_STATUSES
        if closed:
            result.nrn_needed += 1
            result.alerts_sent += _nrn_needed(session, notifier, conversation, clock, now, sent)
        if clock.state is ClockState.BREACHED:
            result.breaches += 1
            alert = sla_breached_alert(
                stored_conversation_ref(conversation),
                waiting=waiting_key(conversation),
                waiting_since=clock.waiting_since,
                due_at=clock.due_at,
                closed=closed,
                now=now,
            )
            if alert.dedupe_key not in sent:
                result.alerts_sent += send_alert_once(session, notifier, alert, now=now)
        elif not closed:
            warned = _warning(session, notifier, conversation, clock, warning_hours, now, sent)
            if warned is not None:
                result.warnings += 1
                result.alerts_sent += warned
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


def _nrn_needed(
    session: Session,
    notifier: SlackNotifier | None,
    conversation: Conversation,
    clock: ResponseClock,
    now: datetime,
    sent: set[str],
) -> bool:
    assert clock.waiting_since is not None and clock.due_at is not None
    key = nrn_needed_key(conversation.id, waiting_key(conversation))
    if key in sent:
        return False
    alert = nrn_needed_alert(
        stored_conversation_ref(conversation),
        waiting=waiting_key(conversation),
        waiting_since=clock.waiting_since,
        due_at=clock.due_at,
        link=no_response_needed_link(session, conversation),
        now=now,
    )
    return send_alert_once(session, notifier, alert, now=now)


def _warning(
    session: Session,
    notifier: SlackNotifier | None,
    conversation: Conversation,
    clock: ResponseClock,
    warning_hours: tuple[float, ...],
    now: datetime,
    sent: set[str],
) -> bool | None:
    """Send the most urgent warning level reached, once; None when no level is reached."""
    remaining = clock.remaining(now)
    assert remaining is not None and clock.waiting_since is not None and clock.due_at is not None
    reached = sorted(hours for hours in warning_hours if remaining <= timedelta(hours=hours))
    if not reached:
        return None
    ref = stored_conversation_ref(conversation)
    alerts = [
        sla_warning_alert(
            ref,
            waiting=waiting_key(conversation),
            level_hours=hours,
            waiting_since=clock.waiting_since,
            due_at=clock.due_at,
            now=now,
        )
        for hours in reached
    ]
    for passed in alerts[1:]:
        if passed.dedupe_key in sent:
            continue
        claim_alert(
            session,
            passed.dedupe_key,
            passed.tag,
            conversation_id=conversation.id,
            summary=SUPERSEDED,
            now=now,
        )
    if alerts[0].dedupe_key in sent:
        return False
    return send_alert_once(session, notifier, alerts[0], now=now)


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
