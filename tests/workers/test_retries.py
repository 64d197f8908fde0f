"""Only transient failures use RQ's retries; the rest land in the failed registry at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import redis.exceptions
import sqlalchemy.exc
from rq import Queue
from rq.job import Job, JobStatus
from sample_jobs import TRIES_KEY

from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.helpscout.errors import HelpScoutAPIError, RateLimited
from helpscout_app.settings import ConfigurationError
from helpscout_app.store.errors import DatabaseUnavailable
from workers.retries import RETRY_INTERVALS_S, is_transient, transient_retry

if TYPE_CHECKING:
    from conftest import RunQueuedJobs


def api_error(status: int | None) -> HelpScoutAPIError:
    return HelpScoutAPIError("x", method="GET", url="http://127.0.0.1:9/v2", status=status)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        # transient: waiting may cure them
        (api_error(None), True),
        (api_error(500), True),
        (api_error(503), True),
        (RateLimited("x", method="GET", url="http://127.0.0.1:9/v2", retry_after_s=60), True),
        (AlertDeliveryError("Slack answered 503"), True),
        (redis.exceptions.ConnectionError("refused"), True),
        (redis.exceptions.TimeoutError("timed out"), True),
        (sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed")), True),
        (DatabaseUnavailable("cannot connect"), True),
        # permanent: retrying repeats the same failure
        (api_error(400), False),
        (api_error(403), False),
        (api_error(404), False),
        (ConfigurationError("HELPSCOUT_APP_ID: required"), False),
        (KeyError("threads"), False),
        (sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate")), False),
    ],
)
def test_is_transient(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def test_the_retry_backs_off() -> None:
    retry = transient_retry()

    assert retry.max == len(RETRY_INTERVALS_S) == 4
    assert retry.intervals == [30, 120, 600, 1800]


def test_a_transient_failure_is_scheduled_for_a_retry(
    queue: Queue, run_queued_jobs: RunQueuedJobs
) -> None:
    job = queue.enqueue("sample_jobs.fail_with_helpscout_status", 503, retry=transient_retry())

    run_queued_jobs()

    job.refresh()
    assert job.get_status() is JobStatus.SCHEDULED
    assert job.retries_left == 3
    assert queue.scheduled_job_registry.get_job_ids() == [job.id]
    assert queue.failed_job_registry.count == 0


def test_a_transient_failure_that_goes_on_ends_in_the_failed_registry(
    queue: Queue, run_queued_jobs: RunQueuedJobs
) -> None:
    job = queue.enqueue("sample_jobs.fail_with_helpscout_status", None, retry=transient_retry())

    run_queued_jobs(due_retries=True)

    job.refresh()
    assert job.get_status() is JobStatus.FAILED
    assert job.retries_left == 0
    assert queue.failed_job_registry.get_job_ids() == [job.id]
    assert int(queue.connection.get(TRIES_KEY)) == 5  # the first try and four retries


@pytest.mark.parametrize(
    ("function", "args"),
    [("sample_jobs.fail_with_helpscout_status", (404,)), ("sample_jobs.fail_with_a_bug", ())],
    ids=["Help Scout 404", "a bug"],
)
def test_a_permanent_failure_goes_to_the_failed_registry_at_once(
    queue: Queue, run_queued_jobs: RunQueuedJobs, function: str, args: tuple[object, ...]
) -> None:
    job = queue.enqueue(function, *args, retry=transient_retry())

    run_queued_jobs()

    job = Job.fetch(job.id, connection=queue.connection)
    assert job.get_status() is JobStatus.FAILED
    assert queue.failed_job_registry.get_job_ids() == [job.id]
    assert queue.scheduled_job_registry.count == 0
