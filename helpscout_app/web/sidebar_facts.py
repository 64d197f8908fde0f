"""What the sidebar shows for one conversation, gathered from the store, Help Scout and SP-API.

Both sidebar kinds (the legacy Dynamic App and the iframe app) build the same `SidebarFacts`
and render the same template. Order of work, so an agent is never kept waiting on one slow
source:

1. the store (one short read: the 24-hour clock, "No response needed", stored order IDs and the
   last compliance check), then the transaction is closed (on SQLite any open transaction holds
   the write lock);
2. Help Scout's conversation (the buyer's latest message, the latest draft or reply), read with
   a short timeout and no retries; what is derived from it (the playbook situation, the
   detector's report) is kept in Redis for CONVERSATION_CACHE_TTL_S so reopening is instant;
3. the orders through `OrderLookup` (Redis-cached, short timeouts), in parallel and within
   SP_API_BUDGET_S for all of them.

Whatever a source cannot give becomes a line in `unavailable`, and the rest is still shown.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis.exceptions
from sqlalchemy import select

from helpscout_app.amazon.marketplaces import (
    MARKETPLACES,
    Marketplace,
    marketplace_by_id,
    marketplace_by_tld,
)
from helpscout_app.amazon.orders import (
    Order,
    OrderLookup,
    OrderProblem,
    ProblemKind,
    ReviewRequestState,
)
from helpscout_app.amazon.relay_address import parse_relay_address
from helpscout_app.compliance import check
from helpscout_app.compliance.html_view import html_views
from helpscout_app.enforcement.conversation_ref import find_order_ids
from helpscout_app.enforcement.threads import (
    attachment_names,
    is_agent_reply,
    thread_body,
    thread_created_at,
    thread_state,
)
from helpscout_app.helpscout.errors import HelpScoutAPIError
from helpscout_app.helpscout.sidebar_payloads import SidebarRequest
from helpscout_app.helpscout.webhook_events import (
    CUSTOMER_THREAD_TYPES,
    conversation_customer_email,
    embedded_threads,
    positive_int,
)
from helpscout_app.playbook import Advice, Classification, Situation, advise, classify_message
from helpscout_app.playbook.advice import RefundFacts
from helpscout_app.playbook.review_window import WindowState, review_window
from helpscout_app.reconciliation.clock import ResponseClock, conversation_clock
from helpscout_app.reconciliation.no_response_needed import NrnPending, pending_nrn
from helpscout_app.store.models import ComplianceCheck, Conversation
from workers.queues import key_for

if TYPE_CHECKING:
    from redis import Redis
    from sqlalchemy.orm import Session

    from helpscout_app.helpscout.client import HelpScoutClient

log = logging.getLogger(__name__)

CONVERSATION_CACHE_TTL_S = 60
"""How long what the sidebar derived from a Help Scout conversation is reused. Short: a draft
changes as the agent types, and the sidebar is reloaded when the conversation is reopened."""

_LONG_AGO = datetime.min.replace(tzinfo=UTC)
"""Sort key of a thread without a creation time: oldest."""

MAX_ORDERS = 3
"""Orders looked up per conversation: a buyer's message names one, rarely two."""

SP_API_THREADS = 8
"""Threads per process reading orders for sidebar requests (a few requests' orders at once)."""

DEADLINE_GRACE_S = 0.1
"""How long past the SP-API budget the request waits for reads that are finishing anyway."""

_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_PID: int | None = None
_EXECUTOR_LOCK = threading.Lock()


@dataclass(frozen=True)
class ComplianceView:
    """The detector's verdict on the latest draft or reply."""

    source: str  # "draft", "scheduled" or "reply"
    blocked: bool
    findings: tuple[dict[str, Any], ...]
    redacted: str | None  # None when only the stored check is known (bodies are not stored)
    checked_at: datetime | None = None


@dataclass(frozen=True)
class ConversationContent:
    """What the sidebar derives from Help Scout's copy of the conversation (cached in Redis)."""

    number: int | None
    subject: str | None
    customer_email: str | None
    order_ids: tuple[str, ...]
    classification: Classification | None
    compliance: ComplianceView | None

    def to_json(self) -> str:
        return json.dumps(
            {
                "number": self.number,
                "subject": self.subject,
                "customer_email": self.customer_email,
                "order_ids": list(self.order_ids),
                "situation": self.classification.situation if self.classification else None,
                "phrase": self.classification.phrase if self.classification else None,
                "compliance": None
                if self.compliance is None
                else {
                    "source": self.compliance.source,
                    "blocked": self.compliance.blocked,
                    "findings": list(self.compliance.findings),
                    "redacted": self.compliance.redacted,
                },
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ConversationContent:
        raw = json.loads(text)
        compliance = raw.get("compliance")
        return cls(
            number=raw.get("number"),
            subject=raw.get("subject"),
            customer_email=raw.get("customer_email"),
            order_ids=tuple(raw.get("order_ids") or ()),
            classification=None
            if raw.get("situation") is None
            else Classification(Situation(raw["situation"]), raw.get("phrase")),
            compliance=None
            if compliance is None
            else ComplianceView(
                source=compliance["source"],
                blocked=compliance["blocked"],
                findings=tuple(compliance["findings"]),
                redacted=compliance["redacted"],
            ),
        )


@dataclass(frozen=True)
class OrderView:
    """One order as the sidebar shows it, with its "Request a Review" state when relevant."""

    order_id: str
    order: Order | None
    problem: OrderProblem | None
    review_window: WindowState = WindowState.UNKNOWN
    review: ReviewRequestState | OrderProblem | None = None  # asked only for a happy buyer


@dataclass(frozen=True)
class SidebarFacts:
    """Everything the widget renders."""

    request: SidebarRequest
    now: datetime
    is_amazon: bool
    marketplace: Marketplace | None
    conversation_number: int | None
    subject: str | None
    clock: ResponseClock | None
    nrn: NrnPending | None
    compliance: ComplianceView | None
    classification: Classification | None
    advice: Advice | None
    orders: tuple[OrderView, ...]
    orders_configured: bool
    unavailable: tuple[str, ...] = field(default=())

    @property
    def order_ids(self) -> tuple[str, ...]:
        return tuple(view.order_id for view in self.orders)


def conversation_cache_key(conversation_id: int) -> str:
    """Redis key of what the sidebar derived from a Help Scout conversation."""
    return key_for("sidebar", "conversation", conversation_id)


@dataclass
class _Stored:
    """The store's part, read in one short transaction."""

    conversation: dict[str, Any] | None = None
    clock: ResponseClock | None = None
    nrn: NrnPending | None = None
    last_check: ComplianceView | None = None


def gather_facts(
    request: SidebarRequest,
    *,
    session: Session,
    redis_conn: Redis,
    helpscout: HelpScoutClient | None,
    orders: OrderLookup,
    amazon_mailbox_ids: tuple[int, ...],
    refund_template: str,
    now: datetime,
) -> SidebarFacts:
    """The sidebar's facts for `request`; never raises for an outside service being down."""
    unavailable: list[str] = []
    stored = _read_store(session, request.conversation_id, now)
    row = stored.conversation or {}
    content = None
    if request.conversation_id is not None and not _surely_not_amazon(
        request, row, amazon_mailbox_ids
    ):
        content = _conversation_content(request.conversation_id, redis_conn, helpscout, unavailable)

    customer_email = request.customer_email or (content and content.customer_email)
    customer_email = customer_email or row.get("customer_email")
    relay = parse_relay_address(customer_email)
    mailbox_id = request.mailbox_id or row.get("mailbox_id")
    is_amazon = bool(
        row.get("is_amazon") or relay is not None or (mailbox_id in amazon_mailbox_ids)
    )
    marketplace = _marketplace(row.get("marketplace"), relay.tld if relay else None)

    order_ids = tuple(
        dict.fromkeys(
            [
                *(row.get("order_ids") or ()),
                *(content.order_ids if content else ()),
                *find_order_ids([request.subject]),
            ]
        )
    )[:MAX_ORDERS]
    classification = content.classification if content else None
    situation = classification.situation if classification else None
    order_views = _order_views(order_ids if is_amazon else (), orders, marketplace, situation, now)
    advice = None
    if is_amazon and situation is not None:
        advice = advise(
            situation, refund_template=refund_template, refund=_refund_facts(order_views)
        )
    return SidebarFacts(
        request=request,
        now=now,
        is_amazon=is_amazon,
        marketplace=marketplace,
        conversation_number=request.conversation_number
        or (content.number if content else None)
        or row.get("number"),
        subject=request.subject or (content.subject if content else None) or row.get("subject"),
        clock=stored.clock,
        nrn=stored.nrn,
        compliance=(content.compliance if content else None) or stored.last_check,
        classification=classification,
        advice=advice,
        orders=order_views,
        orders_configured=orders.configured,
        unavailable=tuple(unavailable),
    )


def _surely_not_amazon(
    request: SidebarRequest, row: Mapping[str, Any], amazon_mailbox_ids: tuple[int, ...]
) -> bool:
    """True when the Dynamic App's payload already shows an ordinary customer in an ordinary
    mailbox, and the store does not say otherwise: Help Scout need not be asked."""
    if row.get("is_amazon") or request.customer_email is None or request.mailbox_id is None:
        return False
    return (
        parse_relay_address(request.customer_email) is None
        and request.mailbox_id not in amazon_mailbox_ids
    )


def _read_store(session: Session, conversation_id: int | None, now: datetime) -> _Stored:
    """The store's facts about the conversation, then the transaction ends."""
    stored = _Stored()
    if conversation_id is None:
        return stored
    try:
        row = session.get(Conversation, conversation_id)
        if row is not None:
            stored.conversation = {
                "number": row.number,
                "mailbox_id": row.mailbox_id,
                "customer_email": row.customer_email,
                "is_amazon": row.is_amazon,
                "subject": row.subject,
                "order_ids": list(row.order_ids or ()),
                "marketplace": row.marketplace,
            }
            stored.clock = conversation_clock(session, conversation_id, now=now)
            stored.nrn = pending_nrn(session, conversation_id)
            last = session.scalars(
                select(ComplianceCheck)
                .where(ComplianceCheck.conversation_id == conversation_id)
                .order_by(ComplianceCheck.checked_at.desc(), ComplianceCheck.id.desc())
                .limit(1)
            ).first()
            if last is not None:
                stored.last_check = ComplianceView(
                    source=str(last.source),
                    blocked=last.blocked,
                    findings=tuple(last.findings or ()),
                    redacted=None,
                    checked_at=last.checked_at,
                )
    finally:
        session.rollback()
    return stored


def _conversation_content(
    conversation_id: int,
    redis_conn: Redis,
    helpscout: HelpScoutClient | None,
    unavailable: list[str],
) -> ConversationContent | None:
    """Help Scout's conversation as the sidebar needs it: from Redis, else fetched and cached."""
    key = conversation_cache_key(conversation_id)
    try:
        cached = redis_conn.get(key)
    except redis.exceptions.RedisError:
        cached = None
    if cached is not None:
        try:
            return ConversationContent.from_json(cached)
        except (ValueError, KeyError, TypeError):
            pass
    if helpscout is None:
        unavailable.append(
            "Help Scout API not configured (HELPSCOUT_APP_ID, HELPSCOUT_APP_SECRET): the "
            "draft check and the playbook advice need it."
        )
        return None
    try:
        conversation = helpscout.get_conversation(conversation_id)
    except HelpScoutAPIError as err:
        log.warning("sidebar: conversation %s not read from Help Scout: %s", conversation_id, err)
        unavailable.append("Help Scout did not answer in time: draft check and advice skipped.")
        return None
    content = content_from_conversation(conversation)
    with contextlib.suppress(redis.exceptions.RedisError):
        redis_conn.set(key, content.to_json(), ex=CONVERSATION_CACHE_TTL_S)
    return content


def content_from_conversation(conversation: Mapping[str, Any]) -> ConversationContent:
    """The buyer's latest message classified, and the latest draft or reply checked."""
    threads = sorted(
        embedded_threads(conversation),
        key=lambda thread: thread_created_at(thread) or _LONG_AGO,
        reverse=True,
    )
    customer_threads = [t for t in threads if t.get("type") in CUSTOMER_THREAD_TYPES]
    classification = (
        classify_message(thread_body(customer_threads[0])) if customer_threads else None
    )
    compliance = None
    reply = next((t for t in threads if is_agent_reply(t)), None)
    if reply is not None:
        report = check(thread_body(reply), html=True, attachments=attachment_names(reply))
        state = str(thread_state(reply))
        compliance = ComplianceView(
            source="reply" if state == "published" else state,
            blocked=report.blocked,
            findings=tuple(finding.to_dict() for finding in report.findings),
            # The body is HTML; the agent reads the redacted version as the buyer would see it.
            redacted=html_views(report.redacted).text.text.strip(),
        )
    subject = conversation.get("subject")
    return ConversationContent(
        number=positive_int(conversation.get("number")),
        subject=subject if isinstance(subject, str) else None,
        customer_email=conversation_customer_email(conversation),
        order_ids=find_order_ids([subject, *(thread_body(t) for t in customer_threads)]),
        classification=classification,
        compliance=compliance,
    )


def _marketplace(stored: str | None, relay_tld: str | None) -> Marketplace | None:
    """The stored marketplace (an ID or a country code), else the relay address's."""
    if stored:
        found = marketplace_by_id(stored) or next(
            (m for m in MARKETPLACES if m.country_code == stored.upper()), None
        )
        if found is not None:
            return found
    return marketplace_by_tld(relay_tld) if relay_tld else None


def _order_views(
    order_ids: tuple[str, ...],
    orders: OrderLookup,
    marketplace: Marketplace | None,
    situation: Situation | None,
    now: datetime,
) -> tuple[OrderView, ...]:
    """The orders' views, read in parallel within the lookup's budget (SP_API_BUDGET_S).

    An order not read by then is shown as "could not load order details now"; its read goes on
    in the background (no new call starts after the deadline) and leaves either the order or
    the failure in Redis, so reopening the sidebar does not wait again.
    """
    if not order_ids:
        return ()
    orders.prepare()
    deadline = time.monotonic() + orders.budget_s
    executor = _executor()
    futures = [
        executor.submit(_order_view, order_id, orders, marketplace, situation, now, deadline)
        for order_id in order_ids
    ]
    done, _ = wait(futures, timeout=max(0.0, deadline - time.monotonic()) + DEADLINE_GRACE_S)
    views = []
    for order_id, future in zip(order_ids, futures, strict=True):
        if future in done and future.exception() is None:
            views.append(future.result())
            continue
        if future in done:
            log.error("sidebar: order %s view failed", order_id, exc_info=future.exception())
        problem = OrderProblem(order_id, ProblemKind.UNAVAILABLE, detail="over the budget")
        views.append(OrderView(order_id, None, problem))
    return tuple(views)


def _executor() -> ThreadPoolExecutor:
    """This process's pool for SP-API reads (created after a fork, never inherited)."""
    global _EXECUTOR, _EXECUTOR_PID
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None or os.getpid() != _EXECUTOR_PID:
            _EXECUTOR = ThreadPoolExecutor(SP_API_THREADS, thread_name_prefix="sidebar-sp-api")
            _EXECUTOR_PID = os.getpid()
        return _EXECUTOR


def _order_view(
    order_id: str,
    orders: OrderLookup,
    marketplace: Marketplace | None,
    situation: Situation | None,
    now: datetime,
    deadline: float | None = None,
) -> OrderView:
    """The order, and for a happy buyer whether "Request a Review" may be offered now.

    Amazon is asked inside the window computed from the delivery dates, and also when the window
    is unknown: Orders v0 gives delivery dates only for seller-fulfilled orders, so for FBA
    orders only getSolicitationActionsForOrder can tell.
    """
    found = orders.order(order_id, marketplace, deadline=deadline)
    if isinstance(found, OrderProblem):
        return OrderView(order_id, None, found)
    window = review_window(found.earliest_delivery_date, found.latest_delivery_date).state(now)
    review = None
    if situation is Situation.HAPPY_BUYER and window in (WindowState.OPEN, WindowState.UNKNOWN):
        review = orders.review_request_state(order_id, marketplace, deadline=deadline)
    return OrderView(order_id, found, None, window, review)


def _refund_facts(order_views: tuple[OrderView, ...]) -> RefundFacts | None:
    """Product, amount and order ID for the refund template, from the first order read."""
    for view in order_views:
        if view.order is None:
            continue
        item = view.order.items[0] if view.order.items else None
        product = (item.title or item.asin) if item else None
        amount = view.order.order_total or (item.item_price if item else None)
        return RefundFacts(product, str(amount) if amount else None, view.order_id)
    return None
