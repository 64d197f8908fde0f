"""The `amz-guard worker` process: an RQ worker on amz-guard's queues, with RQ's scheduler.

Before it takes a job it checks what every job needs, so a misconfigured worker stops at start
with one line instead of failing each job: the database migrated to the newest revision, Redis
reachable. Then it asks for the next slot of every periodic job (`workers.schedule`) and works.
The scheduler (`with_scheduler=True`) moves retries and periodic runs onto their queues when
they are due; with several workers, one at a time holds its lock.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis.exceptions
import structlog
from rq import Queue, Worker
from rq.job import Job
from sqlalchemy.exc import SQLAlchemyError

from helpscout_app.observability import metrics
from helpscout_app.observability.logging import configure_logging_for
from helpscout_app.observability.shared_counters import add_counts
from helpscout_app.settings import Settings
from helpscout_app.store.deliveries import get_delivery, mark_delivery, record_delivery
from helpscout_app.store.errors import DatabaseUnavailable
from helpscout_app.store.migrate import is_at_head
from helpscout_app.store.models import Base, DeliveryStatus
from workers.queues import QUEUE_NAMES, metrics_key_prefix, queue_for, redis_connection
from workers.schedule import schedule_periodic_jobs
from workers.worker_context import WorkerContext, end_worker_context, start_worker_context

log = logging.getLogger(__name__)


JOB_MODULES: tuple[str, ...] = ("workers.enforcement", "workers.reconcile")
"""Modules holding the jobs, imported by the worker before it forks a work horse per job."""

WARM_UP_DELIVERY = "amzguard-worker-warm-up"
"""Key of the delivery the worker records (and rolls back) to compile the delivery statements."""


class WorkerCannotStart(Exception):
    """Something every job needs is missing; the message says what to fix."""


class ObservedJobsMixin:
    """Binds the job's id (and function, queue) to every log line of a job, and adds the counts
    the job made to the counters in Redis when it ends (`observability.metrics` says why Redis).

    `execute_job` runs in the worker (forking `Worker`: around the work-horse's life;
    `SimpleWorker`: around the job itself); `perform_job` runs where the job runs, the
    work-horse, which exits right after it, so its counts are pushed there.
    """

    connection: redis.Redis

    def execute_job(self, job: Job, queue: Queue) -> Any:
        _bind_job(job, queue)
        self._push_counts()  # anything counted outside a job, before a work-horse inherits it
        try:
            return super().execute_job(job, queue)  # type: ignore[misc]
        finally:
            self._push_counts()
            structlog.contextvars.clear_contextvars()

    def perform_job(self, job: Job, queue: Queue) -> bool:
        _bind_job(job, queue)
        try:
            return super().perform_job(job, queue)  # type: ignore[misc]
        finally:
            self._push_counts()

    def _push_counts(self) -> None:
        counts = metrics.take_buffered_counts()
        try:
            add_counts(self.connection, metrics_key_prefix(), counts)
        except redis.exceptions.RedisError as err:
            # Lost, not retried: the job's own effects matter more than its counts.
            log.warning("job counters not added to Redis (%s): lost", type(err).__name__)


class StopRecordingMixin:
    """Remembers whether the worker was asked to stop (SIGTERM, SIGINT), to tell that from RQ's
    work loop quitting on an error, which it also does without raising."""

    stop_requested = False

    def request_stop(self, signum: int, frame: Any) -> None:
        self.stop_requested = True
        super().request_stop(signum, frame)  # type: ignore[misc]


class ObservedWorker(StopRecordingMixin, ObservedJobsMixin, Worker):
    """RQ's forking worker with job IDs in the logs, the job's counts sent to Redis, and a
    record of a requested stop."""


def _bind_job(job: Job, queue: Queue) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        job_id=job.id, job_function=job.func_name, queue=queue.name
    )


def preload_job_modules() -> None:
    """Import the job modules and warm the detector in the worker, before any fork.

    RQ's worker forks a work horse per job and imports the job's module there: without this,
    every job paid the import of the enforcement code and the detector (about a second, most of
    a delivery job's time; `python -m bench load` drained 1.6 jobs/s per worker). Imported
    once here, each horse inherits them.
    """
    for name in JOB_MODULES:
        importlib.import_module(name)
    importlib.import_module("netrc")  # requests imports it at a session's first request (~1 ms)
    from sqlalchemy.orm import configure_mappers

    from helpscout_app.compliance import check

    check("warm-up: call (555) 123-4567 or see www.example.com")
    configure_mappers()  # else each horse works out the ORM's relationships anew (~15 ms)


def warm_up_database(context: WorkerContext) -> None:
    """Connect once and compile statements every delivery job runs, so each work horse inherits
    an initialized dialect (a new engine and its first-connect queries cost a horse about
    12 ms) and a partly warm compiled cache; then close the connection: the worker holds none
    between jobs, and each horse opens its own.

    Compiled: loading a row by primary key for each table (how jobs read a conversation or a
    thread), and recording, reading and marking a delivery (in a transaction rolled back:
    nothing is stored, though PostgreSQL's id sequence moves on by one). That is 5 of the 16
    statements of a delivery job, about 6 ms of a horse's CPU; the domain code's own
    statements are compiled by each horse anew. Only an optimization: a database error is
    logged, and the jobs compile what they need.
    """
    try:
        with context.sessions() as session:
            for mapper in Base.registry.mappers:
                keys = mapper.primary_key
                if len(keys) == 1 and keys[0].type.python_type is int:
                    session.get(mapper.class_, 0)  # no row has id 0: only the statement matters
            record_delivery(session, WARM_UP_DELIVERY, WARM_UP_DELIVERY)
            get_delivery(session, WARM_UP_DELIVERY)
            mark_delivery(session, WARM_UP_DELIVERY, DeliveryStatus.PROCESSED)
            session.rollback()
    except SQLAlchemyError as err:
        log.warning(
            "database warm-up skipped (%s): each job compiles its statements", type(err).__name__
        )
    finally:
        context.engine.dispose()


def yield_cpu_to(niceness: int) -> int:
    """Lower this process's CPU priority to `niceness` (never raise it: that needs privileges);
    returns the niceness it runs at. Work horses and RQ's scheduler inherit it.

    On a server the worker shares with the web app, a drain of queued jobs then slows the jobs,
    not Help Scout's webhooks (which must be answered quickly) and the agents' sidebar.

    Niceness only orders processes that compete in one scheduling group. A worker that leads its
    own session (a service manager's or `setsid`'s) has a Linux autogroup of its own, competing
    with the web app's as an equal whatever its niceness: that group's niceness is lowered too.
    Containers and systemd services each have a cgroup instead, which niceness does not cross;
    docker-compose.yml gives the worker a smaller CPU weight for the same effect.
    """
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
        log.info("worker CPU priority lowered to niceness %d", niceness)
    if os.getsid(0) == os.getpid():  # the autogroup is this session's, so the worker's own
        _lower_autogroup(niceness)
    return max(niceness, current)


AUTOGROUP = Path("/proc/self/autogroup")
"""Linux's per-session scheduling group: "/autogroup-85 nice 0". Absent where autogroups are
disabled; empty for processes in the default group (a session never started by `setsid`, as in
many containers)."""


def autogroup_niceness() -> int | None:
    """This process's autogroup niceness, or None where it has no autogroup of its own."""
    try:
        return int(AUTOGROUP.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def _lower_autogroup(niceness: int) -> None:
    """Give this session's autogroup `niceness` unless it has that or more already."""
    current = autogroup_niceness()
    if current is None or niceness <= current:
        return  # no autogroup here (disabled, not Linux): niceness alone orders the processes
    try:
        AUTOGROUP.write_text(str(niceness))
    except OSError:
        return


def work_queues(
    settings: Settings, *, burst: bool = False, worker_class: type[Worker] = ObservedWorker
) -> bool:
    """Work the queues until stopped (or, with `burst`, until they are empty); True if it ran a job.

    Raises `WorkerCannotStart` when the database is not migrated or unreachable, or Redis does
    not answer. `worker_class` is `ObservedWorker` (RQ's forking `Worker`) unless a caller
    needs another. Configures logging, and counts for Redis (`metrics.buffer_counts`).
    """
    configure_logging_for(settings)
    try:
        migrated = is_at_head(settings.database_url)
    except DatabaseUnavailable as err:
        raise WorkerCannotStart(f"{err}; check DATABASE_URL") from err
    if not migrated:
        raise WorkerCannotStart(
            "the database is not at the newest schema; run `amz-guard db upgrade` first"
        )
    connection = redis_connection(settings.redis_url)
    try:
        connection.ping()
        schedule_periodic_jobs(connection, settings, datetime.now(UTC))
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
        raise WorkerCannotStart(
            f"Redis does not answer at REDIS_URL ({type(err).__name__}: {err})"
        ) from err
    yield_cpu_to(settings.worker_nice)
    preload_job_modules()
    warm_up_database(start_worker_context(settings))
    metrics.buffer_counts()
    try:
        return work_through_outages(settings, connection, burst=burst, worker_class=worker_class)
    finally:
        metrics.count_locally()  # every job's counts were pushed as it ended
        end_worker_context()


MAINTENANCE_INTERVAL_S = 60
"""How often a worker runs RQ's registry clean-up, which finds the job of a worker that died
(killed, or cut off from Redis mid-job) and retries it: RQ's default is 600 s."""

REDIS_WAIT_S = (1.0, 2.0, 5.0)
"""Pauses between two pings while waiting for Redis to come back (the last one repeats)."""


def work_through_outages(
    settings: Settings,
    connection: redis.Redis,
    *,
    burst: bool = False,
    worker_class: type[Worker] = ObservedWorker,
) -> bool:
    """Work until asked to stop, through Redis outages; True if a job ran.

    RQ's work loop quits on any error it does not expect, Redis lost in the middle of a job
    among them, and returns as if done. A worker meant to run for good would then exit and stay
    gone until something restarts it. Instead it waits for Redis, asks again for the periodic
    jobs' next slots (a Redis that lost its data lost them), and works on with a fresh RQ
    worker; the job it was in is found abandoned by the registry clean-up and retried. Redis
    gone while the RQ worker is built (it names itself to Redis) is waited out the same way. A
    burst worker, or one whose class records no stop request, returns at the first quit.
    """
    worked = False
    while True:
        try:
            worker = worker_class(
                [queue_for(connection, name) for name in QUEUE_NAMES],
                connection=connection,
                maintenance_interval=MAINTENANCE_INTERVAL_S,
            )
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            if burst:
                raise
            # RQ's worker names itself to Redis as it is built: Redis went away since the
            # start-up checks, or between two workers.
            log.warning("Redis went away before the RQ worker started; starting once it answers")
        else:
            try:
                worked = worker.work(burst=burst, with_scheduler=True) or worked
            except redis.exceptions.RedisError as err:  # its teardown, with Redis gone
                log.warning("the RQ worker could not sign off (%s)", type(err).__name__)
            if burst or getattr(worker, "stop_requested", True):
                return worked
            log.warning("the RQ worker quit on an error; working again once Redis answers")
        # No job runs now: the default signal handling (exit) is right until the next loop.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        wait_for_redis(connection)
        schedule_periodic_jobs(connection, settings, datetime.now(UTC))


def wait_for_redis(connection: redis.Redis, pauses: tuple[float, ...] = REDIS_WAIT_S) -> None:
    """Return once Redis answers a ping, pausing a little longer each time it does not."""
    for attempt in itertools.count():
        try:
            connection.ping()
            return
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            if attempt % 60 == 0:
                log.warning("waiting for Redis to answer at REDIS_URL")
            time.sleep(pauses[min(attempt, len(pauses) - 1)])
