"""Worker throughput: N queued delivery jobs drained by 1, then 2 `amz-guard worker` processes.

Only the workers are measured: no gunicorn, no open-loop load. The store is a fresh PostgreSQL
database migrated for the run, Redis a spare database among 10-15 of the local server (as the
other benches take theirs), Help Scout `bench.fake_helpscout` in its own process. For each
worker count the workers are started and waited for until every one is idle on the queues;
then N new agent-reply deliveries (the load bench's, each with a phone number, so each job
checks the reply, posts a note, tags the conversation and records an alert) are queued as the
web view queues them (`DeliveryQueue.enqueue`), and the clock runs from the first enqueue
to the last job's end as RQ records it.

Reported per worker count: jobs/s; wall ms per job per worker (workers x elapsed / N: what one
job costs a worker, the fork and RQ's bookkeeping included); the CPU the workers and their work
horses used per job (Linux: /proc, horses counted once their worker has reaped them), which
other load on the machine changes less than the wall times; and the job function's own time in
the work horse (RQ's `started_at` to `ended_at`). Then the end state: every delivery
processed once, one note per conversation.

The workers run on every CPU: `python -m bench` pins itself to one CPU for the detector, and
child processes would inherit that.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Worker
from rq.job import Job, JobStatus

from bench.load import DEFAULT_POSTGRES, DeliveryMaker, EndState, SignedDelivery, end_state
from bench.speed import every_cpu
from bench.stack import Workers, backing_services, wait_for
from bench.tables import render_table

DEFAULT_JOBS = 300
DEFAULT_WORKER_COUNTS = (1, 2)
WORKERS_READY_TIMEOUT_S = 60.0
"""Longest wait for the workers to start (imports, migrations check, preloading)."""


@dataclass
class ThroughputRun:
    """One drain of `jobs` queued deliveries by `workers` worker processes."""

    workers: int
    jobs: int
    finished: int
    failed: int
    elapsed_s: float
    cpu_s: float | None
    job_ms_mean: float | None
    job_ms_p50: float | None

    @property
    def jobs_per_s(self) -> float:
        return self.finished / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def wall_ms_per_job(self) -> float:
        """What one job costs a worker: its share of the elapsed time, fork included."""
        return self.workers * self.elapsed_s * 1000 / self.finished if self.finished else 0.0

    @property
    def cpu_ms_per_job(self) -> float | None:
        """CPU of the workers and their horses per job, all workers together."""
        if self.cpu_s is None or not self.finished:
            return None
        return self.cpu_s * 1000 / self.finished

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "jobs_per_s": self.jobs_per_s,
            "wall_ms_per_job": self.wall_ms_per_job,
            "cpu_ms_per_job": self.cpu_ms_per_job,
        }


@dataclass
class ThroughputReport:
    runs: list[ThroughputRun]
    state: EndState
    fake_requests: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": [run.to_dict() for run in self.runs],
            "end_state": {**asdict(self.state), "exactly_once": self.state.exactly_once},
            "fake_requests": self.fake_requests,
        }


def cpu_seconds(pids: list[int]) -> float | None:
    """CPU time of the processes and of the children they have waited for; None without /proc."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = stat[stat.rindex(")") + 2 :].split()
        total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def idle_workers(connection: Redis) -> int:
    """How many registered RQ workers wait on the queues now."""
    return sum(1 for worker in Worker.all(connection=connection) if worker.get_state() == "idle")


def enqueue(connection: Redis, deliveries: list[SignedDelivery]) -> None:
    """Queue each delivery as the webhook view does: parsed, then one unique RQ job."""
    from helpscout_app.helpscout.webhook_events import parse_webhook_event
    from workers.deliveries import DeliveryQueue
    from workers.queues import queue_for

    queue = DeliveryQueue(queue_for(connection))
    for delivery in deliveries:
        if not queue.enqueue(parse_webhook_event(delivery.headers, delivery.raw_body)):
            raise RuntimeError(f"{delivery.delivery_key} was queued already")


def jobs_done(connection: Redis) -> int:
    """Jobs in the deliveries queue's finished and failed registries (cheap: two ZCARDs)."""
    from workers.queues import queue_for

    queue = queue_for(connection)
    return queue.finished_job_registry.get_job_count(
        cleanup=False
    ) + queue.failed_job_registry.get_job_count(cleanup=False)


def drain(
    connection: Redis,
    processes: Workers,
    deliveries: list[SignedDelivery],
    worker_count: int,
    timeout_s: float,
) -> ThroughputRun:
    """Start `worker_count` workers, queue the deliveries once they are idle, time the drain."""
    pids = [process.pid for process in processes.start(worker_count)]
    wait_for(
        lambda: idle_workers(connection) >= worker_count,
        WORKERS_READY_TIMEOUT_S,
        f"{worker_count} amz-guard workers were not idle",
    )
    job_ids = [delivery.delivery_key for delivery in deliveries]
    done_before = jobs_done(connection)  # an earlier worker count's jobs
    cpu_before = cpu_seconds(pids)
    started = datetime.now(UTC)
    enqueue(connection, deliveries)
    wait_for(
        lambda: jobs_done(connection) - done_before >= len(job_ids),
        timeout_s,
        f"{len(job_ids)} jobs were not done",
        interval_s=0.25,
    )
    cpu_after = cpu_seconds(pids)
    jobs = [job for job in Job.fetch_many(job_ids, connection=connection) if job is not None]
    finished = [job for job in jobs if job.get_status(refresh=False) is JobStatus.FINISHED]
    ended = max(job.ended_at for job in jobs if job.ended_at is not None)
    job_ms = [
        (job.ended_at - job.started_at).total_seconds() * 1000
        for job in finished
        if job.started_at is not None and job.ended_at is not None
    ]
    return ThroughputRun(
        workers=worker_count,
        jobs=len(job_ids),
        finished=len(finished),
        failed=len(jobs) - len(finished),
        elapsed_s=(ended.replace(tzinfo=UTC) - started).total_seconds(),
        cpu_s=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        job_ms_mean=statistics.fmean(job_ms) if job_ms else None,
        job_ms_p50=statistics.median(job_ms) if job_ms else None,
    )


def run(
    *,
    jobs: int = DEFAULT_JOBS,
    worker_counts: tuple[int, ...] = DEFAULT_WORKER_COUNTS,
    postgres_url: str = DEFAULT_POSTGRES,
    timeout_s: float = 600.0,
    progress: Callable[[str], None] = print,
) -> ThroughputReport:
    """Drain `jobs` deliveries with each worker count in turn; check the end state."""
    workdir = Path(tempfile.mkdtemp(prefix="amz-guard-throughput-"))
    runs: list[ThroughputRun] = []
    accepted: list[SignedDelivery] = []
    try:
        with (
            every_cpu(),
            # No draft scan during the measurement: only the deliveries are timed.
            backing_services(
                postgres_url, workdir, "amzguard_throughput", DRAFT_SCAN_INTERVAL_S="86400"
            ) as (env, database_url, fake),
        ):
            connection = Redis.from_url(env["REDIS_URL"])
            maker = DeliveryMaker()
            for count in worker_counts:
                deliveries = [maker.next() for _ in range(jobs)]
                accepted += deliveries
                progress(f"{jobs} delivery jobs, {count} amz-guard worker(s)")
                processes = Workers(workdir / f"workers-{count}", env)
                processes.workdir.mkdir()
                try:
                    runs.append(drain(connection, processes, deliveries, count, timeout_s))
                finally:
                    processes.stop()
            stats = fake.stats()
            state = end_state(database_url, accepted, stats["notes"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return ThroughputReport(runs, state, stats["requests"])


def render(report: ThroughputReport) -> str:
    rows = [
        [
            str(run.workers),
            f"{run.finished:,} of {run.jobs:,}",
            str(run.failed),
            f"{run.elapsed_s:.1f}",
            f"{run.jobs_per_s:.1f}",
            f"{run.wall_ms_per_job:.0f}",
            _ms(run.cpu_ms_per_job),
            _ms(run.job_ms_mean),
            _ms(run.job_ms_p50),
        ]
        for run in report.runs
    ]
    table = render_table(
        [
            "workers",
            "finished",
            "failed",
            "seconds",
            "jobs/s",
            "wall ms/job/worker",
            "worker CPU ms/job",
            "job fn ms mean",
            "job fn ms p50",
        ],
        rows,
    )
    state = report.state
    return (
        f"{table}\n\n"
        f"  end state: {state.accepted:,} deliveries, {state.rows:,} rows, {state.done:,} "
        f"processed or ignored, {len(state.lost)} lost, {len(state.notes_missing)} without a "
        f"note, {len(state.notes_repeated)} with more than one; exactly once: "
        f"{'yes' if state.exactly_once else 'NO'}\n"
        "  Help Scout (fake) requests: "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(report.fake_requests.items()))
    )


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"
