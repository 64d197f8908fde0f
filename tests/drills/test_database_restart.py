"""Drill: PostgreSQL restarts while deliveries arrive.

The webhook view never touches the database (workers.deliveries), so deliveries are still
accepted; the jobs that run meanwhile fail with the database unavailable, RQ retries them
(workers.retries: the first retry after 30 s) and they complete once the database is back.

A job that posted its Help Scout note and then lost the database before it recorded the note
(`enforcement.incidents.act_once` records after the call, so that no transaction is held across
it) had recorded its attempt first: its retry finds the note on the conversation by the
incident's reference and does not post it again.
"""

from __future__ import annotations

import time

from drill_stack import Stack

from bench.stack import wait_for


def test_jobs_that_failed_while_the_database_was_down_are_retried_and_complete(
    stack: Stack,
) -> None:
    before = [stack.deliveries.next() for _ in range(5)]
    assert [stack.send(d) for d in before] == ["202"] * 5
    stack.assert_exactly_once(before)  # drained, so no job is mid-flight at the stop

    stack.postgres.stop()
    during = [stack.deliveries.next() for _ in range(5)]
    assert [stack.send(d) for d in during] == ["202"] * 5
    time.sleep(2.0)  # the worker takes them and they fail: the database is down
    stack.postgres.start()
    after = [stack.deliveries.next() for _ in range(5)]
    assert [stack.send(d) for d in after] == ["202"] * 5

    stack.assert_exactly_once(before + during + after)


def test_a_note_posted_just_before_the_database_went_down_is_not_posted_again(
    stack: Stack,
) -> None:
    tokens_before = stack.fake.stats()["requests"].get("token", 0)
    stack.stall_next_token(4.0)  # holds the job after its first writes, before the note
    delivery = stack.deliveries.next()
    assert stack.send(delivery) == "202"
    wait_for(
        lambda: stack.fake.stats()["requests"].get("token", 0) > tokens_before,
        10,
        "no token asked",
    )
    time.sleep(1.0)
    stack.postgres.stop()  # the note goes out when the stall ends, its record cannot be written
    wait_for(lambda: stack.fake.notes().get(str(delivery.conversation_id)), 10, "no note posted")
    time.sleep(1.0)
    stack.postgres.start()

    stack.assert_exactly_once([delivery])
    assert stack.fake.stats()["requests"].get("list threads", 0) == 1  # the retry looked first
