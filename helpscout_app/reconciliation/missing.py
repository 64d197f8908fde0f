"""Buyer messages Amazon notified that never reached Help Scout.

A buyer-message notification is missing once it has stayed unmatched to any Help Scout
customer thread (`matching`) for longer than the grace period: the copy sent to Help Scout may
simply be a little slower than the independent one. Each missing message gets one `[missing]`
alert; when its thread turns up later, the alert is resolved with a follow-up (in the alert's
Slack thread when a bot posted it), not a new alarm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.alerts.deadline_messages import (
    MissingMessage,
    missing_alert,
    missing_key,
    missing_resolved,
    seller_central_inbox_url,
)
from helpscout_app.alerts.dispatch import announce_resolution, send_alert_once
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.amazon.marketplaces import marketplace_by_id
from helpscout_app.amazon.notification_email import NotificationKind
from helpscout_app.enforcement.conversation_ref import stored_conversation_ref
from helpscout_app.store.models import AlertSent, AmazonNotification, Conversation

DEFAULT_GRACE = timedelta(minutes=30)
"""MISSING_GRACE_MINUTES' default."""

_KEY_CHUNK = 500


def missing_notifications(
    session: Session,
    *,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    since: datetime | None = None,
) -> list[AmazonNotification]:
    """Unmatched buyer-message notifications received more than `grace` before `now` (and not
    before `since`, when given), oldest first."""
    statement = select(AmazonNotification).where(
        AmazonNotification.kind == NotificationKind.BUYER_MESSAGE.value,
        AmazonNotification.matched_thread_id.is_(None),
        AmazonNotification.received_at <= now - grace,
    )
    if since is not None:
        statement = statement.where(AmazonNotification.received_at >= since)
    return list(
        session.scalars(statement.order_by(AmazonNotification.received_at, AmazonNotification.id))
    )


@dataclass
class MissingResult:
    """What the missing-message check did: messages missing, alerts sent, resolved."""

    missing: int = 0
    alerts_sent: int = 0
    resolved: int = 0


def alert_missing(
    session: Session,
    notifier: SlackNotifier | None,
    *,
    now: datetime,
    grace: timedelta,
    since: datetime,
    result: MissingResult,
) -> None:
    """A `[missing]` alert, once, for each message missing now (received since `since`)."""
    for notification in missing_notifications(session, now=now, grace=grace, since=since):
        result.missing += 1
        if send_alert_once(
            session, notifier, missing_alert(_missing(notification), now=now), now=now
        ):
            result.alerts_sent += 1


def announce_found(
    session: Session,
    notifier: SlackNotifier | None,
    notifications: Iterable[AmazonNotification],
    *,
    now: datetime,
    result: MissingResult,
) -> None:
    """Resolve the `[missing]` alert of each notification just matched, saying where it is."""
    by_key = {missing_key(n.id): n for n in notifications}
    alerted = _unresolved_alerts(session, list(by_key))
    for key in sorted(alerted):
        notification = by_key[key]
        conversation = (
            session.get(Conversation, notification.matched_conversation_id)
            if notification.matched_conversation_id is not None
            else None
        )
        if conversation is None or notification.received_at is None:
            continue
        resolution = missing_resolved(
            _missing(notification), stored_conversation_ref(conversation), matched_at=now
        )
        if announce_resolution(
            session, notifier, missing_key(notification.id), resolution, now=now
        ):
            result.resolved += 1


def _unresolved_alerts(session: Session, dedupe_keys: list[str]) -> set[str]:
    """Those of `dedupe_keys` whose alert was sent and is not resolved yet."""
    found: set[str] = set()
    for start in range(0, len(dedupe_keys), _KEY_CHUNK):
        chunk = dedupe_keys[start : start + _KEY_CHUNK]
        found.update(
            session.scalars(
                select(AlertSent.dedupe_key).where(
                    AlertSent.dedupe_key.in_(chunk), AlertSent.resolved_at.is_(None)
                )
            )
        )
    return found


def _missing(notification: AmazonNotification) -> MissingMessage:
    assert notification.received_at is not None
    marketplace = marketplace_by_id(notification.marketplace) if notification.marketplace else None
    return MissingMessage(
        notification_id=notification.id,
        order_ids=tuple(notification.order_ids or ()),
        buyer_name=notification.buyer_name,
        subject=notification.subject,
        received_at=notification.received_at,
        no_response_needed_url=notification.no_response_needed_url,
        seller_central_url=seller_central_inbox_url(
            marketplace.domain if marketplace else None, notification.case_id
        ),
    )
