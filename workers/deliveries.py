"""Webhook deliveries handed from the web to the workers: queued once per delivery.

Help Scout delivers at least once. The web view calls `DeliveryQueue.enqueue`, which queues one
RQ job under the delivery key with RQ's atomic unique enqueue, so an event delivered twice, or
twice at the same moment, is queued once while its job is waiting, running, finished (kept
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

import time
from collections.abc import Callable

from redis.client import Pipeline
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

QUEUE_REGISTRATION_INTERVAL_S = 60.0
"""How often a process that queues deliveries adds the queue to RQ's set of queues again (see
`DeliveryQueue`): a queue name lost from that set (Redis restarted empty) comes back within this
long, without a round trip per delivery."""


class DeliveryQueue:
    """The deliveries queue as one process uses it: each delivery queued once, in one round trip.

    RQ's enqueue first adds the queue's name to its set of queues (`rq:queues`, what `rq info`
    lists; workers listen by name and never read it) in a Redis round trip of its own, then runs
    its unique-enqueue script in a second one. The first re-adds a name that is already there,
    yet cost the web worker 60-80 µs of CPU and a wait on Redis per delivery; without it the
    webhook benchmark's ingest rate rose by a tenth on a quiet machine and by more on a busy one
    (README.md, "Benchmarks"). So the first enqueue, and one every
    `QUEUE_REGISTRATION_INTERVAL_S`, go through RQ unchanged; the others hand RQ a pipeline that
    collects that one SADD and is dropped. Threads sharing one `DeliveryQueue` may at worst
    register the queue twice.
    """

    def __init__(
        self,
        queue: Queue,
        *,
        registration_interval_s: float = QUEUE_REGISTRATION_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self._retry = transient_retry()  # read by RQ into each job, never changed
        self._registration_interval_s = registration_interval_s
        self._clock = clock
        self._registered_at: float | None = None

    def enqueue(self, event: WebhookEvent) -> bool:
        """Queue `event`'s job under its delivery key; False if that delivery is queued already.

        Raises redis `ConnectionError`/`TimeoutError` when Redis is unavailable; nothing is then
        stored anywhere.
        """
        now = self._clock()
        if self._registration_due(now):
            queued = self._enqueue(event, pipeline=None)  # RQ's own way: the SADD, then the job
            self._registered_at = now
            return queued
        with self.queue.connection.pipeline() as registration:
            queued = self._enqueue(event, pipeline=registration)
            if not holds_only_queue_registration(registration, self.queue):
                # A future RQ that defers more than the SADD to the pipeline still gets it all.
                registration.execute()
        return queued

    def _registration_due(self, now: float) -> bool:
        """True for the first enqueue, and once `registration_interval_s` has passed since."""
        registered_at = self._registered_at
        return registered_at is None or now - registered_at >= self._registration_interval_s

    def _enqueue(self, event: WebhookEvent, pipeline: Pipeline | None) -> bool:
        """RQ's unique enqueue of the delivery job. With a unique job RQ runs its atomic script
        on the queue's own connection at once, whatever the pipeline; into `pipeline` it puts
        only the SADD to `rq:queues`."""
        key = delivery_key(event)
        try:
            self.queue.enqueue(
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
                pipeline=pipeline,
                retry=self._retry,
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


def holds_only_queue_registration(pipeline: Pipeline, queue: Queue) -> bool:
    """True when `pipeline` holds nothing but RQ's SADD of `queue` to its set of queues."""
    commands = [args for args, _options in pipeline.command_stack]
    return commands == [("SADD", queue.redis_queues_keys, queue.key)]


def enqueue_webhook_delivery(queue: Queue, event: WebhookEvent) -> bool:
    """Queue one delivery exactly as RQ does (for one-off callers: the benches, the tests).

    Raises redis `ConnectionError`/`TimeoutError` when Redis is unavailable.
    """
    return DeliveryQueue(queue).enqueue(event)
