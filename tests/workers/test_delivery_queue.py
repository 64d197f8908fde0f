"""Queueing deliveries (`workers.deliveries`): one unique RQ job per delivery on a real Redis, and
RQ's set of queues kept without a round trip per delivery."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis.exceptions
from redis import Redis
from rq import Queue
from rq.job import Job

from helpscout_app.helpscout.webhook_events import WebhookEvent, parse_webhook_event
from workers.deliveries import (
    DELIVERY_JOB,
    DELIVERY_JOB_TIMEOUT_S,
    DELIVERY_RESULT_TTL_S,
    FAILED_DELIVERY_TTL_S,
    QUEUE_REGISTRATION_INTERVAL_S,
    DeliveryQueue,
    enqueue_webhook_delivery,
    holds_only_queue_registration,
)
from workers.queues import WEBHOOKS_QUEUE, queue_for
from workers.retries import RETRY_INTERVALS_S

AGENT_REPLY = "convo.agent.reply.created"


class PinnedClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> PinnedClock:
    return PinnedClock()


@pytest.fixture
def deliveries(queue: Queue, clock: PinnedClock) -> DeliveryQueue:
    return DeliveryQueue(queue, clock=clock)


@pytest.fixture
def agent_reply(load_fixture: Callable[[str], bytes]) -> Callable[[int], WebhookEvent]:
    """The agent-reply event of the fixture, about thread `thread_id` of its conversation."""
    raw_body = load_fixture(f"helpscout/webhooks/{AGENT_REPLY}.json")

    def event(thread_id: int) -> WebhookEvent:
        body = raw_body.replace(b'"id": 8812004511', b'"id": %d' % thread_id)
        return parse_webhook_event({"X-HelpScout-Event": AGENT_REPLY}, body)

    return event


def key(thread_id: int) -> str:
    return f"helpscout-convo_agent_reply_created-c3120419377-t{thread_id}"


def registered_queues(redis_conn: Redis) -> list[str]:
    """The queue names in RQ's set of queues (what `rq info` lists)."""
    return [queue.name for queue in Queue.all(connection=redis_conn)]


def test_a_delivery_is_queued_once_with_its_policy(
    deliveries: DeliveryQueue, agent_reply: Callable[[int], WebhookEvent], redis_conn: Redis
) -> None:
    event = agent_reply(1)

    assert deliveries.enqueue(event) is True
    assert deliveries.enqueue(event) is False

    assert deliveries.queue.job_ids == [key(1)]
    job = Job.fetch(key(1), connection=redis_conn)
    assert job.func_name == DELIVERY_JOB
    assert job.kwargs["payload"] == event.payload
    assert (job.retries_left, job.retry_intervals) == (4, list(RETRY_INTERVALS_S))
    assert (job.timeout, job.result_ttl, job.failure_ttl) == (
        DELIVERY_JOB_TIMEOUT_S,
        DELIVERY_RESULT_TTL_S,
        FAILED_DELIVERY_TTL_S,
    )
    assert job.description == "convo.agent.reply.created for conversation 3120419377"


def test_the_first_delivery_registers_the_queue_with_rq(
    deliveries: DeliveryQueue, agent_reply: Callable[[int], WebhookEvent], redis_conn: Redis
) -> None:
    assert registered_queues(redis_conn) == []

    deliveries.enqueue(agent_reply(1))

    assert registered_queues(redis_conn) == [WEBHOOKS_QUEUE]


def test_later_deliveries_skip_the_registration_until_the_interval_has_passed(
    deliveries: DeliveryQueue,
    agent_reply: Callable[[int], WebhookEvent],
    redis_conn: Redis,
    clock: PinnedClock,
) -> None:
    deliveries.enqueue(agent_reply(1))
    redis_conn.delete(Queue.redis_queues_keys)  # as if Redis had restarted empty

    clock.now += QUEUE_REGISTRATION_INTERVAL_S - 1
    assert deliveries.enqueue(agent_reply(2)) is True
    assert registered_queues(redis_conn) == []

    clock.now += 1
    assert deliveries.enqueue(agent_reply(3)) is True
    assert registered_queues(redis_conn) == [WEBHOOKS_QUEUE]
    assert deliveries.queue.job_ids == [key(1), key(2), key(3)]


def test_a_redelivery_is_refused_on_either_path(
    deliveries: DeliveryQueue, agent_reply: Callable[[int], WebhookEvent], clock: PinnedClock
) -> None:
    assert deliveries.enqueue(agent_reply(1)) is True
    assert deliveries.enqueue(agent_reply(1)) is False  # without the registration
    clock.now += QUEUE_REGISTRATION_INTERVAL_S
    assert deliveries.enqueue(agent_reply(1)) is False  # with it

    assert deliveries.queue.job_ids == [key(1)]


def test_redis_down_after_the_registration_raises_and_stores_nothing(
    deliveries: DeliveryQueue, agent_reply: Callable[[int], WebhookEvent], queue: Queue
) -> None:
    deliveries.enqueue(agent_reply(1))
    deliveries.queue = queue_for(Redis(port=9, socket_connect_timeout=1))  # nothing listens

    with pytest.raises(redis.exceptions.ConnectionError):
        deliveries.enqueue(agent_reply(2))

    assert queue.job_ids == [key(1)]


def test_the_one_off_function_queues_as_rq_does(
    queue: Queue, agent_reply: Callable[[int], WebhookEvent], redis_conn: Redis
) -> None:
    assert enqueue_webhook_delivery(queue, agent_reply(1)) is True
    assert enqueue_webhook_delivery(queue, agent_reply(1)) is False

    assert queue.job_ids == [key(1)]
    assert registered_queues(redis_conn) == [WEBHOOKS_QUEUE]


def test_only_rqs_registration_of_the_queue_may_be_dropped(redis_conn: Redis) -> None:
    queue = queue_for(redis_conn)
    with redis_conn.pipeline() as registration:
        registration.sadd(Queue.redis_queues_keys, queue.key)
        assert holds_only_queue_registration(registration, queue)
        registration.rpush(queue.key, "a-job-id")  # what a future RQ might defer to it
        assert not holds_only_queue_registration(registration, queue)
    with redis_conn.pipeline() as other_queue:
        other_queue.sadd(Queue.redis_queues_keys, "rq:queue:another")
        assert not holds_only_queue_registration(other_queue, queue)
