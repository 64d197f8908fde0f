"""Two `amz-guard worker` processes, as `docker compose up --scale worker=2` runs them.

No job may assume it is alone: each slot of a periodic job runs once however many workers
ask for it (workers.schedule), and each queued delivery is processed once. Slots are 10 s here
(the shortest DRAFT_SCAN_INTERVAL_S allows); past slots are scheduled too, so both workers'
schedulers and both workers race for several runs at once instead of one every 10 s.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from drill_stack import Stack
from rq.job import Job, JobStatus

from bench.stack import wait_for
from workers.queues import PERIODIC_QUEUE, queue_for
from workers.schedule import DRAFT_SCAN, next_slot_start, schedule_next_run

INTERVAL_S = 10


def test_two_workers_run_each_slot_once_and_each_delivery_once(two_worker_stack: Stack) -> None:
    stack = two_worker_stack
    now = datetime.now(UTC)
    past_slots = [now - timedelta(seconds=INTERVAL_S * k) for k in range(6, 1, -1)]
    with stack.redis_connection() as connection:
        for moment in past_slots:
            schedule_next_run(connection, DRAFT_SCAN, INTERVAL_S, moment)
    deliveries = [stack.deliveries.next() for _ in range(40)]
    assert [stack.send(d) for d in deliveries] == ["202"] * 40

    stack.assert_exactly_once(deliveries)
    # The past slots, then the next real one after the test started (the chain's).
    slots = [next_slot_start(INTERVAL_S, moment) for moment in past_slots]
    slots.append(next_slot_start(INTERVAL_S, now))
    with stack.redis_connection() as connection:

        def runs(slot: datetime) -> list[object]:
            job = Job.fetch(DRAFT_SCAN.job_id(slot), connection=connection)
            return job.results()

        wait_for(lambda: all(runs(slot) for slot in slots), 30, "a slot never ran")
        time.sleep(1.0)  # a second run of a slot, if there were one, would land by now
        assert {slot.isoformat(): len(runs(slot)) for slot in slots} == {
            slot.isoformat(): 1 for slot in slots
        }
        for slot in slots:
            assert Job.fetch(DRAFT_SCAN.job_id(slot), connection=connection).get_status() is (
                JobStatus.FINISHED
            )
        # The chain goes on: exactly one run waits for the slot after.
        scheduled = queue_for(connection, PERIODIC_QUEUE).scheduled_job_registry.get_job_ids()
        assert [job_id for job_id in scheduled if job_id.startswith("amzguard-draft-scan")] == [
            DRAFT_SCAN.job_id(next_slot_start(INTERVAL_S, datetime.now(UTC)))
        ]
    busy = {p.pid for p in stack.workers.processes if p.poll() is None}
    assert len(busy) == 2
