"""Amazon orders and the "Request a Review" solicitation through SP-API, for the sidebar.

Wraps python-amazon-sp-api 2.x (httpx underneath, reference/amazon.md §5): Orders v0 `getOrder`
and `getOrderItems`, Solicitations `getSolicitationActionsForOrder` and
`createProductReviewAndSellerFeedbackSolicitation`. An agent is waiting on each call, so:

- calls have a short timeout (SP_API_TIMEOUT_S) and a throttled call (429 QuotaExceeded) is
  retried only briefly, through the library's own `throttle_retry`; a caller may pass a
  `deadline` (the sidebar's SP_API_BUDGET_S), after which no call is started and no retry made;
- a failed read is remembered for FAILURE_TTL_S, so reopening the sidebar while Amazon is slow
  or refusing shows the hint at once instead of waiting again;
- an order read is kept in Redis for ORDER_CACHE_TTL_S, so reopening a conversation costs
  nothing and spends none of getOrder's 0.5/s quota;
- nothing raises to the caller: a failure is an `OrderProblem` whose `hint` an agent can read
  (missing credentials included), and the sidebar shows what it has.

Credentials are passed in code from our settings (LWA_APP_ID, LWA_CLIENT_SECRET,
SP_API_REFRESH_TOKEN); the library's other sources (environment, config file, AWS secrets) are
not consulted, so what the sidebar does is what the settings say. Importing the library makes
no network call; the first call fetches an LWA token, which the library caches in-process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import redis.exceptions
from pydantic import SecretStr

from helpscout_app.amazon.marketplaces import Marketplace
from workers.queues import key_for

if TYPE_CHECKING:
    from redis import Redis

    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

REVIEW_SOLICITATION_ACTION = "productReviewAndSellerFeedback"
"""The one action getSolicitationActionsForOrder offers (reference/amazon.md §5.3)."""

THROTTLE_TRIES = 2
"""Attempts of a throttled call while an agent waits: one retry, then say "try again"."""

THROTTLE_DELAY_S = 0.5
"""Wait before that retry; getOrder refills at 0.5/s (reference §5.2)."""

SOLICITATION_ACTIONS_TTL_S = 300
"""How long Amazon's answer on whether "Request a Review" is offered is reused (1 rps quota)."""

REVIEW_REQUESTED_TTL_S = 90 * 24 * 3600
"""How long the "review requested" marker outlives the request: past the 30-day window Amazon
refuses the solicitation anyway."""

FAILURE_TTL_S = 45
"""How long a failed read is remembered: reopening within it costs no SP-API call and no wait."""

US_MARKETPLACE_ID = "ATVPDKIKX0DER"
"""The marketplace asked when a conversation does not say (the library's own default)."""


class ProblemKind(StrEnum):
    """Why an order could not be shown."""

    NOT_CONFIGURED = "not_configured"  # SP-API credentials unset
    THROTTLED = "throttled"  # 429 after the retry
    NOT_FOUND = "not_found"
    REFUSED = "refused"  # 400/401/403: the app lacks the role, or the call is not allowed
    UNAVAILABLE = "unavailable"  # timeout, connection failure, 5xx, unreadable answer


PROBLEM_HINTS: Mapping[ProblemKind, str] = {
    ProblemKind.NOT_CONFIGURED: (
        "Amazon order details are off: set LWA_APP_ID, LWA_CLIENT_SECRET and "
        "SP_API_REFRESH_TOKEN on the amz-guard server to show them here."
    ),
    ProblemKind.THROTTLED: "Amazon is rate-limiting order look-ups; reopen this in a minute.",
    ProblemKind.NOT_FOUND: "Amazon does not know this order ID for the seller's account.",
    ProblemKind.REFUSED: "Amazon refused the request (check the app's SP-API roles).",
    ProblemKind.UNAVAILABLE: (
        "Could not load order details now: Amazon did not answer in time. Reopen the sidebar "
        "in a minute."
    ),
}


@dataclass(frozen=True)
class Money:
    """An amount as SP-API gives it: a decimal string and an ISO currency code."""

    amount: str
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True)
class OrderItem:
    """One line of an order."""

    asin: str | None
    seller_sku: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int | None = None
    item_price: Money | None = None


@dataclass(frozen=True)
class Order:
    """The order facts the sidebar shows (Orders v0 `Order` and its `OrderItems`)."""

    order_id: str
    status: str | None
    purchase_date: datetime | None
    fulfillment_channel: str | None  # "AFN" (Fulfilled by Amazon) or "MFN" (by the seller)
    marketplace_id: str | None
    order_total: Money | None
    earliest_ship_date: datetime | None = None
    latest_ship_date: datetime | None = None
    earliest_delivery_date: datetime | None = None
    latest_delivery_date: datetime | None = None
    items: tuple[OrderItem, ...] = ()

    @property
    def fulfilled_by_amazon(self) -> bool:
        return self.fulfillment_channel == "AFN"

    def to_json(self) -> str:
        """The order as JSON for the Redis cache."""
        return json.dumps(asdict(self), default=_json_default)

    @classmethod
    def from_json(cls, text: str | bytes) -> Order:
        """The inverse of `to_json`."""
        raw = json.loads(text)
        raw["items"] = tuple(
            OrderItem(**{**item, "item_price": _money_from(item.get("item_price"))})
            for item in raw.get("items", ())
        )
        raw["order_total"] = _money_from(raw.get("order_total"))
        for name in _DATE_FIELDS:
            raw[name] = _parse_datetime(raw.get(name))
        return cls(**raw)


@dataclass(frozen=True)
class OrderProblem:
    """An order that could not be read; `hint` is the line the sidebar shows."""

    order_id: str
    kind: ProblemKind
    hint: str = ""
    detail: str = field(default="", compare=False)  # for the log, never shown

    def __post_init__(self) -> None:
        if not self.hint:
            object.__setattr__(self, "hint", PROBLEM_HINTS[self.kind])


class ReviewRequestState(StrEnum):
    """Whether "Request a Review" can be sent for an order now."""

    AVAILABLE = "available"  # Amazon offers the action: inside the window, never sent
    REQUESTED = "requested"  # amz-guard sent it already
    NOT_OFFERED = "not_offered"  # outside the window, sent before, or not eligible


@dataclass(frozen=True)
class SpApiCredentials:
    """The three values python-amazon-sp-api needs (reference §5.1)."""

    lwa_app_id: str
    lwa_client_secret: SecretStr
    refresh_token: SecretStr

    def for_library(self) -> dict[str, str]:
        return {
            "lwa_app_id": self.lwa_app_id,
            "lwa_client_secret": self.lwa_client_secret.get_secret_value(),
            "refresh_token": self.refresh_token.get_secret_value(),
        }


class BudgetSpent(Exception):
    """The caller's time for SP-API ran out before a call could start."""


def order_cache_key(order_id: str) -> str:
    """Redis key of an order read from SP-API."""
    return key_for("sp-api", "order", order_id)


def solicitation_actions_key(order_id: str) -> str:
    """Redis key of Amazon's last answer on whether "Request a Review" is offered."""
    return key_for("sp-api", "solicitation-actions", order_id)


def failure_key(operation: str, order_id: str) -> str:
    """Redis key remembering a failed read (`operation`: "order" or "solicitation-actions")."""
    return key_for("sp-api", "failed", operation, order_id)


def review_requested_key(order_id: str) -> str:
    """Redis key marking that amz-guard sent the review request for an order."""
    return key_for("sp-api", "review-requested", order_id)


class OrderLookup:
    """Orders and review requests for the sidebar, cached in Redis; never raises on SP-API.

    `sleep` is the wait between throttled attempts (tests pass a no-op).
    """

    def __init__(
        self,
        credentials: SpApiCredentials | None,
        redis_conn: Redis,
        *,
        endpoint: str | None = None,
        lwa_token_url: str = "https://api.amazon.com/auth/o2/token",
        timeout_s: float = 2.0,
        cache_ttl_s: int = 900,
        throttle_tries: int = THROTTLE_TRIES,
        throttle_delay_s: float = THROTTLE_DELAY_S,
        budget_s: float = 1.0,
        failure_ttl_s: int = FAILURE_TTL_S,
    ) -> None:
        self._credentials = credentials
        self._redis = redis_conn
        self._endpoint = endpoint
        self._lwa_token_url = lwa_token_url
        self._timeout_s = timeout_s
        self._cache_ttl_s = cache_ttl_s
        self._throttle_tries = throttle_tries
        self._throttle_delay_s = throttle_delay_s
        self.budget_s = budget_s
        self._failure_ttl_s = failure_ttl_s

    @classmethod
    def from_settings(cls, settings: Settings, redis_conn: Redis, **options: Any) -> OrderLookup:
        """A lookup with the settings' credentials (None when unset: every call gives a hint)."""
        credentials = None
        if settings.lwa_app_id and settings.lwa_client_secret and settings.sp_api_refresh_token:
            credentials = SpApiCredentials(
                settings.lwa_app_id, settings.lwa_client_secret, settings.sp_api_refresh_token
            )
        return cls(
            credentials,
            redis_conn,
            endpoint=settings.sp_api_endpoint,
            lwa_token_url=settings.sp_api_lwa_token_url,
            timeout_s=settings.sp_api_timeout_s,
            cache_ttl_s=settings.order_cache_ttl_s,
            budget_s=settings.sp_api_budget_s,
            **options,
        )

    @property
    def configured(self) -> bool:
        return self._credentials is not None

    def prepare(self) -> None:
        """Import the library now (about a second, once per process) when it will be used, so
        that the first request's time budget is spent on Amazon, not on imports."""
        if self._credentials is not None:
            import sp_api.api
            import sp_api.util  # noqa: F401

    def cached_order(self, order_id: str) -> Order | None:
        """The order from Redis, or None when not cached (or Redis is unreachable)."""
        try:
            cached = self._redis.get(order_cache_key(order_id))
        except redis.exceptions.RedisError as err:
            log.warning("order cache unavailable: %s", type(err).__name__)
            return None
        if cached is None:
            return None
        try:
            return Order.from_json(cached)
        except (ValueError, TypeError, KeyError):
            return None  # an older cache layout: read it again

    def order(
        self,
        order_id: str,
        marketplace: Marketplace | None = None,
        *,
        deadline: float | None = None,
    ) -> Order | OrderProblem:
        """The order with its items, from the cache or SP-API (getOrder, then getOrderItems).

        `deadline` (a `time.monotonic()` value) bounds the calls; a read that failed less than
        FAILURE_TTL_S ago is not tried again.
        """
        cached = self.cached_order(order_id)
        if cached is not None:
            return cached
        if self._credentials is None:
            return OrderProblem(order_id, ProblemKind.NOT_CONFIGURED)
        failed = self._recent_failure("order", order_id)
        if failed is not None:
            return failed
        from sp_api.api import Orders

        try:
            with self._client(Orders, marketplace, deadline) as client:
                order_payload = self._call(client.get_order, order_id, deadline).payload
                items_payload = self._call(client.get_order_items, order_id, deadline).payload
        except Exception as err:  # the library raises many unrelated types; each is mapped
            return self._failed("order", _problem_for(order_id, err))
        try:
            order = order_from_payload(order_payload, items_payload)
        except (KeyError, TypeError, ValueError) as err:
            problem = OrderProblem(order_id, ProblemKind.UNAVAILABLE, detail=f"unreadable: {err}")
            return self._failed("order", problem)
        try:
            self._redis.set(order_cache_key(order_id), order.to_json(), ex=self._cache_ttl_s)
        except redis.exceptions.RedisError as err:
            log.warning("order %s not cached: %s", order_id, type(err).__name__)
        return order

    def review_request_state(
        self,
        order_id: str,
        marketplace: Marketplace | None = None,
        *,
        use_cache: bool = True,
        deadline: float | None = None,
    ) -> ReviewRequestState | OrderProblem:
        """Whether "Request a Review" may be sent now; Amazon decides the window and "once".

        getSolicitationActionsForOrder lists the action only while it is allowed (5-30 days after
        delivery, not sent yet); our own marker answers first, so a review requested from the
        sidebar is never offered again, even before Amazon's answer reflects it. Amazon's answer
        is reused for SOLICITATION_ACTIONS_TTL_S, and a failure for FAILURE_TTL_S, unless
        `use_cache` is False (a click asks again). `deadline` bounds the call.
        """
        if self._already_requested(order_id):
            return ReviewRequestState.REQUESTED
        if self._credentials is None:
            return OrderProblem(order_id, ProblemKind.NOT_CONFIGURED)
        if use_cache:
            try:
                cached = self._redis.get(solicitation_actions_key(order_id))
            except redis.exceptions.RedisError:
                cached = None
            if cached in (b"available", b"not_offered"):
                return ReviewRequestState(cached.decode())
            failed = self._recent_failure("solicitation-actions", order_id)
            if failed is not None:
                return failed
        from sp_api.api import Solicitations

        try:
            with self._client(Solicitations, marketplace, deadline) as client:
                method = client.get_solicitation_actions_for_order
                payload = self._call(method, order_id, deadline).payload
        except Exception as err:
            return self._failed("solicitation-actions", _problem_for(order_id, err))
        state = (
            ReviewRequestState.AVAILABLE
            if REVIEW_SOLICITATION_ACTION in offered_solicitations(payload)
            else ReviewRequestState.NOT_OFFERED
        )
        with contextlib.suppress(redis.exceptions.RedisError):
            self._redis.set(
                solicitation_actions_key(order_id), str(state), ex=SOLICITATION_ACTIONS_TTL_S
            )
        return state

    def request_review(
        self, order_id: str, marketplace: Marketplace | None = None
    ) -> ReviewRequestState | OrderProblem:
        """Send Amazon's "Request a Review" once; REQUESTED when sent now or before.

        Asks Amazon first whether the action is offered, so nothing is sent outside the window.
        """
        state = self.review_request_state(order_id, marketplace, use_cache=False)
        if state is not ReviewRequestState.AVAILABLE:
            return state
        from sp_api.api import Solicitations

        marker = review_requested_key(order_id)
        # Claimed before sending: two agents clicking at once send one request.
        if not self._redis.set(marker, "sending", nx=True, ex=REVIEW_REQUESTED_TTL_S):
            return ReviewRequestState.REQUESTED
        try:
            with self._client(Solicitations, marketplace) as client:
                self._call(client.create_product_review_and_seller_feedback_solicitation, order_id)
        except Exception as err:
            self._redis.delete(marker)
            return _problem_for(order_id, err)
        self._redis.set(marker, "sent", ex=REVIEW_REQUESTED_TTL_S)
        return ReviewRequestState.REQUESTED

    def _recent_failure(self, operation: str, order_id: str) -> OrderProblem | None:
        """The problem of a read that failed less than FAILURE_TTL_S ago, if any."""
        try:
            kind = self._redis.get(failure_key(operation, order_id))
        except redis.exceptions.RedisError:
            return None
        if kind is None:
            return None
        try:
            return OrderProblem(order_id, ProblemKind(kind.decode()), detail="failed recently")
        except ValueError:
            return None

    def _failed(self, operation: str, problem: OrderProblem) -> OrderProblem:
        """Remember `problem` briefly (not a missing configuration: no call was made)."""
        if problem.kind is not ProblemKind.NOT_CONFIGURED:
            with contextlib.suppress(redis.exceptions.RedisError):
                key = failure_key(operation, problem.order_id)
                self._redis.set(key, str(problem.kind), ex=self._failure_ttl_s)
        return problem

    def _already_requested(self, order_id: str) -> bool:
        try:
            return bool(self._redis.exists(review_requested_key(order_id)))
        except redis.exceptions.RedisError:
            return False

    def _client(
        self, api_class: type, marketplace: Marketplace | None, deadline: float | None = None
    ) -> Any:
        """A library client for `marketplace` (US when unknown) at our endpoint, its timeout
        no longer than the time left before `deadline`."""
        from sp_api.base import Marketplaces
        from sp_api.base.credential_provider import FromCodeCredentialProvider

        assert self._credentials is not None
        timeout_s = min(self._timeout_s, _time_left(deadline))
        marketplace_id = marketplace.marketplace_id if marketplace else US_MARKETPLACE_ID
        library_marketplace = next(
            (m for m in Marketplaces if m.marketplace_id == marketplace_id), Marketplaces.US
        )
        client = api_class(
            library_marketplace,
            credentials=self._credentials.for_library(),
            credential_providers=(FromCodeCredentialProvider,),
            timeout=timeout_s,
            auth_token_client_class=partial(
                _token_client, token_url=self._lwa_token_url, timeout_s=timeout_s
            ),
        )
        if self._endpoint:
            client.endpoint = self._endpoint
        return client

    def _call(
        self, method: Callable[..., Any], order_id: str, deadline: float | None = None
    ) -> Any:
        """`method(order_id)` with the library's throttle retry, short enough for a request:
        no attempt starts after `deadline`, and no retry unless its wait fits before it."""
        from sp_api.util import throttle_retry

        def attempt(order_id: str) -> Any:
            _time_left(deadline)  # raises BudgetSpent
            return method(order_id)

        retry = deadline is None or _time_left(deadline) > self._throttle_delay_s
        tries = self._throttle_tries if retry else 1
        return throttle_retry(tries=tries, delay=self._throttle_delay_s)(attempt)(order_id)


def _time_left(deadline: float | None) -> float:
    """Seconds left before `deadline` (infinite without one); raises `BudgetSpent` at zero."""
    if deadline is None:
        return float("inf")
    left = deadline - time.monotonic()
    if left <= 0:
        raise BudgetSpent("the SP-API time budget of this request is spent")
    return left


def _token_client(*, token_url: str, timeout_s: float, **kwargs: Any) -> Any:
    """The library's LWA token client, at `token_url` with our timeout."""
    from sp_api.auth import AccessTokenClient
    from sp_api.base._transport_httpx import HttpxTransport

    token_client = AccessTokenClient(**kwargs)
    parts = urlsplit(token_url)
    token_client.scheme = f"{parts.scheme}://"
    token_client.host = parts.netloc
    token_client.path = parts.path
    token_client._transport = HttpxTransport(
        timeout=timeout_s, proxies=kwargs.get("proxies"), verify=kwargs.get("verify", True)
    )
    return token_client


def order_from_payload(order_payload: Mapping[str, Any], items_payload: Any) -> Order:
    """An `Order` from getOrder's payload and getOrderItems' (`{"OrderItems": [...]}`)."""
    raw_items = items_payload.get("OrderItems", []) if isinstance(items_payload, Mapping) else []
    items = tuple(
        OrderItem(
            asin=item.get("ASIN"),
            seller_sku=item.get("SellerSKU"),
            title=item.get("Title"),
            quantity_ordered=int(item.get("QuantityOrdered") or 0),
            quantity_shipped=(
                int(item["QuantityShipped"]) if item.get("QuantityShipped") is not None else None
            ),
            item_price=_money_from(item.get("ItemPrice")),
        )
        for item in raw_items
        if isinstance(item, Mapping)
    )
    return Order(
        order_id=str(order_payload["AmazonOrderId"]),
        status=order_payload.get("OrderStatus"),
        purchase_date=_parse_datetime(order_payload.get("PurchaseDate")),
        fulfillment_channel=order_payload.get("FulfillmentChannel"),
        marketplace_id=order_payload.get("MarketplaceId"),
        order_total=_money_from(order_payload.get("OrderTotal")),
        earliest_ship_date=_parse_datetime(order_payload.get("EarliestShipDate")),
        latest_ship_date=_parse_datetime(order_payload.get("LatestShipDate")),
        earliest_delivery_date=_parse_datetime(order_payload.get("EarliestDeliveryDate")),
        latest_delivery_date=_parse_datetime(order_payload.get("LatestDeliveryDate")),
        items=items,
    )


def offered_solicitations(payload: Any) -> list[str]:
    """Action names getSolicitationActionsForOrder offers: `_links.actions[].name`.

    The library hands back the HAL body as its payload (solicitations.json's
    GetSolicitationActionsForOrderResponse).
    """
    if not isinstance(payload, Mapping):
        return []
    actions = (payload.get("_links") or {}).get("actions") or []
    return [
        action["name"] for action in actions if isinstance(action, Mapping) and "name" in action
    ]


_DATE_FIELDS = (
    "purchase_date",
    "earliest_ship_date",
    "latest_ship_date",
    "earliest_delivery_date",
    "latest_delivery_date",
)


def _money_from(value: Any) -> Money | None:
    """A Money from SP-API's `{"CurrencyCode", "Amount"}` or our cached `{"amount", "currency"}`."""
    if not isinstance(value, Mapping):
        return None
    amount = value.get("Amount", value.get("amount"))
    currency = value.get("CurrencyCode", value.get("currency"))
    if amount is None or currency is None:
        return None
    return Money(str(amount), str(currency))


def _parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from SP-API's ISO 8601 (`2026-11-02T18:03:14Z`), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _problem_for(order_id: str, err: Exception) -> OrderProblem:
    """The `OrderProblem` for what SP-API (or the way to it) raised."""
    from sp_api.auth.exceptions import AuthorizationError
    from sp_api.base import SellingApiException
    from sp_api.base.credential_provider import MissingCredentials

    if isinstance(err, MissingCredentials):
        kind = ProblemKind.NOT_CONFIGURED
    elif isinstance(err, BudgetSpent):
        kind = ProblemKind.UNAVAILABLE
    elif isinstance(err, SellingApiException):
        code = getattr(err, "code", None)
        kind = {
            429: ProblemKind.THROTTLED,
            404: ProblemKind.NOT_FOUND,
            400: ProblemKind.REFUSED,
            401: ProblemKind.REFUSED,
            403: ProblemKind.REFUSED,
        }.get(code, ProblemKind.UNAVAILABLE)
    elif isinstance(err, AuthorizationError):
        kind = ProblemKind.REFUSED
    elif isinstance(err, httpx.HTTPError | ValueError):
        kind = ProblemKind.UNAVAILABLE
    else:
        raise err
    log.warning("SP-API: order %s not shown (%s, %s)", order_id, kind, type(err).__name__)
    return OrderProblem(order_id, kind, detail=type(err).__name__)
