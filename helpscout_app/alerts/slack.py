"""Slack delivery with slack_sdk: an incoming webhook, or a bot token posting to a channel.

One of the two, as configured (DESIGN.md "Configuration"): `SLACK_WEBHOOK_URL`, or
`SLACK_BOT_TOKEN` with `SLACK_CHANNEL` (Web API `chat.postMessage` under `SLACK_API_URL`, so
tests and staging can point it at a local fake).

slack_sdk's own retry handlers are turned off: a failed post raises `AlertDeliveryError` at
once, and the RQ job retries with its backoff, after releasing the alert's claim. The webhook
URL and the token are secrets: they never appear in a log line or an error message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.alerts.messages import Alert

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10
"""How long one post may take; the job retries a timeout like any other failure."""

WEBHOOK_OK_BODY = "ok"
"""What an incoming webhook answers, with 200, when it took the message."""

_ERROR_TEXT_LIMIT = 200


@dataclass(frozen=True)
class SlackMessage:
    """Where Slack put a message: its channel ID and timestamp, which name its thread."""

    channel: str
    ts: str


class SlackNotifier:
    """Posts alerts to one Slack channel, by incoming webhook or by bot token.

    Build it with `from_settings`; construct it directly to give a webhook URL, or a token and
    channel (and the Web API's base URL) yourself.
    """

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        bot_token: str | None = None,
        channel: str | None = None,
        api_url: str = WebClient.BASE_URL,
        timeout_s: int = DEFAULT_TIMEOUT_S,
    ) -> None:
        if (webhook_url is None) == (bot_token is None):
            raise ValueError("give either webhook_url or bot_token (with channel), not both")
        if bot_token is not None and not channel:
            raise ValueError("a bot token needs a channel to post to")
        self._channel = channel
        self._webhook: WebhookClient | None = None
        self._web: WebClient | None = None
        if webhook_url is not None:
            self._webhook = WebhookClient(webhook_url, timeout=timeout_s, retry_handlers=[])
        else:
            self._web = WebClient(
                token=bot_token,
                base_url=api_url.rstrip("/") + "/",
                timeout=timeout_s,
                retry_handlers=[],
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackNotifier | None:
        """The notifier the settings describe; None when Slack is not configured at all.

        Settings already refuse a token without a channel, and a webhook URL with a token.
        """
        if settings.slack_webhook_url is not None:
            return cls(webhook_url=settings.slack_webhook_url.get_secret_value())
        if settings.slack_bot_token is not None:
            return cls(
                bot_token=settings.slack_bot_token.get_secret_value(),
                channel=settings.slack_channel,
                api_url=settings.slack_api_url,
            )
        return None

    @property
    def mode(self) -> str:
        """How alerts are posted, "webhook" or "bot", for logs (never the URL or the token)."""
        return "webhook" if self._webhook is not None else "bot"

    def send(self, alert: Alert, *, thread: SlackMessage | None = None) -> SlackMessage | None:
        """Post the alert's text and blocks; raises AlertDeliveryError unless Slack took it.

        Returns where the bot's message landed (None by webhook, which does not say); with
        `thread`, a bot posts it as a reply in that message's thread.
        """
        posted = self._post(alert.text, alert.blocks, what=alert.dedupe_key, thread=thread)
        log.info("Slack alert sent (%s): %s", self.mode, alert.dedupe_key)
        return posted

    def send_test_message(self, text: str) -> SlackMessage | None:
        """Post one plain message, no alert (`amz-guard doctor --send-test`); as `send` does,
        raises AlertDeliveryError unless Slack took it."""
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        posted = self._post(text, blocks, what="the test message", thread=None)
        log.info("Slack test message sent (%s)", self.mode)
        return posted

    def check_token(self) -> str:
        """Ask Slack whom the bot token belongs to (`auth.test`, which posts nothing).

        Returns "user in team" as Slack names them. Raises AlertDeliveryError when Slack refuses
        the token or cannot be reached, and ValueError for an incoming webhook, which has no
        way to be checked without posting.
        """
        if self._web is None:
            raise ValueError("an incoming webhook cannot be checked without posting to it")
        try:
            response = self._web.auth_test()
        except SlackApiError as err:
            error = err.response.get("error") if err.response is not None else None
            raise AlertDeliveryError(
                f"Slack refused the bot token: {error or 'no error code'}"
            ) from err
        except (SlackClientError, OSError) as err:
            raise AlertDeliveryError(
                f"could not reach Slack's Web API ({type(err).__name__}); check SLACK_API_URL "
                "and the network"
            ) from err
        return f"{response.get('user') or '?'} in {response.get('team') or '?'}"

    def _post(
        self,
        text: str,
        blocks: list[dict[str, Any]],
        *,
        what: str,
        thread: SlackMessage | None,
    ) -> SlackMessage | None:
        """Post `text` and `blocks` the configured way; `what` names the message in errors."""
        if self._webhook is not None:
            self._send_by_webhook(self._webhook, text, blocks, what)
            return None
        assert self._web is not None
        return self._send_by_bot(self._web, text, blocks, what, thread)

    def _send_by_webhook(
        self, webhook: WebhookClient, text: str, blocks: list[dict[str, Any]], what: str
    ) -> None:
        """POST to the incoming webhook: Slack answers 200 "ok", anything else is a refusal."""
        try:
            response = webhook.send(
                text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except (SlackClientError, OSError) as err:  # OSError: urllib's URLError, timeouts
            raise AlertDeliveryError(
                f"could not reach Slack's incoming webhook for {what} "
                f"({type(err).__name__}); check SLACK_WEBHOOK_URL and the network"
            ) from err
        if response.status_code != 200 or (response.body or "").strip() != WEBHOOK_OK_BODY:
            raise AlertDeliveryError(
                f"Slack's incoming webhook answered {response.status_code} "
                f"{_short(response.body)!r} to {what}"
            )

    def _send_by_bot(
        self,
        web: WebClient,
        text: str,
        blocks: list[dict[str, Any]],
        what: str,
        thread: SlackMessage | None,
    ) -> SlackMessage | None:
        """`chat.postMessage` to the channel; slack_sdk raises SlackApiError when not `ok`."""
        try:
            response = web.chat_postMessage(
                channel=thread.channel if thread is not None else self._channel,
                thread_ts=thread.ts if thread is not None else None,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as err:
            error = err.response.get("error") if err.response is not None else None
            status = err.response.status_code if err.response is not None else None
            raise AlertDeliveryError(
                f"Slack refused chat.postMessage for {what}: "
                f"{error or 'no error code'} (HTTP {status}); check SLACK_BOT_TOKEN and "
                "SLACK_CHANNEL"
            ) from err
        except (SlackClientError, OSError) as err:
            raise AlertDeliveryError(
                f"could not reach Slack's Web API for {what} "
                f"({type(err).__name__}); check SLACK_API_URL and the network"
            ) from err
        channel, ts = response.get("channel"), response.get("ts")
        if isinstance(channel, str) and isinstance(ts, str):
            return SlackMessage(channel=channel, ts=ts)
        return None


def _short(text: str | None) -> str:
    """Slack's answer, cut short for a one-line message."""
    return (text or "")[:_ERROR_TEXT_LIMIT]
