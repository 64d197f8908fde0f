"""Drill: Help Scout answers 429 (with a retry header) and 500 for a while.

The client waits out short 429s itself and retries 5xx on the calls that are safe to repeat;
a 500 on the note (a POST, not repeated in case it arrived) fails the job, and RQ retries it
(the first retry after 30 s). Every delivery must end processed, with one note each.
"""

from __future__ import annotations

from drill_stack import Stack


def test_rate_limits_and_server_errors_are_retried_and_each_delivery_acts_once(
    stack: Stack,
) -> None:
    stack.fake.inject(429, count=4, retry_after=1)
    stack.fake.inject(500, count=4)
    deliveries = [stack.deliveries.next() for _ in range(6)]

    assert [stack.send(d) for d in deliveries] == ["202"] * 6

    stack.assert_exactly_once(deliveries)
    requests = stack.fake.stats()["requests"]
    assert requests["fault 429"] == 4
    assert requests["fault 500"] == 4
