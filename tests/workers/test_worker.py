"""`amz-guard worker`: checks before it starts, then RQ's forking worker with the scheduler."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import JobStatus

from bench.stack import PrivateRedis
from helpscout_app.cli import main
from helpscout_app.settings import Settings
from workers import worker as worker_module
from workers.queues import PERIODIC_QUEUE, queue_for
from workers.worker import (
    AUTOGROUP,
    StopRecordingMixin,
    autogroup_niceness,
    wait_for_redis,
    work_through_outages,
    yield_cpu_to,
)


def test_a_burst_worker_runs_what_is_queued_and_due_then_exits(
    migrated: Settings, queue: Queue, capsys: pytest.CaptureFixture[str]
) -> None:
    queued = queue.enqueue("sample_jobs.say_hello", "Jordan")
    due = queue.enqueue_at(datetime.now(UTC) - timedelta(seconds=1), "sample_jobs.say_hello", "Sam")

    status = main(["worker", "--burst"], settings=migrated)

    assert status == 0
    for job, name in ((queued, "Jordan"), (due, "Sam")):
        job.refresh()
        assert job.get_status() is JobStatus.FINISHED
        assert job.return_value() == f"Hello {name}"


def test_jobs_run_at_the_worker_s_lower_cpu_priority(migrated: Settings, queue: Queue) -> None:
    """In a forked copy of this test, so that pytest keeps its own priority."""
    job = queue.enqueue("sample_jobs.report_niceness")
    start = os.getpriority(os.PRIO_PROCESS, 0)
    wanted = min(start + 7, 19)
    worker = multiprocessing.get_context("fork").Process(
        target=main,
        args=(["worker", "--burst"],),
        kwargs={"settings": migrated.model_copy(update={"worker_nice": wanted})},
    )

    worker.start()
    worker.join(60)

    assert worker.exitcode == 0
    job.refresh()
    assert job.return_value() == wanted
    assert os.getpriority(os.PRIO_PROCESS, 0) == start


def _niceness_after(start: int, asked: int) -> tuple[int, int]:
    """In a child: from niceness `start`, ask for `asked`; what it said and what it runs at."""
    os.setpriority(os.PRIO_PROCESS, 0, start)
    said = yield_cpu_to(asked)
    return said, os.getpriority(os.PRIO_PROCESS, 0)


def test_a_worker_lowers_its_cpu_priority_and_never_raises_it() -> None:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_niceness_after, (12, 15)) == (15, 15)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        # more priority than it has would need privileges: a no-op, not an error
        assert pool.apply(_niceness_after, (12, 3)) == (12, 12)


def _autogroup_niceness_after(asked: int, *, own_session: bool) -> int | None:
    """In a child, in a session of its own or not: ask for `asked`; its autogroup's niceness."""
    if own_session:
        os.setsid()
    yield_cpu_to(asked)
    return autogroup_niceness()


def test_a_worker_leading_its_session_lowers_its_autogroup_too() -> None:
    """Linux autogroups (one per session) compete as equals whatever their processes' niceness:
    a worker started by `setsid` or a service manager yields only if its group does."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        niceness = pool.apply(_autogroup_niceness_after, (11,), {"own_session": True})

    assert niceness == (11 if AUTOGROUP.exists() else None)


@pytest.mark.parametrize(
    ("content", "niceness"),
    [("/autogroup-85 nice 3\n", 3), ("", None), ("garbled\n", None)],
)
def test_the_autogroup_niceness_is_read_where_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, niceness: int | None
) -> None:
    """Processes in the default group (never in a `setsid` session, as in CI's containers) read
    an empty file."""
    proc_file = tmp_path / "autogroup"
    proc_file.write_text(content)
    monkeypatch.setattr(worker_module, "AUTOGROUP", proc_file)

    assert autogroup_niceness() == niceness


def test_there_is_no_autogroup_niceness_without_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "AUTOGROUP", tmp_path / "absent")

    assert autogroup_niceness() is None


def test_a_worker_sharing_a_session_leaves_the_session_s_autogroup_alone() -> None:
    """The group is the whole session's then (a shell running web and worker): lowering it would
    slow the web app as much as the worker."""
    before = autogroup_niceness()  # None in the default group (CI's containers): no file content
    with multiprocessing.get_context("fork").Pool(1) as pool:
        after = pool.apply(_autogroup_niceness_after, (11,), {"own_session": False})

    assert after == before
    assert autogroup_niceness() == before


def test_the_worker_schedules_the_next_draft_scan_and_reconciliation(
    migrated: Settings, redis_conn: Redis
) -> None:
    main(["worker", "--burst"], settings=migrated)
    main(["worker", "--burst"], settings=migrated)  # a second worker: still one run per slot

    job_ids = queue_for(redis_conn, PERIODIC_QUEUE).scheduled_job_registry.get_job_ids()
    assert sorted(job_id.rsplit("-", 1)[0] for job_id in job_ids) == [
        "amzguard-draft-scan",
        "amzguard-reconcile",
    ]


def test_a_database_not_migrated_stops_the_worker(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["worker", "--burst"], settings=settings)

    assert status == 2
    assert capsys.readouterr().err == (
        "amz-guard worker: the database is not at the newest schema; "
        "run `amz-guard db upgrade` first\n"
    )


def test_redis_down_stops_the_worker(
    migrated: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    down = migrated.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})

    status = main(["worker", "--burst"], settings=down)

    assert status == 2
    assert capsys.readouterr().err.startswith(
        "amz-guard worker: Redis does not answer at REDIS_URL (ConnectionError: "
    )


class QuitsOnceWorker(StopRecordingMixin, SimpleWorker):
    """The first one quits as RQ's work loop does on an error it does not expect (it returns);
    the next works what is queued, then stops as after SIGTERM."""

    started = 0

    def work(self, burst: bool = False, **kwargs: Any) -> bool:
        type(self).started += 1
        if type(self).started == 1:
            return False
        self.stop_requested = True
        return super().work(burst=True, **kwargs)


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """RQ's workers install SIGTERM and SIGINT handlers; give the test runner its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.mark.usefixtures("signal_handlers")
def test_a_worker_that_quit_on_an_error_works_again(
    migrated: Settings, redis_conn: Redis, queue: Queue
) -> None:
    job = queue.enqueue("sample_jobs.say_hello", "Jordan")

    worked = work_through_outages(migrated, redis_conn, worker_class=QuitsOnceWorker)

    assert worked is True
    assert QuitsOnceWorker.started == 2
    assert job.get_status(refresh=True) is JobStatus.FINISHED
    job_ids = queue_for(redis_conn, PERIODIC_QUEUE).scheduled_job_registry.get_job_ids()
    assert len(job_ids) == 2  # the periodic jobs asked for again before working again


@pytest.mark.usefixtures("signal_handlers")
def test_a_burst_worker_is_not_started_again(migrated: Settings, redis_conn: Redis) -> None:
    class BurstQuitsOnce(QuitsOnceWorker):
        started = 0

    work_through_outages(migrated, redis_conn, burst=True, worker_class=BurstQuitsOnce)

    assert BurstQuitsOnce.started == 1


class StopsAfterOneRunWorker(StopRecordingMixin, SimpleWorker):
    """Works what is queued, then stops as after SIGTERM; counts how many were built."""

    built = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type(self).built += 1

    def work(self, burst: bool = False, **kwargs: Any) -> bool:
        self.stop_requested = True
        return super().work(burst=True, **kwargs)


@pytest.mark.usefixtures("signal_handlers")
def test_a_worker_that_finds_redis_gone_as_it_starts_waits_for_it(
    migrated: Settings, tmp_path: Path
) -> None:
    server = PrivateRedis(tmp_path / "redis")
    connection = server.connection()
    server.stop()  # after the start-up checks, before RQ's worker names itself to Redis
    restart = threading.Timer(0.5, server.start)
    restart.start()

    try:
        work_through_outages(migrated, connection, worker_class=StopsAfterOneRunWorker)

        assert StopsAfterOneRunWorker.built == 1  # built once Redis answered
        periodic = queue_for(connection, PERIODIC_QUEUE).scheduled_job_registry
        assert len(periodic.get_job_ids()) == 2  # the periodic jobs asked for again
    finally:
        restart.join()
        server.stop()


def test_waiting_for_redis_ends_when_it_answers(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path / "redis")
    server.stop()
    waiter = threading.Thread(
        target=wait_for_redis, args=(server.connection(), (0.05,)), daemon=True
    )
    waiter.start()
    time.sleep(0.3)
    assert waiter.is_alive()  # nothing answers yet

    server.start()
    waiter.join(timeout=10)

    try:
        assert not waiter.is_alive()
    finally:
        server.stop()
