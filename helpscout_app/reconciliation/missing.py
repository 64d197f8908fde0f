"""Buyer messages Amazon notified that never reached Help Scout.

A buyer-message notification is missing once it has stayed unmatched to any Help Scout
customer thread (`matching`) for longer than the grace period: the copy sent to Help Scout may
simply be a little slower than the independent one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.amazon.notification_email import NotificationKind
from helpscout_app.store.models import AmazonNotification

DEFAULT_GRACE = timedelta(minutes=30)
"""MISSING_GRACE_MINUTES' default."""


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
