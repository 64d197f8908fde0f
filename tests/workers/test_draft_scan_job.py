"""The periodic draft scan as an RQ job: one pass, the next slot scheduled, one pass at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import responses
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from helpscout_app.settings import Settings
from workers.enforcement import run_draft_scan
from workers.queues import PERIODIC_QUEUE, queue_for
from workers.schedule import DRAFT_SCAN, next_slot_start, pass_lock, schedule_next_run

if TYPE_CHECKING:
    from conftest import FakeSlack, RunQueuedJobs

API_URL = "http://127.0.0.1:9/v2"
FLAGGED = 3120419377
COMPLIANT = 3120419390


@pytest.fixture
def helpscout_drafts(
    helpscout_api: responses.RequestsMock, load_fixture: Callable[[str], bytes]
) -> responses.RequestsMock:
    """Help Scout as the fixture files describe it: two active Amazon conversations, one with a
    blocked draft and a blocked Send Later reply; every write answered."""

    def answer(method: str, path: str, fixture: str | None = None, status: int = 200) -> None:
        body = load_fixture(f"helpscout/api/{fixture}") if fixture else b""
        helpscout_api.add(method, f"{API_URL}{path}", body=body, status=status)

    answer("GET", "/conversations", "list_conversations.amazon-active.json")
    answer("GET", f"/conversations/{COMPLIANT}/threads", "list_threads.compliant-drafts.json")
    answer("GET", f"/conversations/{FLAGGED}/threads", "list_threads.json")
    answer("POST", f"/conversations/{FLAGGED}/notes", status=201)
    answer("GET", f"/conversations/{FLAGGED}", "get_conversation.json")
    answer("PUT", f"/conversations/{FLAGGED}/tags", status=204)
    return helpscout_api


def periodic_job_ids(redis_conn: Redis) -> list[str]:
    return queue_for(redis_conn, PERIODIC_QUEUE).scheduled_job_registry.get_job_ids()


@pytest.mark.usefixtures("helpscout_drafts", "store_session")
def test_a_pass_runs_as_a_job_and_schedules_the_next_one(
    redis_conn: Redis, run_queued_jobs: RunQueuedJobs, fake_slack: FakeSlack, settings: Settings
) -> None:
    job = queue_for(redis_conn, PERIODIC_QUEUE).enqueue(DRAFT_SCAN.function)
    asked_at = datetime.now(UTC)

    run_queued_jobs()

    job.refresh()
    assert job.get_status() is JobStatus.FINISHED
    assert job.return_value() == {
        "conversations_seen": 2,
        "threads_checked": 4,
        "schedules_cancelled": 0,  # ENFORCEMENT_MODE is flag in the test settings
        "drafts_flagged": 2,
        "alerts_sent": 2,
    }
    assert [alert["text"][:16] for alert in fake_slack.posted()] == [
        "[blocked-reply] ",
        "[draft-flagged] ",
    ]
    [next_run] = periodic_job_ids(redis_conn)
    next_slot = next_slot_start(settings.draft_scan_interval_s, asked_at)
    assert next_run in {
        DRAFT_SCAN.job_id(next_slot),
        DRAFT_SCAN.job_id(next_slot + timedelta(seconds=settings.draft_scan_interval_s)),
    }  # the slot after the one the job started in, which may be the next one by now
    assert not redis_conn.exists("amzguard:lock:draft-scan")


@pytest.mark.usefixtures("store_session")
def test_a_pass_is_skipped_while_another_one_runs(
    redis_conn: Redis, run_queued_jobs: RunQueuedJobs, helpscout_calls: Callable[[], list]
) -> None:
    running = pass_lock(redis_conn, DRAFT_SCAN)
    assert running.acquire()
    job = queue_for(redis_conn, PERIODIC_QUEUE).enqueue(DRAFT_SCAN.function)

    run_queued_jobs()

    assert job.return_value() == {"skipped": "the previous pass is still running"}
    assert helpscout_calls() == []
    assert len(periodic_job_ids(redis_conn)) == 1  # the chain goes on
    running.release()


@pytest.mark.usefixtures("helpscout_drafts", "store_session")
def test_the_worker_scheduler_runs_a_due_pass_once(
    redis_conn: Redis, run_queued_jobs: RunQueuedJobs
) -> None:
    past = datetime.now(UTC) - timedelta(minutes=5)
    due = schedule_next_run(redis_conn, DRAFT_SCAN, 60, past)
    assert due is not None

    for _ in range(2):  # two workers in turn, each with RQ's scheduler
        run_queued_jobs(with_scheduler=True)

    assert Job.fetch(due.id, connection=redis_conn).get_status() is JobStatus.FINISHED
    assert [job_id for job_id in periodic_job_ids(redis_conn) if job_id == due.id] == []


@pytest.mark.usefixtures("worker_environment")
def test_outside_rq_the_job_says_what_to_run_instead() -> None:
    with pytest.raises(RuntimeError, match="amz-guard scan-drafts --once"):
        run_draft_scan()


def test_a_failed_pass_is_not_retried_and_the_chain_goes_on(
    redis_conn: Redis,
    run_queued_jobs: RunQueuedJobs,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    store_session: Session,
) -> None:
    helpscout_api.get(
        f"{API_URL}/conversations",
        status=403,
        body=load_fixture("helpscout/api/error.forbidden.json"),
        content_type="application/json",
    )
    job = queue_for(redis_conn, PERIODIC_QUEUE).enqueue(DRAFT_SCAN.function)

    run_queued_jobs()

    assert job.get_status() is JobStatus.FAILED
    assert len(periodic_job_ids(redis_conn)) == 1
    assert not redis_conn.exists("amzguard:lock:draft-scan")
