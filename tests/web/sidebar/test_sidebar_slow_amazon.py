"""A slow Amazon must not stall the sidebar: SP-API gets SP_API_BUDGET_S for all of a request's
orders (read in parallel), what is known is shown with a hint, and reopening does not wait."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import respx
from flask.testing import FlaskClient
from redis import Redis
from sidebar_case import API_URL, RELAY, SP_API_URL, sign

from helpscout_app.amazon.orders import failure_key
from helpscout_app.settings import Settings

ORDER_IDS = ("111-1111111-1111111", "112-2222222-2222222", "113-3333333-3333333")
CONVERSATION = 5550001
BODY = json.dumps(
    {
        "ticket": {"id": CONVERSATION, "number": 9, "subject": "Orders " + ", ".join(ORDER_IDS)},
        "customer": {"id": 3, "fname": "Jo", "email": RELAY},
        "user": {"id": 4, "fname": "Sam"},
        "mailbox": {"id": 101},
    }
).encode()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set to let the slow SP-API answer (at the end of a test, so no read outlives it)."""
    event = threading.Event()
    yield event
    event.set()


def test_a_slow_amazon_costs_one_budget_once_and_the_rest_is_shown(
    client: FlaskClient,
    settings: Settings,
    helpscout_api,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
    release: threading.Event,
) -> None:
    helpscout_api.get(f"{API_URL}/conversations/{CONVERSATION}", status=404)

    asked: list[str] = []  # respx counts a call only once it is answered

    def slow(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        release.wait(10)  # Amazon taking its time
        return httpx.Response(200, content=load_fixture("amazon/sp_api/get_order.json"))

    orders = sp_api.get(url__regex=rf"^{SP_API_URL}/orders/v0/orders/[0-9-]+(\?|$)")
    orders.side_effect = slow
    secret = settings.helpscout_sidebar_secret.get_secret_value()  # type: ignore[union-attr]

    def open_widget() -> tuple[float, str]:
        started = time.monotonic()
        response = client.post(
            "/sidebar/dynamic",
            data=BODY,
            headers={"X-HelpScout-Signature": sign(secret, BODY)},
            content_type="application/json",
        )
        assert response.status_code == 200
        return time.monotonic() - started, response.get_json()["html"]

    first_took, first = open_widget()

    assert first_took < settings.sp_api_budget_s + 0.6  # was 6-11 s, one order after another
    assert len(asked) == 3  # the three orders asked at once, not one after another
    assert first.count("Could not load order details now") == 3
    assert "Amazon buyer" in first and "Orders 111-1111111-1111111" in first

    release.set()  # Amazon answers late: the reads end and remember the failure
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(
        redis_conn.exists(failure_key("order", order_id)) for order_id in ORDER_IDS
    ):
        time.sleep(0.05)
    second_took, second = open_widget()

    assert second_took < 0.5
    assert len(asked) == orders.call_count == 3  # reopening within FAILURE_TTL_S asks nothing
    assert second.count("Could not load order details now") == 3
