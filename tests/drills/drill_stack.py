"""The fault drills' stack: what runs, and how a drill drives it and checks the end state.

`stack` (one per module) runs gunicorn serving `helpscout_app:create_app()`, `amz-guard worker`
subprocesses, a private `redis-server` (append-only file, fsync always), a database on a
private PostgreSQL cluster (`initdb` + `pg_ctl`, as the `postgres` user when run as root) and
the local Help Scout of `bench.fake_helpscout`. Nothing touches the shared Redis or PostgreSQL.

Without redis-server or PostgreSQL's binaries the drills skip, saying why; under `CI` they fail.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job
from rq.registry import StartedJobRegistry

from bench.fake_helpscout import FakeHelpScout
from bench.load import DeliveryMaker, SignedDelivery, end_state, send_delivery, wait_for_drain
from bench.stack import PrivatePostgres, PrivateRedis, Workers, wait_for
from workers.queues import WEBHOOKS_QUEUE, key_for, queue_for

DRAIN_TIMEOUT_S = 90.0
"""Long enough for RQ's first retry (30 s, workers.retries) and the scheduler to queue it."""


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail under CI, where every drill must run."""
    if os.environ.get("CI"):
        pytest.fail(f"drill cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Stack:
    """The running stack of one drill module, and the deliveries its drills sent."""

    workdir: Path
    port: int
    redis: PrivateRedis
    postgres: PrivatePostgres
    database_url: str
    fake: FakeHelpScout
    workers: Workers
    deliveries: DeliveryMaker
    accepted: list[SignedDelivery] = field(default_factory=list)
    last_seconds: float = 0.0  # how long the last `send` took

    def send(self, delivery: SignedDelivery | None = None, timeout_s: float = 10.0) -> str:
        """Post one new delivery (or `delivery`); remember it when the app accepts it."""
        delivery = delivery or self.deliveries.next()
        started = time.monotonic()
        status = send_delivery(self.port, delivery, timeout_s)
        if status.isdigit() and 200 <= int(status) < 300:
            self.accepted.append(delivery)
        self.last_seconds = time.monotonic() - started
        return status

    def redis_connection(self) -> Redis:
        return self.redis.connection()

    def job(self, delivery: SignedDelivery) -> Job:
        with self.redis_connection() as connection:
            return Job.fetch(delivery.delivery_key, connection=connection)

    def stall_next_token(self, seconds: float) -> None:
        """Hold the next job at its Help Scout token request, after its first database writes
        and before it calls Help Scout: the token kept in Redis (workers.helpscout_token) is
        dropped, so the job must ask for one, and the fake holds that request."""
        with self.redis_connection() as connection:
            for key in connection.scan_iter(key_for("helpscout-token", "*")):
                connection.delete(key)
        self.fake.stall_tokens(seconds)

    def wait_until_running(self, delivery_key: str) -> None:
        """Until the delivery's job is in a work horse, past its first database writes (its
        token request is then held by the fake, after `stall_next_token`)."""
        with self.redis_connection() as connection:
            registry = StartedJobRegistry(WEBHOOKS_QUEUE, connection=connection)
            wait_for(
                lambda: delivery_key in registry.get_job_ids(), 20, f"{delivery_key} never started"
            )
        time.sleep(1.0)

    def skip_to_abandoned_job_retries(self) -> None:
        """What happens once a dead worker's heartbeat lapsed (RQ 2: job monitoring interval
        30 s + 60 s): a live worker's maintenance finds its job abandoned and schedules the
        retry, and RQ's scheduler queues it after the retry's 30 s. The drills skip those waits
        as the tests skip retry waits (conftest `run_queued_jobs`)."""
        with self.redis_connection() as connection:
            queue = queue_for(connection, WEBHOOKS_QUEUE)
            queue.started_job_registry.cleanup(time.time() + 30 + 60 + 1)
            for job_id in queue.scheduled_job_registry.get_job_ids():
                queue.scheduled_job_registry.remove(job_id)
                queue.enqueue_job(queue.fetch_job(job_id))

    def assert_exactly_once(self, deliveries: list[SignedDelivery]) -> None:
        """Each delivery: one row, processed or ignored, and one note on its conversation."""
        drained = wait_for_drain(self.database_url, deliveries, timeout_s=DRAIN_TIMEOUT_S)
        state = end_state(self.database_url, deliveries, self.fake.notes())
        assert drained is not None and state.exactly_once, (
            f"{state.describe()}\n{self.workers.logs()}"
        )
