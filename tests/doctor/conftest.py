"""Doctor fixtures: settings where every part is configured and working, and the outside
services answered at the HTTP boundary (Help Scout by `responses`, Login with Amazon by `respx`,
Slack by the shared `fake_slack` server).

`database_url` and `postgres_database` are the storage tests' own fixtures (an empty SQLite file
or a fresh PostgreSQL schema), imported so the database check runs on both backends too.
"""

from __future__ import annotations

import json
import mailbox
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
import respx
from pydantic import SecretStr
from store.conftest import database_url, postgres_database  # noqa: F401 - fixtures, by name

from helpscout_app.settings import Settings
from helpscout_app.web.webhooks import HELPSCOUT_EVENTS

API_URL = "http://127.0.0.1:9/v2"  # the `settings` fixture's HELPSCOUT_API_URL
LWA_TOKEN_URL = "https://lwa.amazon.test/auth/o2/token"
WEBHOOK_URL = "https://amz-guard.seller.example/webhooks/helpscout"

# Secrets of the all-good settings: none may ever appear in doctor's output.
APP_SECRET = "test-app-secret"
WEBHOOK_SECRET = "test-webhook-secret"
LWA_CLIENT_SECRET = "lwa-client-secret-0b5e"
REFRESH_TOKEN = "Atzr|refresh-token-7d1c"
SLACK_BOT_TOKEN = "xoxb-0000-doctor-bot-token"
SECRETS = (APP_SECRET, WEBHOOK_SECRET, LWA_CLIENT_SECRET, REFRESH_TOKEN, SLACK_BOT_TOKEN)

NOTIFICATION = Path(__file__).parents[1] / "fixtures/amazon/notifications/buyer-message.en-us.eml"


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    """A Maildir holding one notification email, delivered just now."""
    path = tmp_path / "amazon-notifications"
    mailbox.Maildir(path, factory=None, create=True).add(NOTIFICATION.read_bytes())
    return path


@pytest.fixture
def doctor_settings(
    settings: Settings,
    redis_test_url: str,
    store_session: Any,
    fake_slack: Any,
    maildir: Path,
) -> Settings:
    """Every part configured and working: migrated SQLite, the test Redis, Help Scout (answered
    by `helpscout_api`), Slack's incoming webhook (the fake), a Maildir, SP-API credentials."""
    return settings.model_copy(
        update={
            "redis_url": redis_test_url,
            "slack_webhook_url": SecretStr(fake_slack.webhook_url),
            "amazon_notifications_url": SecretStr(f"maildir:{maildir}"),
            "lwa_app_id": "amzn1.application-oa2-client.doctor",
            "lwa_client_secret": SecretStr(LWA_CLIENT_SECRET),
            "sp_api_refresh_token": SecretStr(REFRESH_TOKEN),
            "sp_api_lwa_token_url": LWA_TOKEN_URL,
        }
    )


@pytest.fixture
def helpscout_api(load_fixture: Callable[[str], bytes]) -> Iterator[responses.RequestsMock]:
    """Help Scout answered by `responses`: a token, then what the test adds (or `answer_all`)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.POST,
            f"{API_URL}/oauth2/token",
            body=load_fixture("helpscout/api/oauth_token.json"),
            content_type="application/json",
        )
        yield mock


class HelpScoutAnswers:
    """Adds the List Mailboxes and List Webhooks answers, each from its fixture after an edit."""

    def __init__(self, mock: responses.RequestsMock, load_fixture: Callable[[str], bytes]):
        self._mock = mock
        self._load_fixture = load_fixture

    def mailboxes(self, change: Callable[[list[dict[str, Any]]], None] = lambda items: None):
        self._answer("mailboxes", change)

    def webhooks(self, change: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        """The fixture's webhooks; by default the amz-guard one made complete (all events)."""
        self._answer("webhooks", change or complete_webhook)

    def _answer(self, collection: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
        listing = json.loads(self._load_fixture(f"helpscout/api/list_{collection}.json"))
        change(listing["_embedded"][collection])
        self._mock.add(responses.GET, f"{API_URL}/{collection}", json=listing)


def complete_webhook(webhooks: list[dict[str, Any]]) -> None:
    """The fixture's amz-guard webhook, sending every event amz-guard needs."""
    webhooks[0]["events"] = list(HELPSCOUT_EVENTS)


@pytest.fixture
def helpscout_answers(
    helpscout_api: responses.RequestsMock, load_fixture: Callable[[str], bytes]
) -> HelpScoutAnswers:
    return HelpScoutAnswers(helpscout_api, load_fixture)


@pytest.fixture
def lwa(load_fixture: Callable[[str], bytes]) -> Iterator[respx.MockRouter]:
    """Login with Amazon's token endpoint, answered by respx; by default with a token."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(LWA_TOKEN_URL).respond(
            200,
            content=load_fixture("amazon/sp_api/lwa_token.json"),
            headers={"Content-Type": "application/json"},
        )
        yield router
