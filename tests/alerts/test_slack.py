"""Slack delivery: exact JSON posted by webhook and by bot token, and every way to fail.

Slack is a real HTTP server on 127.0.0.1 (`fake_slack` in tests/conftest.py): slack_sdk talks
through urllib, which `responses` does not intercept.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.alerts.messages import Alert, noncompliant_sent_alert
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.enforcement.conversation_ref import ConversationRef
from helpscout_app.settings import Settings

if TYPE_CHECKING:
    from conftest import FakeSlack

BOT_TOKEN = "xoxb-test-token"


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
    return noncompliant_sent_alert(
        conversation, thread_id=8812004511, agent_name="Sam Agent", kinds=["phone"]
    )


def test_not_configured_gives_no_notifier(settings: Settings) -> None:
    unconfigured = settings.model_copy(update={"slack_webhook_url": None})

    assert SlackNotifier.from_settings(unconfigured) is None


def test_webhook_posts_text_and_blocks(
    settings: Settings, fake_slack: FakeSlack, alert: Alert
) -> None:
    configured = settings.model_copy(
        update={"slack_webhook_url": SecretStr(fake_slack.webhook_url)}
    )
    notifier = SlackNotifier.from_settings(configured)
    assert notifier is not None and notifier.mode == "webhook"

    notifier.send(alert)

    [request] = fake_slack.requests
    assert request.path == fake_slack.WEBHOOK_PATH
    assert request.headers["content-type"].startswith("application/json")
    assert request.json == {
        "text": alert.text,
        "blocks": alert.blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    assert request.json["text"].startswith("[noncompliant-sent] ")


def test_bot_token_posts_to_the_channel(
    settings: Settings, fake_slack: FakeSlack, alert: Alert
) -> None:
    configured = settings.model_copy(
        update={
            "slack_webhook_url": None,
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_channel": "#amazon-alerts",
            "slack_api_url": fake_slack.api_url,
        }
    )
    notifier = SlackNotifier.from_settings(configured)
    assert notifier is not None and notifier.mode == "bot"

    notifier.send(alert)

    [request] = fake_slack.requests
    assert request.path == "/api/chat.postMessage"
    assert request.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert request.json == {
        "channel": "#amazon-alerts",
        "text": alert.text,
        "blocks": alert.blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def test_slack_api_url_setting_defaults_to_slack(clean_environment: object) -> None:
    assert Settings(_env_file=None).slack_api_url == "https://slack.com/api"
    assert Settings(_env_file=None, slack_api_url="http://127.0.0.1:8099/api/").slack_api_url == (
        "http://127.0.0.1:8099/api"
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, "internal_error", "answered 500 'internal_error'"),
        (404, "no_service", "answered 404 'no_service'"),
        (400, "invalid_blocks", "answered 400 'invalid_blocks'"),
        (200, "not ok", "answered 200 'not ok'"),
    ],
)
def test_webhook_refusal_raises(
    fake_slack: FakeSlack, alert: Alert, status: int, body: str, expected: str
) -> None:
    notifier = SlackNotifier(webhook_url=fake_slack.webhook_url)
    fake_slack.answer_next(status, body)

    with pytest.raises(AlertDeliveryError, match=expected) as caught:
        notifier.send(alert)

    assert fake_slack.WEBHOOK_PATH not in str(caught.value)  # the URL is a secret


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"ok": False, "error": "channel_not_found"}, "channel_not_found"),
        (200, {"ok": False, "error": "invalid_auth"}, "invalid_auth"),
        (500, "upstream broke", "non-JSON format: upstream broke"),
    ],
)
def test_bot_refusal_raises(
    fake_slack: FakeSlack, alert: Alert, status: int, body: str | dict, expected: str
) -> None:
    notifier = SlackNotifier(bot_token=BOT_TOKEN, channel="#x", api_url=fake_slack.api_url)
    fake_slack.answer_next(status, body)

    with pytest.raises(AlertDeliveryError, match=expected) as caught:
        notifier.send(alert)

    assert BOT_TOKEN not in str(caught.value)


def unused_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_connection_raises(alert: Alert, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = f"http://127.0.0.1:{unused_port()}"
    by_webhook = SlackNotifier(webhook_url=f"{url}/services/T000/B000/XXXX")
    by_bot = SlackNotifier(bot_token=BOT_TOKEN, channel="#x", api_url=f"{url}/api")

    with pytest.raises(AlertDeliveryError, match="could not reach Slack's incoming webhook"):
        by_webhook.send(alert)
    with pytest.raises(AlertDeliveryError, match="could not reach Slack's Web API"):
        by_bot.send(alert)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"webhook_url": "http://127.0.0.1/x", "bot_token": BOT_TOKEN, "channel": "#x"},
        {"bot_token": BOT_TOKEN},
    ],
)
def test_construction_needs_exactly_one_way_to_post(options: dict) -> None:
    with pytest.raises(ValueError):
        SlackNotifier(**options)
