"""Webhook deliveries handed from the web to the workers: queued once per delivery.

Help Scout delivers at least once. The web view calls `enqueue_webhook_delivery`, which queues
one RQ job under the delivery key with RQ's atomic unique enqueue, so an event delivered twice,
or twice at the same moment, is queued once while its job is waiting, running, finished (kept
`DELIVERY_RESULT_TTL_S`) or failed. The job (`workers.enforcement.process_webhook_delivery`,
named here by its dotted path so the web process never loads the enforcement code) records the
delivery in the database and skips one already processed, which covers a redelivery that comes
after Redis forgot the job.

Why the view writes nothing to the database: Redis is the hand-off. One write there (a Lua
script, atomic) is all a request costs; a database write per request (a SQLite lock and fsync, a
PostgreSQL round trip and commit) cost 10 times the bare endpoint's throughput in the benchmark
(bench/README.md, "Webhook ingest"). It also keeps webhooks accepted while the database is down:
the jobs wait in Redis and retry, instead of Help Scout retrying (and perhaps disabling the
webhook). When Redis is down, nothing is recorded anywhere and the view answers 503.
"""

from __future__ import annotations

from rq import Queue
from rq.exceptions import DuplicateJobError

from helpscout_app.helpscout.webhook_events import WebhookEvent, delivery_key
from workers.retries import transient_retry

DELIVERY_JOB = "workers.enforcement.process_webhook_delivery"
"""The job that acts on a delivery; RQ imports it in the worker."""

DELIVERY_JOB_TIMEOUT_S = 5 * 60
"""A delivery job makes a few Help Scout calls, but the client may wait out a 429 (twice, up to
a minute each) before giving up."""

DELIVERY_RESULT_TTL_S = 24 * 3600
"""How long a finished delivery job (and its short result) stays in Redis, answering
redeliveries without a database query."""

FAILED_DELIVERY_TTL_S = 7 * 24 * 3600
"""How long a failed delivery job stays in RQ's failed registry for an operator to requeue. It
holds the webhook payload, customer text included, so not forever."""


def enqueue_webhook_delivery(queue: Queue, event: WebhookEvent) -> bool:
    """Queue `event`'s job under its delivery key; False if that delivery is queued already.

    Raises redis `ConnectionError`/`TimeoutError` when Redis is unavailable; nothing is then
    stored anywhere.
    """
    key = delivery_key(event)
    try:
        queue.enqueue(
            DELIVERY_JOB,
            kwargs={
                "delivery_key": key,
                "event_name": event.event_name,
                "conversation_id": event.conversation_id,
                "thread_id": event.thread_id,
                "payload": dict(event.payload),
            },
            job_id=key,
            unique=True,
            retry=transient_retry(),
            job_timeout=DELIVERY_JOB_TIMEOUT_S,
            result_ttl=DELIVERY_RESULT_TTL_S,
            failure_ttl=FAILED_DELIVERY_TTL_S,
            # RQ's default description is the call with its arguments: the whole payload,
            # customer text included, in every log line and dashboard.
            description=f"{event.event_name} for conversation {event.conversation_id}",
        )
    except DuplicateJobError:
        return False  # queued, running, finished or failed already
    return True
