"""send_alert_once: one post per fact across runs, the claim given back when Slack fails."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.alerts.dispatch import send_alert_once, send_alerts_once
from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.alerts.messages import Alert, draft_flagged_alert
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.enforcement.conversation_ref import ConversationRef
from helpscout_app.store.models import AlertSent

if TYPE_CHECKING:
    from conftest import FakeSlack

NOW = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


@pytest.fixture
def alert() -> Alert:
    conversation = ConversationRef(
        conversation_id=3120419377,
        conversation_number=4187,
        mailbox_id=101,
        web_url="https://secure.helpscout.net/conversation/3120419377/4187",
        customer_email=None,
        subject=None,
        order_ids=("112-4839201-5512347",),
    )
    return draft_flagged_alert(
        conversation, thread_id=8812004522, body_hash="0" * 64, agent_name="Lee", kinds=["phone"]
    )


@pytest.fixture
def notifier(fake_slack: FakeSlack) -> SlackNotifier:
    return SlackNotifier(webhook_url=fake_slack.webhook_url)


def stored_alerts(session: Session) -> list[AlertSent]:
    return list(session.scalars(select(AlertSent)))


def test_sends_once_and_records_it(
    store_session: Session, notifier: SlackNotifier, fake_slack: FakeSlack, alert: Alert
) -> None:
    assert send_alert_once(store_session, notifier, alert, now=NOW) is True
    assert send_alert_once(store_session, notifier, alert, now=NOW) is False

    assert [body["text"] for body in fake_slack.posted()] == [alert.text]
    [row] = stored_alerts(store_session)
    assert (row.dedupe_key, row.tag, row.conversation_id, row.summary, row.sent_at) == (
        alert.dedupe_key,
        "draft-flagged",
        3120419377,
        alert.text,
        NOW,
    )


def test_a_failed_post_releases_the_claim_so_the_retry_sends_it(
    store_session: Session, notifier: SlackNotifier, fake_slack: FakeSlack, alert: Alert
) -> None:
    fake_slack.answer_next(500, "internal_error")

    with pytest.raises(AlertDeliveryError):
        send_alert_once(store_session, notifier, alert, now=NOW)
    assert stored_alerts(store_session) == []

    assert send_alert_once(store_session, notifier, alert, now=NOW) is True
    assert len(fake_slack.posted()) == 2  # the refused one, then the retry
    assert [row.dedupe_key for row in stored_alerts(store_session)] == [alert.dedupe_key]


def test_any_error_while_sending_releases_the_claim(
    store_session: Session, notifier: SlackNotifier, alert: Alert, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_send(_alert: Alert) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(notifier, "send", broken_send)

    with pytest.raises(RuntimeError):
        send_alert_once(store_session, notifier, alert, now=NOW)
    assert stored_alerts(store_session) == []


def test_without_slack_the_claim_is_recorded_and_logged(
    store_session: Session, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="helpscout_app.alerts.dispatch"):
        assert send_alert_once(store_session, None, alert, now=NOW) is True
        assert send_alert_once(store_session, None, alert, now=NOW) is False

    assert [row.dedupe_key for row in stored_alerts(store_session)] == [alert.dedupe_key]
    [record] = caplog.records
    assert "Slack is not configured" in record.getMessage()
    assert alert.text in record.getMessage()


def _variant(alert: Alert, n: int) -> Alert:
    return Alert(
        tag=alert.tag,
        dedupe_key=f"{alert.dedupe_key}:{n}",
        text=f"{alert.text} #{n}",
        blocks=alert.blocks,
        conversation_id=alert.conversation_id,
    )


def test_many_alerts_are_claimed_together_and_each_sent_once(
    store_session: Session, notifier: SlackNotifier, fake_slack: FakeSlack, alert: Alert
) -> None:
    first, second, covered = (_variant(alert, n) for n in (1, 2, 3))

    sent = send_alerts_once(store_session, notifier, [first, second], quiet=[covered], now=NOW)
    again = send_alerts_once(store_session, notifier, [first, second, covered], now=NOW)

    assert sent == [first, second] and again == []
    assert [body["text"] for body in fake_slack.posted()] == [first.text, second.text]
    summaries = {row.dedupe_key: row.summary for row in stored_alerts(store_session)}
    assert summaries[covered.dedupe_key] is not None
    assert summaries[covered.dedupe_key].startswith("not sent")


def test_when_slack_refuses_one_it_and_the_rest_are_given_back(
    store_session: Session, notifier: SlackNotifier, fake_slack: FakeSlack, alert: Alert
) -> None:
    first, second, third = (_variant(alert, n) for n in (1, 2, 3))
    fake_slack.answer_next(200, "ok")
    fake_slack.answer_next(500, "internal_error")

    with pytest.raises(AlertDeliveryError):
        send_alerts_once(store_session, notifier, [first, second, third], now=NOW)
    retried = send_alerts_once(store_session, notifier, [first, second, third], now=NOW)

    assert retried == [second, third]
    assert {row.dedupe_key for row in stored_alerts(store_session)} == {
        first.dedupe_key,
        second.dedupe_key,
        third.dedupe_key,
    }
