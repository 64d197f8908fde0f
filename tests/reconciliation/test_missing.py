"""Missing messages: unmatched buyer-message notifications past the grace period."""

from __future__ import annotations

from datetime import timedelta

from reconciliation_times import at
from sqlalchemy.orm import Session

from helpscout_app.reconciliation.missing import missing_notifications
from helpscout_app.store.models import AmazonNotification


def test_only_unmatched_buyer_messages_older_than_the_grace_period_are_missing(
    store_session: Session,
) -> None:
    rows = {
        "old": AmazonNotification(message_id="<a>", kind="buyer_message", received_at=at(0)),
        "recent": AmazonNotification(message_id="<b>", kind="buyer_message", received_at=at(1)),
        "matched": AmazonNotification(
            message_id="<c>", kind="buyer_message", received_at=at(0), matched_thread_id=5
        ),
        "refund": AmazonNotification(message_id="<d>", kind="refund_issued", received_at=at(0)),
        "ancient": AmazonNotification(message_id="<e>", kind="buyer_message", received_at=at(-200)),
    }
    store_session.add_all(rows.values())
    store_session.commit()

    missing = missing_notifications(store_session, now=at(1, 10), grace=timedelta(minutes=30))
    recent_window = missing_notifications(store_session, now=at(1, 10), since=at(-24))

    assert [row.message_id for row in missing] == ["<e>", "<a>"]
    assert [row.message_id for row in recent_window] == ["<a>"]
