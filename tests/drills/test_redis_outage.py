"""Drill: Redis stops while webhooks arrive, then comes back.

Help Scout must get 503 (retry later) while Redis is down, quickly and never a 500; every
delivery answered 2xx must still be processed exactly once after Redis returns (its append-only
file keeps the queued jobs), and the service must take deliveries again without a restart. A
worker cut off from Redis in the middle of a job stays up and works again when Redis returns.
"""

from __future__ import annotations

import time

from drill_stack import Stack

OUTAGE_ANSWER_MAX_S = 5.0
"""A request during the outage is answered within this (the web waits 2 s for Redis at most,
workers.queues.WEB_SOCKET_TIMEOUT_S), never left hanging."""


def test_webhooks_get_503_while_redis_is_down_and_nothing_accepted_is_lost(
    stack: Stack,
) -> None:
    before = [stack.send() for _ in range(10)]
    stack.redis.stop()
    during = []
    for _ in range(10):
        during.append(stack.send())
        assert stack.last_seconds < OUTAGE_ANSWER_MAX_S
    stack.redis.start()
    time.sleep(1.0)  # let the web's and the worker's connections notice Redis is back
    after = [stack.send() for _ in range(10)]

    assert before == ["202"] * 10
    assert during == ["503"] * 10
    assert after == ["202"] * 10
    stack.assert_exactly_once(stack.accepted)


def test_a_worker_cut_off_from_redis_mid_job_works_again_when_it_returns(stack: Stack) -> None:
    [worker] = [p for p in stack.workers.processes if p.poll() is None]
    stack.stall_next_token(3.0)
    cut_off = stack.deliveries.next()
    assert stack.send(cut_off) == "202"
    stack.wait_until_running(cut_off.delivery_key)

    stack.redis.stop()  # the job goes on and posts its note; the worker cannot record the end
    time.sleep(6.0)
    assert worker.poll() is None  # RQ's work loop quit; the worker waits for Redis
    stack.redis.start()
    stack.skip_to_abandoned_job_retries()
    later = stack.deliveries.next()
    assert stack.send(later) == "202"

    stack.assert_exactly_once([cut_off, later])
    assert "working again once Redis answers" in stack.workers.logs(tail=None)
