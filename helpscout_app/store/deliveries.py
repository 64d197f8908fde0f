"""Webhook deliveries: record each one once, then record how processing it went.

Help Scout delivers at least once. The webhook view calls `record_delivery` before enqueueing:
False means this delivery was seen before, and the view acknowledges it without queueing again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpscout_app.store.errors import UnknownDelivery
from helpscout_app.store.models import DeliveryStatus, WebhookDelivery
from helpscout_app.store.statements import insert_unless_present
from helpscout_app.store.timestamps import utc_now

DONE_STATUSES = frozenset({DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED})
"""Statuses after which processing is over, and which stamp `processed_at`."""


def record_delivery(
    session: Session,
    delivery_key: str,
    event_name: str,
    *,
    conversation_id: int | None = None,
    received_at: datetime | None = None,
) -> bool:
    """Record a delivery as pending; True if it is new, False if this key was recorded before.

    Safe against a concurrent redelivery in another process: the unique key decides. The caller
    commits.
    """
    return insert_unless_present(
        session,
        WebhookDelivery,
        {
            "delivery_key": delivery_key,
            "event_name": event_name,
            "conversation_id": conversation_id,
            "received_at": received_at or utc_now(),
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
        },
        unique_columns=("delivery_key",),
    )


def mark_delivery(
    session: Session,
    delivery_key: str,
    status: DeliveryStatus,
    *,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record the outcome of one processing attempt: its status, error (if any), one more attempt.

    `processed` and `ignored` stamp `processed_at`; `failed` keeps the error for operators.
    Raises `UnknownDelivery` if no delivery has this key.
    """
    status = DeliveryStatus(status)
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.delivery_key == delivery_key)
        .values(
            status=status,
            error=error,
            attempts=WebhookDelivery.attempts + (0 if status is DeliveryStatus.PENDING else 1),
            processed_at=(now or utc_now()) if status in DONE_STATUSES else None,
        )
    )
    if session.execute(statement).rowcount == 0:
        raise UnknownDelivery(f"no webhook delivery recorded under key {delivery_key!r}")


def get_delivery(session: Session, delivery_key: str) -> WebhookDelivery | None:
    """The delivery recorded under `delivery_key`, or None."""
    return session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.delivery_key == delivery_key)
    ).one_or_none()
