"""`amz-guard worker`: checks before it starts, then RQ's forking worker with the scheduler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus

from helpscout_app.cli import main
from helpscout_app.settings import Settings
from helpscout_app.store.migrate import upgrade
from workers.queues import PERIODIC_QUEUE, queue_for


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    """The test settings, their database migrated."""
    upgrade(settings.database_url)
    return settings


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
