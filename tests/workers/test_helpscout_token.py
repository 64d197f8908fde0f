"""The Help Scout token kept in Redis: one token request serves every job and process until the
token is close to expiry; a refused token is dropped; Redis trouble costs only a request.

Redis is real; Help Scout is `responses` with the fixture token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
import requests
import responses
from redis import Redis
from responses import matchers

from helpscout_app.helpscout.client import HelpScoutClient
from workers.helpscout_token import RedisTokenStore

API_URL = "https://helpscout.test/v2"
APP_ID = "test-app-id"
CONVERSATION_URL = f"{API_URL}/conversations/3120419377"


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def token_body(load_fixture: Callable[[str], bytes]) -> dict[str, object]:
    return json.loads(load_fixture("helpscout/api/oauth_token.json"))


def client(store: RedisTokenStore) -> HelpScoutClient:
    """A client as a job builds one: new, with nothing of its own but the store."""
    return HelpScoutClient(
        API_URL, APP_ID, "test-app-secret", session=requests.Session(), token_store=store
    )


def add_token(http: responses.RequestsMock, body: dict[str, object], token: str) -> None:
    http.add(responses.POST, f"{API_URL}/oauth2/token", json={**body, "access_token": token})


def add_conversation(http: responses.RequestsMock, token: str, status: int = 200) -> None:
    http.add(
        responses.GET,
        CONVERSATION_URL,
        status=status,
        json={"id": 3120419377} if status == 200 else {"message": "Unauthorized"},
        match=[matchers.header_matcher({"Authorization": f"Bearer {token}"})],
    )


def test_clients_of_later_jobs_use_the_stored_token(
    redis_conn: Redis, http: responses.RequestsMock, token_body: dict[str, object]
) -> None:
    store = RedisTokenStore(redis_conn, API_URL, APP_ID)
    add_token(http, token_body, "token-one")
    for _ in range(3):
        add_conversation(http, "token-one")

    first, second, third = client(store), client(store), client(store)
    for each in (first, second, third):
        each.get_conversation(3120419377)

    assert [c.token_requests for c in (first, second, third)] == [1, 0, 0]
    ttl_s = redis_conn.ttl(store.key)
    assert 172800 - 300 - 5 <= ttl_s <= 172800 - 300  # renewed 5 minutes before Help Scout's 48 h


def test_a_refused_stored_token_is_dropped_and_replaced(
    redis_conn: Redis, http: responses.RequestsMock, token_body: dict[str, object]
) -> None:
    store = RedisTokenStore(redis_conn, API_URL, APP_ID)
    store.save("revoked-token", 3600)
    add_conversation(http, "revoked-token", status=401)
    add_token(http, token_body, "token-two")
    add_conversation(http, "token-two")

    job_client = client(store)
    job_client.get_conversation(3120419377)

    assert job_client.token_requests == 1
    assert store.load() is not None and store.load()[0] == "token-two"  # type: ignore[index]


def test_forget_drops_only_the_token_it_names(redis_conn: Redis) -> None:
    store = RedisTokenStore(redis_conn, API_URL, APP_ID)
    store.save("current", 60)

    store.forget("an-older-one")  # another process already replaced it
    assert store.load() is not None

    store.forget("current")
    assert store.load() is None


def test_each_app_and_api_has_its_own_token(redis_conn: Redis) -> None:
    RedisTokenStore(redis_conn, API_URL, APP_ID).save("ours", 60)

    assert RedisTokenStore(redis_conn, API_URL, "another-app").load() is None
    assert RedisTokenStore(redis_conn, "https://staging.test/v2", APP_ID).load() is None
    assert "ours" not in RedisTokenStore(redis_conn, API_URL, APP_ID).key


def test_redis_down_costs_only_a_token_request(
    http: responses.RequestsMock, token_body: dict[str, object]
) -> None:
    down = RedisTokenStore(Redis(port=9, socket_connect_timeout=0.2), API_URL, APP_ID)
    add_token(http, token_body, "token-three")
    add_conversation(http, "token-three")

    job_client = client(down)
    job_client.get_conversation(3120419377)

    assert job_client.token_requests == 1
    assert down.load() is None
