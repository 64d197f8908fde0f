"""SP-API orders and review requests through python-amazon-sp-api, with SP-API replaced by respx.

Bodies are the documented response shapes (tests/fixtures/amazon/sp_api/); the LWA token
endpoint is mocked too, so nothing leaves the machine. The Redis cache is the test Redis.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
import respx
from pydantic import SecretStr
from redis import Redis

from helpscout_app.amazon.marketplaces import marketplace_by_id
from helpscout_app.amazon.orders import (
    FAILURE_TTL_S,
    Money,
    Order,
    OrderLookup,
    OrderProblem,
    ProblemKind,
    ReviewRequestState,
    SpApiCredentials,
    failure_key,
    order_cache_key,
    review_requested_key,
)

ENDPOINT = "https://sp-api.test"
TOKEN_URL = "https://lwa.test/auth/o2/token"
ORDER_ID = "112-4839201-5512347"
ORDER_URL = f"{ENDPOINT}/orders/v0/orders/{ORDER_ID}"
ITEMS_URL = f"{ORDER_URL}/orderItems"
ACTIONS_URL = f"{ENDPOINT}/solicitations/v1/orders/{ORDER_ID}"
SOLICIT_URL = f"{ACTIONS_URL}/solicitations/productReviewAndSellerFeedback"
US = marketplace_by_id("ATVPDKIKX0DER")


@pytest.fixture
def sp_api(load_fixture: Callable[[str], bytes]) -> Iterator[respx.MockRouter]:
    """SP-API and LWA at local test hosts; every other request fails the test."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(TOKEN_URL).respond(200, content=load_fixture("amazon/sp_api/lwa_token.json"))
        yield router


def fixture_json(load_fixture: Callable[[str], bytes], name: str) -> dict:
    return json.loads(load_fixture(f"amazon/sp_api/{name}"))


@pytest.fixture
def lookup(redis_conn: Redis) -> OrderLookup:
    credentials = SpApiCredentials(
        "amzn1.application-oa2-client.test", SecretStr("lwa-secret"), SecretStr("Atzr|refresh")
    )
    return OrderLookup(
        credentials,
        redis_conn,
        endpoint=ENDPOINT,
        lwa_token_url=TOKEN_URL,
        timeout_s=1.0,
        throttle_delay_s=0,
    )


def answer_order(sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]) -> None:
    sp_api.get(ORDER_URL).respond(200, content=load_fixture("amazon/sp_api/get_order.json"))
    sp_api.get(ITEMS_URL).respond(200, content=load_fixture("amazon/sp_api/get_order_items.json"))


def test_an_order_is_read_with_its_items(
    lookup: OrderLookup, sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]
) -> None:
    answer_order(sp_api, load_fixture)

    order = lookup.order(ORDER_ID, US)

    assert isinstance(order, Order)
    assert order.status == "Shipped"
    assert order.purchase_date == datetime(2026, 11, 2, 18, 3, 14, tzinfo=UTC)
    assert order.fulfillment_channel == "AFN" and order.fulfilled_by_amazon
    assert order.order_total == Money("34.99", "USD")
    assert order.latest_ship_date == datetime(2026, 11, 4, 7, 59, 59, tzinfo=UTC)
    assert order.earliest_delivery_date == datetime(2026, 11, 6, 8, 0, tzinfo=UTC)
    assert order.latest_delivery_date == datetime(2026, 11, 8, 7, 59, 59, tzinfo=UTC)
    [item] = order.items
    assert (item.asin, item.seller_sku, item.quantity_ordered) == ("B0C7XK2QZ1", "BRW-KTL-12", 1)
    assert item.title == "Gooseneck Pour-Over Kettle, 1.2 L, Matte Black"
    assert item.item_price == Money("34.99", "USD")
    assert sp_api.calls.last.request.headers["x-amz-access-token"] == "Atza|fixture-access-token"


def test_a_second_read_comes_from_redis_until_the_ttl(
    lookup: OrderLookup,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    answer_order(sp_api, load_fixture)
    first = lookup.order(ORDER_ID, US)
    calls = len(sp_api.calls)

    second = lookup.order(ORDER_ID, US)

    assert second == first
    assert len(sp_api.calls) == calls
    assert 0 < redis_conn.ttl(order_cache_key(ORDER_ID)) <= 900


def test_throttling_is_retried_with_the_librarys_retry(
    lookup: OrderLookup, sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]
) -> None:
    throttled = httpx.Response(429, content=load_fixture("amazon/sp_api/error.quota_exceeded.json"))
    order_route = sp_api.get(ORDER_URL)
    order_route.side_effect = [
        throttled,
        httpx.Response(200, content=load_fixture("amazon/sp_api/get_order.json")),
    ]
    sp_api.get(ITEMS_URL).respond(200, content=load_fixture("amazon/sp_api/get_order_items.json"))

    order = lookup.order(ORDER_ID, US)

    assert isinstance(order, Order)
    assert order_route.call_count == 2


def test_throttling_that_lasts_becomes_a_hint_and_is_not_cached(
    lookup: OrderLookup,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    sp_api.get(ORDER_URL).respond(
        429, content=load_fixture("amazon/sp_api/error.quota_exceeded.json")
    )

    problem = lookup.order(ORDER_ID, US)

    assert isinstance(problem, OrderProblem)
    assert problem.kind is ProblemKind.THROTTLED
    assert "rate-limiting" in problem.hint
    assert redis_conn.get(order_cache_key(ORDER_ID)) is None


def test_an_unknown_order_says_so(
    lookup: OrderLookup, sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]
) -> None:
    sp_api.get(ORDER_URL).respond(404, content=load_fixture("amazon/sp_api/error.not_found.json"))

    problem = lookup.order(ORDER_ID, US)

    assert isinstance(problem, OrderProblem) and problem.kind is ProblemKind.NOT_FOUND


def test_a_timeout_is_a_hint_not_an_exception(
    lookup: OrderLookup, sp_api: respx.MockRouter
) -> None:
    sp_api.get(ORDER_URL).mock(side_effect=httpx.ReadTimeout("slow"))

    problem = lookup.order(ORDER_ID, US)

    assert isinstance(problem, OrderProblem) and problem.kind is ProblemKind.UNAVAILABLE


def test_missing_credentials_give_a_hint_naming_the_settings(redis_conn: Redis) -> None:
    lookup = OrderLookup(None, redis_conn)

    with respx.mock(assert_all_mocked=True):
        problem = lookup.order(ORDER_ID, US)
        state = lookup.review_request_state(ORDER_ID, US)

    assert isinstance(problem, OrderProblem) and problem.kind is ProblemKind.NOT_CONFIGURED
    assert "LWA_APP_ID" in problem.hint and "SP_API_REFRESH_TOKEN" in problem.hint
    assert isinstance(state, OrderProblem) and state.kind is ProblemKind.NOT_CONFIGURED


def test_review_request_is_offered_only_when_amazon_offers_it(
    lookup: OrderLookup, sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]
) -> None:
    route = sp_api.get(ACTIONS_URL)
    route.respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.json")
    )
    assert lookup.review_request_state(ORDER_ID, US) is ReviewRequestState.AVAILABLE

    route.respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.none.json")
    )
    assert lookup.review_request_state(ORDER_ID, US) is ReviewRequestState.AVAILABLE  # cached
    assert (
        lookup.review_request_state(ORDER_ID, US, use_cache=False) is ReviewRequestState.NOT_OFFERED
    )
    assert route.call_count == 2


def test_a_review_is_requested_once_per_order(
    lookup: OrderLookup,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    sp_api.get(ACTIONS_URL).respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.json")
    )
    send = sp_api.post(SOLICIT_URL).respond(201, json={})

    assert lookup.request_review(ORDER_ID, US) is ReviewRequestState.REQUESTED
    assert lookup.request_review(ORDER_ID, US) is ReviewRequestState.REQUESTED
    assert lookup.review_request_state(ORDER_ID, US) is ReviewRequestState.REQUESTED

    assert send.call_count == 1
    assert redis_conn.get(review_requested_key(ORDER_ID)) == b"sent"


def test_no_review_is_sent_outside_the_window(
    lookup: OrderLookup, sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]
) -> None:
    sp_api.get(ACTIONS_URL).respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.none.json")
    )
    send = sp_api.post(SOLICIT_URL).respond(201, json={})

    assert lookup.request_review(ORDER_ID, US) is ReviewRequestState.NOT_OFFERED
    assert send.call_count == 0


def test_a_failed_request_can_be_tried_again(
    lookup: OrderLookup,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    sp_api.get(ACTIONS_URL).respond(
        200, content=load_fixture("amazon/sp_api/get_solicitation_actions_for_order.json")
    )
    sp_api.post(SOLICIT_URL).respond(
        429, content=load_fixture("amazon/sp_api/error.quota_exceeded.json")
    )

    result = lookup.request_review(ORDER_ID, US)

    assert isinstance(result, OrderProblem) and result.kind is ProblemKind.THROTTLED
    assert redis_conn.get(review_requested_key(ORDER_ID)) is None


def test_no_call_starts_once_the_deadline_has_passed_and_the_failure_is_remembered(
    lookup: OrderLookup, sp_api: respx.MockRouter, redis_conn: Redis
) -> None:
    order_route = sp_api.get(ORDER_URL).respond(500)

    problem = lookup.order(ORDER_ID, US, deadline=time.monotonic() - 0.01)
    again = lookup.order(ORDER_ID, US)

    assert isinstance(problem, OrderProblem) and problem.kind is ProblemKind.UNAVAILABLE
    assert "Could not load order details now" in problem.hint
    assert order_route.call_count == 0
    assert isinstance(again, OrderProblem) and again.kind is ProblemKind.UNAVAILABLE
    assert order_route.call_count == 0  # remembered: reopening does not ask again
    assert 0 < redis_conn.ttl(failure_key("order", ORDER_ID)) <= FAILURE_TTL_S


def test_a_failed_read_is_tried_again_once_its_memory_expires(
    lookup: OrderLookup,
    sp_api: respx.MockRouter,
    load_fixture: Callable[[str], bytes],
    redis_conn: Redis,
) -> None:
    sp_api.get(ORDER_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    assert isinstance(lookup.order(ORDER_ID, US), OrderProblem)
    redis_conn.delete(failure_key("order", ORDER_ID))  # FAILURE_TTL_S later
    sp_api.get(ORDER_URL).respond(200, content=load_fixture("amazon/sp_api/get_order.json"))
    sp_api.get(ITEMS_URL).respond(200, content=load_fixture("amazon/sp_api/get_order_items.json"))

    assert isinstance(lookup.order(ORDER_ID, US), Order)


def test_a_throttled_call_is_not_retried_when_the_wait_does_not_fit_the_budget(
    redis_conn: Redis, sp_api: respx.MockRouter, load_fixture: Callable[[str], bytes]
) -> None:
    credentials = SpApiCredentials(
        "amzn1.application-oa2-client.test", SecretStr("s"), SecretStr("r")
    )
    lookup = OrderLookup(
        credentials, redis_conn, endpoint=ENDPOINT, lwa_token_url=TOKEN_URL, throttle_delay_s=5
    )
    route = sp_api.get(ORDER_URL).respond(
        429, content=load_fixture("amazon/sp_api/error.quota_exceeded.json")
    )
    started = time.monotonic()

    problem = lookup.order(ORDER_ID, US, deadline=started + 1.0)

    assert isinstance(problem, OrderProblem) and problem.kind is ProblemKind.THROTTLED
    assert route.call_count == 1 and time.monotonic() - started < 1.0
