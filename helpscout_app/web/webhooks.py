"""Help Scout webhook endpoint: verify the signature, read the event, queue its job once.

The view only validates and hands the delivery to RQ (`workers.deliveries`, which says why that
is the only write, made in one Redis round trip), so it answers in about half a millisecond; the
work, and the delivery's record in the database, happen in `workers.enforcement`. Help Scout
delivers at least once: a redelivery finds its job queued (or done) and is acknowledged without
queueing it again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import redis.exceptions
import structlog
from flask import Blueprint, abort, current_app, request
from pydantic import SecretStr
from werkzeug.exceptions import RequestEntityTooLarge, ServiceUnavailable

from helpscout_app.helpscout.errors import InvalidSignature, MalformedPayload
from helpscout_app.helpscout.signatures import verify_webhook_signature
from helpscout_app.helpscout.webhook_events import (
    EVENT_HEADER,
    Handling,
    delivery_key,
    parse_webhook_event,
)
from helpscout_app.observability import metrics
from workers.deliveries import DeliveryQueue
from workers.queues import APP_EXTENSION as REDIS_EXTENSION
from workers.queues import queue_for

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

MAX_BODY_BYTES = 5 * 1024 * 1024
"""Largest webhook body read. A v2 Conversation embeds its threads' HTML (up to 100 threads,
reference/helpscout.md §2.4); 5 MiB leaves room for long ones and still bounds what one request
can make the process hold."""

HELPSCOUT_EVENTS: tuple[str, ...] = (
    # Acted on (helpscout.webhook_events.HANDLING_BY_EVENT).
    "convo.agent.reply.created",
    "convo.customer.reply.created",
    "convo.created",
    # Acknowledged and ignored: the reconciliation's Help Scout sync reads these changes (closed
    # without a reply, the `nrn-done` tag, merged, moved) every pass.
    "convo.status",
    "convo.tags",
    "convo.merged",
    "convo.moved",
    # Acted on: a deleted conversation is never listed again, so only this says it is gone.
    "convo.deleted",
)
"""The events `amz-guard helpscout register-webhook` subscribes the endpoint to."""

APP_EXTENSION = "amz_guard_deliveries"
"""Key of the app's `DeliveryQueue` in `app.extensions`."""


def init_app(app: Flask) -> None:
    """Serve the webhook on `app` (after `workers.queues.init_app`), with one `DeliveryQueue`
    kept for the app's life: it remembers when the queue was last registered with RQ."""
    app.extensions[APP_EXTENSION] = DeliveryQueue(queue_for(app.extensions[REDIS_EXTENSION]))
    app.register_blueprint(bp)


@bp.post("/helpscout", strict_slashes=False)
def receive_helpscout_webhook() -> tuple[str, int]:
    """Verify, parse and queue one delivery; see the status contract by the handlers."""
    request.max_content_length = MAX_BODY_BYTES  # checked as the body is read: 413
    raw_body = request.get_data(cache=False)
    verify_webhook_signature(raw_body, request.headers, _webhook_secret())  # 401
    event = parse_webhook_event(request.headers, raw_body)  # 400
    if event.handling in (Handling.TEST, Handling.IGNORE):
        _outcome(event.event_name, "ignored", conversation_id=event.conversation_id)
        return "", 200
    deliveries: DeliveryQueue = current_app.extensions[APP_EXTENSION]
    queued = deliveries.enqueue(event)  # 503 when Redis is down
    _outcome(
        event.event_name,
        "queued" if queued else "duplicate",
        conversation_id=event.conversation_id,
        delivery_key=delivery_key(event),
    )
    return "", 202 if queued else 200


@bp.get("/helpscout", strict_slashes=False)
def probe_helpscout_webhook() -> tuple[str, int]:
    """Answer a GET or HEAD probe of the URL (a person or a monitor checking it is served)."""
    return "", 200


def _outcome(event_name: str | None, outcome: str, **context: object) -> None:
    """Count how an accepted delivery was answered, and say so on the request's log line.

    The facts are bound to the request's log context, so the one "request handled" line
    (observability.request_ids) carries them: at hundreds of deliveries a second, a second line
    per delivery cost as much as a third of the view's time. Refusals log lines of their own.
    """
    metrics.count_webhook(event_name, outcome)
    structlog.contextvars.bind_contextvars(
        helpscout_event=event_name or metrics.UNVERIFIED_EVENT, outcome=outcome, **context
    )


def _verified_event_name() -> str | None:
    """The event header, trusted once the signature has been verified (before parsing)."""
    return request.headers.get(EVENT_HEADER)


def _webhook_secret() -> SecretStr:
    """The webhook secret; 503 (Help Scout keeps the deliveries and retries) while it is unset."""
    secret = current_app.config["SETTINGS"].helpscout_webhook_secret
    if secret is None:
        log.error("HELPSCOUT_WEBHOOK_SECRET is not set: Help Scout webhooks are refused")
        abort(503, "HELPSCOUT_WEBHOOK_SECRET is not set on this server")
    return secret


# Status contract. Help Scout treats any answer but 2xx as "retry later", and is reported to
# disable a webhook that answers 410 (reference/helpscout.md §1.6), so:
#   202  the delivery's job queued
#   200  helpscout.test, event names amz-guard ignores, and redeliveries: nothing more to do
#   401  X-HelpScout-Signature missing or wrong: nothing queued
#   400  body unreadable as the event it names (not UTF-8, not a JSON object, no conversation id)
#   413  body over MAX_BODY_BYTES
#   503  Redis unavailable, or the secret unset: nothing queued, retry later
#   500  anything else (Flask's default)
# The database is not touched here: while it is down, deliveries still get 202 and their jobs
# retry (workers.retries).
# Never 410; never a redirect (strict_slashes=False accepts a trailing slash as it is).


@bp.errorhandler(InvalidSignature)
def _refuse_signature(error: InvalidSignature) -> tuple[dict[str, str], int]:
    log.warning("Help Scout webhook refused from %s: %s", request.remote_addr, error)
    metrics.count_webhook(None, "refused_signature")
    return {"error": str(error)}, 401


@bp.errorhandler(MalformedPayload)
def _refuse_payload(error: MalformedPayload) -> tuple[dict[str, str], int]:
    log.warning("Help Scout webhook refused: %s", error)
    metrics.count_webhook(_verified_event_name(), "refused_payload")
    return {"error": str(error)}, 400


@bp.errorhandler(RequestEntityTooLarge)
def _refuse_size(_error: RequestEntityTooLarge) -> tuple[dict[str, str], int]:
    metrics.count_webhook(None, "too_large")
    return {"error": f"the body is over {MAX_BODY_BYTES} bytes"}, 413


@bp.errorhandler(ServiceUnavailable)
def _unavailable(error: ServiceUnavailable) -> tuple[dict[str, str], int]:
    metrics.count_webhook(None, "unavailable")  # the secret is unset: nothing was verified
    return {"error": error.description or "unavailable, retry later"}, 503


@bp.errorhandler(redis.exceptions.ConnectionError)
@bp.errorhandler(redis.exceptions.TimeoutError)
def _redis_down(error: redis.exceptions.RedisError) -> tuple[dict[str, str], int]:
    log.error("Help Scout webhook not queued, Redis unavailable: %s", type(error).__name__)
    metrics.count_webhook(_verified_event_name(), "unavailable")
    return {"error": "the job queue is unavailable; retry later"}, 503
