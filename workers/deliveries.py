"""Webhook deliveries handed from the web to the workers: recorded once, queued once.

Help Scout delivers at least once. The web view calls `enqueue_webhook_delivery`, which records
the delivery and queues one RQ job for it under the delivery key, so an event delivered twice
(or twice at the same moment) is processed once. The job itself is
`workers.enforcement.process_webhook_delivery`, named here by its dotted path so that the web
process never loads the enforcement code.
"""

from __future__ import annotations

from rq import Queue
from rq.exceptions import DuplicateJobError
from sqlalchemy.orm import Session

from helpscout_app.helpscout.webhook_events import WebhookEvent, delivery_key
from helpscout_app.store.deliveries import DONE_STATUSES, get_delivery, record_delivery
from workers.retries import transient_retry

DELIVERY_JOB = "workers.enforcement.process_webhook_delivery"
"""The job that acts on a delivery; RQ imports it in the worker."""

DELIVERY_JOB_TIMEOUT_S = 5 * 60
"""A delivery job makes a few Help Scout calls, but the client may wait out a 429 (twice, up to
a minute each) before giving up."""

DELIVERY_RESULT_TTL_S = 24 * 3600
"""How long a finished delivery job (and its short result) stays in Redis."""

FAILED_DELIVERY_TTL_S = 7 * 24 * 3600
"""How long a failed delivery job stays in RQ's failed registry for an operator to requeue. It
holds the webhook payload, customer text included, so not forever."""


def enqueue_webhook_delivery(session: Session, queue: Queue, event: WebhookEvent) -> bool:
    """Record `event`'s delivery and queue its job, once; True if this call queued it.

    The delivery row is written in the caller's transaction, which is committed only after Redis
    took the job: when Redis fails, nothing is recorded, the caller answers 503, and Help Scout's
    retry starts afresh. The job id is the delivery key, enqueued with RQ's atomic unique enqueue,
    so concurrent redeliveries queue one job; a delivery already processed is not queued again
    even when its job has expired from Redis. If the commit fails after the enqueue, the job runs
    anyway and records the delivery itself (see `process_webhook_delivery`).

    Raises redis `ConnectionError`/`TimeoutError` or SQLAlchemy errors when either is down.
    """
    key = delivery_key(event)
    try:
        is_new = record_delivery(
            session, key, event.event_name, conversation_id=event.conversation_id
        )
        if not is_new:
            delivery = get_delivery(session, key)
            if delivery is not None and delivery.status in DONE_STATUSES:
                session.commit()
                return False
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
            queued = False  # queued, running, or in the failed registry already
        else:
            queued = True
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return queued
