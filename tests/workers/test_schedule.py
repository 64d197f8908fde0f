"""Periodic jobs: one run per interval slot, however many workers ask for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from redis import Redis
from rq.job import Job
from rq.scheduler import RQScheduler

from helpscout_app.settings import Settings
from workers.queues import PERIODIC_QUEUE, queue_for
from workers.schedule import (
    DRAFT_SCAN,
    PERIODIC_JOBS,
    RECONCILE,
    next_slot_start,
    pass_lock,
    schedule_next_run,
    schedule_periodic_jobs,
)

NOW = datetime(2026, 11, 20, 10, 0, 30, tzinfo=UTC)
SLOT = datetime(2026, 11, 20, 10, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("interval_s", "now", "expected"),
    [
        (60, NOW, SLOT),
        (60, SLOT, SLOT + timedelta(minutes=1)),  # a slot that starts now is taken already
        (60, SLOT - timedelta(microseconds=1), SLOT),
        (300, NOW, datetime(2026, 11, 20, 10, 5, tzinfo=UTC)),
        (60, NOW.astimezone(timezone(timedelta(hours=-5))), SLOT),  # any offset, same instant
    ],
)
def test_next_slot_start(interval_s: int, now: datetime, expected: datetime) -> None:
    assert next_slot_start(interval_s, now) == expected


def test_next_slot_start_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_slot_start(60, NOW.replace(tzinfo=None))


def test_the_draft_scan_and_the_reconciliation_are_periodic_on_their_settings(
    settings: Settings,
) -> None:
    assert PERIODIC_JOBS == (DRAFT_SCAN, RECONCILE)
    assert DRAFT_SCAN.function == "workers.enforcement.run_draft_scan"
    assert RECONCILE.function == "workers.reconcile.run_reconciliation"
    assert DRAFT_SCAN.interval_s(settings.model_copy(update={"draft_scan_interval_s": 90})) == 90
    assert RECONCILE.interval_s(settings) == 300


def test_many_workers_asking_for_a_slot_schedule_one_run(redis_conn: Redis) -> None:
    asked = [schedule_next_run(redis_conn, DRAFT_SCAN, 60, NOW) for _ in range(3)]

    registry = queue_for(redis_conn, PERIODIC_QUEUE).scheduled_job_registry
    assert [job is not None for job in asked] == [True, False, False]
    assert registry.get_job_ids() == ["amzguard-draft-scan-1795168860"]
    assert registry.get_scheduled_time("amzguard-draft-scan-1795168860") == SLOT
    job = Job.fetch("amzguard-draft-scan-1795168860", connection=redis_conn)
    assert job.func_name == "workers.enforcement.run_draft_scan"
    assert job.timeout == DRAFT_SCAN.timeout_s


def test_the_next_slot_gets_its_own_run(redis_conn: Redis) -> None:
    schedule_next_run(redis_conn, DRAFT_SCAN, 60, NOW)
    schedule_next_run(redis_conn, DRAFT_SCAN, 60, NOW + timedelta(minutes=1))

    registry = queue_for(redis_conn, PERIODIC_QUEUE).scheduled_job_registry
    assert sorted(registry.get_job_ids()) == [
        "amzguard-draft-scan-1795168860",
        "amzguard-draft-scan-1795168920",
    ]


def test_schedule_periodic_jobs_asks_once_for_each(redis_conn: Redis, settings: Settings) -> None:
    first = schedule_periodic_jobs(redis_conn, settings, NOW)
    second = schedule_periodic_jobs(redis_conn, settings, NOW)

    reconcile_slot = int(next_slot_start(300, NOW).timestamp())
    assert [job.id for job in first] == [
        "amzguard-draft-scan-1795168860",
        f"amzguard-reconcile-{reconcile_slot}",
    ]
    assert second == []


def test_rq_schedulers_move_a_due_run_onto_its_queue_once(redis_conn: Redis) -> None:
    past = datetime.now(UTC) - timedelta(minutes=5)
    [job] = [schedule_next_run(redis_conn, DRAFT_SCAN, 60, past)]
    queue = queue_for(redis_conn, PERIODIC_QUEUE)

    for _ in range(2):  # two workers' schedulers; one holds the lock at a time
        scheduler = RQScheduler([queue], connection=redis_conn)
        scheduler.acquire_locks()
        scheduler.enqueue_scheduled_jobs()
        scheduler.release_locks()

    assert job is not None
    assert queue.job_ids == [job.id]
    assert queue.scheduled_job_registry.count == 0


def test_one_pass_at_a_time(redis_conn: Redis) -> None:
    running = pass_lock(redis_conn, DRAFT_SCAN)
    overlapping = pass_lock(redis_conn, DRAFT_SCAN)

    assert running.acquire()
    assert not overlapping.acquire()
    assert redis_conn.exists("amzguard:lock:draft-scan")
    assert 0 < redis_conn.ttl("amzguard:lock:draft-scan") <= DRAFT_SCAN.timeout_s
    running.release()
    assert overlapping.acquire()
