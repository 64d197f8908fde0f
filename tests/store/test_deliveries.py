"""Webhook deliveries: recorded once however often Help Scout delivers, then marked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import Race
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpscout_app.store.deliveries import get_delivery, mark_delivery, record_delivery
from helpscout_app.store.errors import UnknownDelivery
from helpscout_app.store.models import DeliveryStatus, WebhookDelivery

RECEIVED_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
PROCESSED_AT = datetime(2026, 5, 4, 9, 31, tzinfo=UTC)
KEY = "convo.agent.reply.created:conv:123:thread:456"


def test_a_new_delivery_is_recorded_as_pending(session: Session) -> None:
    assert record_delivery(
        session, KEY, "convo.agent.reply.created", conversation_id=123, received_at=RECEIVED_AT
    )
    session.commit()

    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert (delivery.event_name, delivery.conversation_id) == ("convo.agent.reply.created", 123)
    assert delivery.status is DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.error, delivery.processed_at) == (0, None, None)
    assert delivery.received_at == RECEIVED_AT


def test_a_redelivery_is_not_recorded_again(session: Session) -> None:
    assert record_delivery(session, KEY, "convo.agent.reply.created", received_at=RECEIVED_AT)
    session.commit()

    assert not record_delivery(session, KEY, "convo.agent.reply.created")
    session.commit()

    assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert delivery.received_at == RECEIVED_AT  # the first delivery's, untouched


def test_a_redelivery_already_processed_stays_processed(session: Session) -> None:
    record_delivery(session, KEY, "convo.agent.reply.created")
    mark_delivery(session, KEY, DeliveryStatus.PROCESSED)
    session.commit()

    assert not record_delivery(session, KEY, "convo.agent.reply.created")
    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.PROCESSED


def test_concurrent_redeliveries_record_one(race: Race) -> None:
    outcomes = race(4, lambda session: record_delivery(session, KEY, "convo.created"))

    assert sorted(outcomes) == [False, False, False, True]


def test_marking_processed_counts_the_attempt_and_stamps_the_time(session: Session) -> None:
    record_delivery(session, KEY, "convo.agent.reply.created")

    mark_delivery(session, KEY, DeliveryStatus.PROCESSED, now=PROCESSED_AT)
    session.commit()

    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.PROCESSED
    assert (delivery.attempts, delivery.error) == (1, None)
    assert delivery.processed_at == PROCESSED_AT


def test_a_failed_attempt_keeps_the_error_until_a_retry_succeeds(session: Session) -> None:
    record_delivery(session, KEY, "convo.agent.reply.created")

    mark_delivery(session, KEY, DeliveryStatus.FAILED, error="HelpScoutAPIError: 503")
    session.commit()
    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.error == "HelpScoutAPIError: 503"
    assert delivery.processed_at is None

    mark_delivery(session, KEY, "processed", now=PROCESSED_AT)
    session.commit()
    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts, delivery.error) == ("processed", 2, None)


def test_ignored_deliveries_are_done_too(session: Session) -> None:
    record_delivery(session, KEY, "convo.created")

    mark_delivery(session, KEY, DeliveryStatus.IGNORED, now=PROCESSED_AT)

    delivery = get_delivery(session, KEY)
    assert delivery is not None
    assert (delivery.status, delivery.processed_at) == (DeliveryStatus.IGNORED, PROCESSED_AT)


def test_marking_an_unknown_delivery_raises(session: Session) -> None:
    with pytest.raises(UnknownDelivery, match="no webhook delivery recorded under key 'nope'"):
        mark_delivery(session, "nope", DeliveryStatus.PROCESSED)


def test_an_unknown_status_is_refused(session: Session) -> None:
    record_delivery(session, KEY, "convo.created")

    with pytest.raises(ValueError, match="'done' is not a valid DeliveryStatus"):
        mark_delivery(session, KEY, "done")  # type: ignore[arg-type]
