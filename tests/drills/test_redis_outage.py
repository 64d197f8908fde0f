"""Drill: Redis stops while webhooks arrive, then comes back.

Help Scout must get 503 (retry later) while Redis is down, quickly and never a 500; every
delivery answered 2xx must still be processed exactly once after Redis returns (its append-only
file keeps the queued jobs), and the service must take deliveries again without a restart.
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
