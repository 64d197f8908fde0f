"""The `amz-guard worker` process: an RQ worker on amz-guard's queues, with RQ's scheduler.

Before it takes a job it checks what every job needs, so a misconfigured worker stops at start
with one line instead of failing each job: the database migrated to the newest revision, Redis
reachable. Then it asks for the next slot of every periodic job (`workers.schedule`) and works.
The scheduler (`with_scheduler=True`) moves retries and periodic runs onto their queues when
they are due; with several workers, one at a time holds its lock.
"""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime
from typing import Any

import redis.exceptions
import structlog
from rq import Queue, Worker
from rq.job import Job

from helpscout_app.observability import metrics
from helpscout_app.observability.logging import configure_logging_for
from helpscout_app.observability.shared_counters import add_counts
from helpscout_app.settings import Settings
from helpscout_app.store.errors import DatabaseUnavailable
from helpscout_app.store.migrate import is_at_head
from workers.queues import QUEUE_NAMES, metrics_key_prefix, queue_for, redis_connection
from workers.schedule import schedule_periodic_jobs

log = logging.getLogger(__name__)


JOB_MODULES: tuple[str, ...] = ("workers.enforcement", "workers.reconcile")
"""Modules holding the jobs, imported by the worker before it forks a work horse per job."""


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


class ObservedWorker(ObservedJobsMixin, Worker):
    """RQ's forking worker with job IDs in the logs and the job's counts sent to Redis."""


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
    from helpscout_app.compliance import check

    check("warm-up: call (555) 123-4567 or see www.example.com")


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
    preload_job_modules()
    worker = worker_class(
        [queue_for(connection, name) for name in QUEUE_NAMES], connection=connection
    )
    metrics.buffer_counts()
    try:
        return worker.work(burst=burst, with_scheduler=True)
    finally:
        metrics.count_locally()  # every job's counts were pushed as it ended
