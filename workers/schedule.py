"""Periodic jobs on RQ's own scheduler: one run per interval slot, however many workers run.

Time is cut into slots of the job's interval (aligned on the Unix epoch). The run for a slot is
an RQ job scheduled for the slot's start with an id naming the slot
(`amzguard-draft-scan-1764166800`) and scheduled with RQ's atomic unique scheduling, so every
worker may ask for the same slot and only the first one's request is kept. RQ's scheduler (the
worker runs it, `with_scheduler=True`; one worker at a time holds its lock) moves the job to its
queue when the slot starts. Each run first asks for the next slot, so the chain continues after
a failed pass; `amz-guard worker` asks for the next slot of every periodic job when it starts,
which restarts the chain after Redis lost it.

A pass that outlasts its interval would overlap the next one: `pass_lock` (a Redis lock under
our `amzguard:` prefix) lets one pass run at a time, and a run that finds it taken skips.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis
from redis.lock import Lock
from rq.exceptions import DuplicateJobError
from rq.job import Job

from helpscout_app.settings import Settings
from workers.queues import PERIODIC_QUEUE, key_for, queue_for

log = logging.getLogger(__name__)

FAILED_PASS_TTL_S = 24 * 3600
"""How long a failed pass stays in RQ's failed registry: the next slot retries anyway, so a day
of them is enough to see an outage without filling Redis."""


@dataclass(frozen=True)
class PeriodicJob:
    """A job run once per interval; `function` is its dotted path (RQ imports it when it runs).

    A dotted path, not the function: the job modules import this one to ask for their next slot.
    """

    name: str
    function: str
    interval_setting: str  # the `Settings` field holding its interval, in seconds
    timeout_s: int
    queue_name: str = PERIODIC_QUEUE

    def interval_s(self, settings: Settings) -> int:
        """This job's interval, from its setting."""
        return int(getattr(settings, self.interval_setting))

    def job_id(self, slot_start: datetime) -> str:
        """The id of the run for the slot starting at `slot_start`."""
        return f"amzguard-{self.name}-{int(slot_start.timestamp())}"


DRAFT_SCAN = PeriodicJob(
    name="draft-scan",
    function="workers.enforcement.run_draft_scan",
    interval_setting="draft_scan_interval_s",
    # A pass waits out Help Scout's rate limit (up to a minute per call, twice) when it must.
    timeout_s=15 * 60,
)

RECONCILE = PeriodicJob(
    name="reconcile",
    function="workers.reconcile.run_reconciliation",
    interval_setting="reconcile_interval_s",
    # Reads the mailbox and pages through Help Scout, waiting out its rate limit when it must.
    timeout_s=15 * 60,
)

PERIODIC_JOBS: tuple[PeriodicJob, ...] = (DRAFT_SCAN, RECONCILE)
"""Every periodic job; `amz-guard worker` schedules each one's next slot when it starts."""


def next_slot_start(interval_s: int, now: datetime) -> datetime:
    """The start of the first slot after `now` (aware), slots aligned on the Unix epoch."""
    if interval_s <= 0:
        raise ValueError(f"interval_s must be positive, got {interval_s}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    slot = int(now.timestamp()) // interval_s + 1
    return datetime.fromtimestamp(slot * interval_s, tz=UTC)


def schedule_next_run(
    connection: Redis, periodic: PeriodicJob, interval_s: int, now: datetime
) -> Job | None:
    """Schedule `periodic`'s run for the next slot after `now`; None if it was scheduled already.

    Atomic in Redis (RQ's unique scheduling), so concurrent workers schedule one run per slot.
    """
    queue = queue_for(connection, periodic.queue_name)
    slot_start = next_slot_start(interval_s, now)
    job = queue.create_job(
        periodic.function,
        job_id=periodic.job_id(slot_start),
        timeout=periodic.timeout_s,
        failure_ttl=FAILED_PASS_TTL_S,
        description=f"{periodic.name} pass for the slot starting {slot_start.isoformat()}",
    )
    try:
        queue.schedule_job(job, slot_start, unique=True)
    except DuplicateJobError:
        return None
    log.info("%s: next pass scheduled for %s", periodic.name, slot_start.isoformat())
    return job


def schedule_periodic_jobs(
    connection: Redis, settings: Settings, now: datetime | None = None
) -> list[Job]:
    """Schedule the next slot of every periodic job; returns the runs this call scheduled."""
    now = now or datetime.now(UTC)
    scheduled = [
        schedule_next_run(connection, periodic, periodic.interval_s(settings), now)
        for periodic in PERIODIC_JOBS
    ]
    return [job for job in scheduled if job is not None]


def pass_lock(connection: Redis, periodic: PeriodicJob) -> Lock:
    """The lock one pass of `periodic` holds while it runs; it expires with the job's timeout."""
    return connection.lock(
        key_for("lock", periodic.name), timeout=periodic.timeout_s, blocking=False
    )
