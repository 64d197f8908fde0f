"""Worker tests: REDIS_URL on the test session's own Redis database, Slack on the fake Slack,
Help Scout's API answered by `responses` (every session the jobs open goes through it), and a
PostgreSQL database of a test's own where SQLite cannot show what is tested."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pytest
import responses
from pydantic import SecretStr
from redis import Redis
from sqlalchemy import make_url

from bench.stack import fresh_database
from helpscout_app.settings import Settings
from helpscout_app.store.migrate import upgrade

if TYPE_CHECKING:
    from conftest import FakeSlack

API_URL = "http://127.0.0.1:9/v2"  # the root `settings` fixture's HELPSCOUT_API_URL
POSTGRES_SERVER_URL = "postgresql://postgres@127.0.0.1:5432"
"""The local server (scripts/setup starts it); `AMZ_GUARD_TEST_POSTGRES_URL` points elsewhere,
as for the storage tests."""


@pytest.fixture
def settings(
    settings: Settings, redis_test_url: str, redis_conn: Redis, fake_slack: FakeSlack
) -> Settings:
    """The test settings with `REDIS_URL` on the test database (emptied around each test),
    `SLACK_WEBHOOK_URL` on the fake Slack, and the worker's niceness left alone (an in-process
    worker would lower pytest's own CPU priority for the rest of the run)."""
    return settings.model_copy(
        update={
            "redis_url": redis_test_url,
            "slack_webhook_url": SecretStr(fake_slack.webhook_url),
            "worker_nice": 0,
        }
    )


@pytest.fixture
def helpscout_api(load_fixture: Callable[[str], bytes]) -> Iterator[responses.RequestsMock]:
    """Help Scout's API, answered by `responses`: the token endpoint, then what the test adds."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{API_URL}/oauth2/token",
            body=load_fixture("helpscout/api/oauth_token.json"),
            content_type="application/json",
        )
        yield mock


@pytest.fixture
def helpscout_calls(
    helpscout_api: responses.RequestsMock,
) -> Callable[[], list[tuple[str, str]]]:
    """(method, path?query) of each Help Scout call so far, in order, token requests left out."""

    def made() -> list[tuple[str, str]]:
        calls = []
        for call in helpscout_api.calls:
            parts = urlsplit(call.request.url)
            if not parts.path.endswith("/oauth2/token"):
                query = f"?{unquote(parts.query)}" if parts.query else ""
                calls.append((call.request.method, parts.path.removeprefix("/v2") + query))
        return calls

    return made


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    """The test settings, their database migrated."""
    upgrade(settings.database_url)
    return settings


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated, dropped after the test; the test fails without one."""
    configured = os.environ.get("AMZ_GUARD_TEST_POSTGRES_URL")
    server_url = POSTGRES_SERVER_URL
    if configured:
        url = make_url(configured).set(drivername="postgresql", database=None)
        server_url = url.render_as_string(hide_password=False)
    with fresh_database(server_url, "amzguard_test_workers") as database_url:
        yield database_url
