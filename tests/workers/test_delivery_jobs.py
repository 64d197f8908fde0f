"""Webhook deliveries end to end: a signed request, a real Redis, a worker running the job,
Help Scout's API replaced by `responses`, Slack by the fake Slack, and the rows stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import responses
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app.store.models import (
    ComplianceIncident,
    Conversation,
    DeliveryStatus,
    WebhookDelivery,
)
from workers.retries import RETRY_INTERVALS_S

if TYPE_CHECKING:
    from conftest import FakeSlack, HelpScoutSender, RunQueuedJobs

API_URL = "http://127.0.0.1:9/v2"
CONVERSATION = "/conversations/3120419377"
AGENT_REPLY = "convo.agent.reply.created"
REPLY_KEY = "helpscout-convo_agent_reply_created-c3120419377-t8812004511"
WRITES = [
    ("POST", f"{CONVERSATION}/notes"),
    ("GET", CONVERSATION),  # the tags as they are, to keep them
    ("PUT", f"{CONVERSATION}/tags"),
]
Calls = Callable[[], list[tuple[str, str]]]


@pytest.fixture
def helpscout_writes(
    helpscout_api: responses.RequestsMock, load_fixture: Callable[[str], bytes]
) -> responses.RequestsMock:
    """Help Scout's answers to a note, a tag read and a tag write."""
    helpscout_api.post(
        f"{API_URL}{CONVERSATION}/notes", status=201, headers={"Resource-ID": "8812004599"}
    )
    helpscout_api.get(
        f"{API_URL}{CONVERSATION}",
        body=load_fixture("helpscout/api/get_conversation.json"),
        content_type="application/hal+json",
    )
    helpscout_api.put(f"{API_URL}{CONVERSATION}/tags", status=204)
    return helpscout_api


def delivery_rows(store_session: Session) -> list[WebhookDelivery]:
    """The delivery rows as stored now; the read transaction is ended at once, since on SQLite
    it holds the write lock the jobs need (store/database.py)."""
    store_session.expire_all()
    rows = list(store_session.scalars(select(WebhookDelivery)))
    store_session.commit()
    return rows


def test_a_reply_with_a_phone_number_is_noted_tagged_alerted_and_recorded(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_writes: responses.RequestsMock,
    helpscout_calls: Calls,
    fake_slack: FakeSlack,
    store_session: Session,
    queue: Queue,
) -> None:
    response = helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")
    assert response.status_code == 202

    run_queued_jobs()

    job = Job.fetch(REPLY_KEY, connection=queue.connection)
    assert job.get_status() is JobStatus.FINISHED
    assert job.return_value() == {
        "delivery": REPLY_KEY,
        "status": "processed",
        "blocked": True,
        "actions": ["note", "tagged", "alerted"],
    }
    assert helpscout_calls() == WRITES
    [note, _, tags] = [call.request for call in helpscout_writes.calls[1:]]
    assert "(555) 201-4477" in json.loads(note.body)["text"]
    assert "Please call us at [phone number removed]" in json.loads(note.body)["text"]
    assert json.loads(tags.body) == {"tags": ["amazon", "amazon-noncompliant"]}
    [alert] = fake_slack.posted()
    assert alert["text"].startswith("[noncompliant-sent] Sam Agent sent an Amazon buyer a reply")
    [delivery] = delivery_rows(store_session)
    assert (delivery.delivery_key, delivery.status, delivery.attempts, delivery.error) == (
        REPLY_KEY,
        DeliveryStatus.PROCESSED,
        1,
        None,
    )
    [incident] = store_session.scalars(select(ComplianceIncident))
    assert (incident.thread_id, incident.finding_kinds, incident.actions) == (
        8812004511,
        ["phone"],
        ["note", "tagged", "alerted"],
    )


@pytest.mark.usefixtures("helpscout_writes")
def test_a_job_queued_by_an_earlier_release_still_runs(
    run_queued_jobs: RunQueuedJobs,
    helpscout_calls: Calls,
    load_fixture: Callable[[str], bytes],
    store_session: Session,
    queue: Queue,
) -> None:
    # The job's arguments written out, not made by today's view: jobs waiting in Redis across a
    # deploy were queued with exactly these keyword arguments (the parsed body as a dict).
    payload = json.loads(
        load_fixture("helpscout/webhooks/convo.agent.reply.created.with-phone.json")
    )
    queue.enqueue(
        "workers.enforcement.process_webhook_delivery",
        kwargs={
            "delivery_key": REPLY_KEY,
            "event_name": AGENT_REPLY,
            "conversation_id": 3120419377,
            "thread_id": 8812004511,
            "payload": payload,
        },
        job_id=REPLY_KEY,
    )

    run_queued_jobs()

    job = Job.fetch(REPLY_KEY, connection=queue.connection)
    assert job.return_value() == {
        "delivery": REPLY_KEY,
        "status": "processed",
        "blocked": True,
        "actions": ["note", "tagged", "alerted"],
    }
    assert helpscout_calls() == WRITES
    [delivery] = delivery_rows(store_session)
    assert (delivery.delivery_key, delivery.status) == (REPLY_KEY, DeliveryStatus.PROCESSED)


@pytest.mark.usefixtures("helpscout_writes")
def test_a_duplicate_delivery_is_processed_once(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_calls: Calls,
    fake_slack: FakeSlack,
    store_session: Session,
    queue: Queue,
) -> None:
    statuses = [helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")]
    statuses.append(helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone"))
    run_queued_jobs()
    statuses.append(helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone"))
    Job.fetch(REPLY_KEY, connection=queue.connection).delete()  # Redis forgot the job
    statuses.append(helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone"))
    run_queued_jobs()

    assert [response.status_code for response in statuses] == [202, 200, 200, 202]
    assert helpscout_calls() == WRITES
    assert len(fake_slack.posted()) == 1
    assert Job.fetch(REPLY_KEY, connection=queue.connection).return_value() == {
        "delivery": REPLY_KEY,
        "status": "skipped",
    }
    assert [(d.status, d.attempts) for d in delivery_rows(store_session)] == [
        (DeliveryStatus.PROCESSED, 1)
    ]


def test_a_reply_to_someone_else_is_ignored(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_calls: Calls,
    store_session: Session,
) -> None:
    helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.non-amazon")

    run_queued_jobs()

    assert helpscout_calls() == []
    assert [d.status for d in delivery_rows(store_session)] == [DeliveryStatus.IGNORED]


def test_a_buyer_message_starts_the_clock(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_calls: Calls,
    store_session: Session,
) -> None:
    helpscout_sender.send("convo.customer.reply.created")

    run_queued_jobs()

    assert helpscout_calls() == []
    [delivery] = delivery_rows(store_session)
    assert (delivery.event_name, delivery.status) == (
        "convo.customer.reply.created",
        DeliveryStatus.PROCESSED,
    )
    conversation = store_session.get(Conversation, 3120419377)
    assert conversation is not None
    assert conversation.is_amazon
    assert conversation.due_at is not None  # the oldest unanswered buyer message + 24 h


def test_a_deleted_conversation_stops_waiting(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_calls: Calls,
    store_session: Session,
) -> None:
    """A deleted duplicate is never listed by the sync again: only this event says it is gone."""
    helpscout_sender.send("convo.customer.reply.created")
    run_queued_jobs()

    helpscout_sender.send("convo.deleted")
    run_queued_jobs()

    assert helpscout_calls() == []
    assert [(d.event_name, d.status) for d in delivery_rows(store_session)] == [
        ("convo.customer.reply.created", DeliveryStatus.PROCESSED),
        ("convo.deleted", DeliveryStatus.PROCESSED),
    ]
    conversation = store_session.get(Conversation, 3120419377, populate_existing=True)
    assert conversation is not None
    assert (conversation.status, conversation.waiting_since, conversation.due_at) == (
        "deleted",
        None,
        None,
    )


def test_a_conversation_amz_guard_never_stored_is_ignored_when_deleted(
    helpscout_sender: HelpScoutSender, run_queued_jobs: RunQueuedJobs, store_session: Session
) -> None:
    helpscout_sender.send("convo.deleted")

    run_queued_jobs()

    assert [d.status for d in delivery_rows(store_session)] == [DeliveryStatus.IGNORED]


def test_a_429_is_waited_out(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    helpscout_calls: Calls,
    store_session: Session,
) -> None:
    # `responses` answers a URL registered twice in order: the 429 first, then the 201.
    notes_url = f"{API_URL}{CONVERSATION}/notes"
    helpscout_api.post(notes_url, status=429, headers={"X-RateLimit-Retry-After": "0"})
    helpscout_api.post(notes_url, status=201, headers={"Resource-ID": "8812004599"})
    helpscout_api.get(
        f"{API_URL}{CONVERSATION}",
        body=load_fixture("helpscout/api/get_conversation.json"),
        content_type="application/hal+json",
    )
    helpscout_api.put(f"{API_URL}{CONVERSATION}/tags", status=204)
    helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")

    run_queued_jobs()

    assert helpscout_calls() == [("POST", f"{CONVERSATION}/notes"), *WRITES]
    assert [d.status for d in delivery_rows(store_session)] == [DeliveryStatus.PROCESSED]


def test_a_job_that_keeps_failing_is_retried_then_lands_in_the_failed_registry(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_api: responses.RequestsMock,
    helpscout_calls: Calls,
    store_session: Session,
    queue: Queue,
    load_fixture: Callable[[str], bytes],
) -> None:
    helpscout_api.post(  # rate-limited for good: the client waits twice, then gives up
        f"{API_URL}{CONVERSATION}/notes", status=429, headers={"X-RateLimit-Retry-After": "0"}
    )
    helpscout_api.get(  # where a retry looks for the note an earlier try may have posted
        f"{API_URL}{CONVERSATION}/threads",
        body=load_fixture("helpscout/api/list_threads.json"),
        content_type="application/hal+json",
    )
    helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")

    run_queued_jobs()  # the first try fails and is scheduled for a retry
    job = Job.fetch(REPLY_KEY, connection=queue.connection)
    assert job.get_status() is JobStatus.SCHEDULED
    [delivery] = delivery_rows(store_session)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.error.startswith("RateLimited: Help Scout is rate-limiting POST")

    run_queued_jobs(due_retries=True)

    job.refresh()
    assert job.get_status() is JobStatus.FAILED
    assert queue.failed_job_registry.get_job_ids() == [REPLY_KEY]
    tries = 1 + len(RETRY_INTERVALS_S)
    post_note = [("POST", f"{CONVERSATION}/notes")] * 3
    look_first = [("GET", f"{CONVERSATION}/threads?page=1")]
    assert helpscout_calls() == post_note + (look_first + post_note) * (tries - 1)
    [delivery] = delivery_rows(store_session)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, tries)


def test_a_refusal_goes_to_the_failed_registry_without_retries(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    store_session: Session,
    queue: Queue,
) -> None:
    helpscout_api.post(
        f"{API_URL}{CONVERSATION}/notes",
        status=403,
        body=load_fixture("helpscout/api/error.forbidden.json"),
        content_type="application/json",
    )
    helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")

    run_queued_jobs()

    assert queue.failed_job_registry.get_job_ids() == [REPLY_KEY]
    assert queue.scheduled_job_registry.count == 0
    [delivery] = delivery_rows(store_session)
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.error.startswith("HelpScoutAPIError: Help Scout answered 403 to POST")


def test_while_the_database_is_down_the_job_waits_in_its_retries(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    monkeypatch: pytest.MonkeyPatch,
    queue: Queue,
) -> None:
    helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")  # 202 regardless
    monkeypatch.setenv("DATABASE_URL", "postgresql://amz@127.0.0.1:9/amz")  # nothing listens

    run_queued_jobs()

    job = Job.fetch(REPLY_KEY, connection=queue.connection)
    assert job.get_status() is JobStatus.SCHEDULED
    assert job.retries_left == len(RETRY_INTERVALS_S) - 1


def test_missing_help_scout_credentials_fail_at_once(
    helpscout_sender: HelpScoutSender,
    run_queued_jobs: RunQueuedJobs,
    monkeypatch: pytest.MonkeyPatch,
    store_session: Session,
    queue: Queue,
) -> None:
    helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")
    monkeypatch.delenv("HELPSCOUT_APP_ID")  # exported by `worker_environment`
    monkeypatch.delenv("HELPSCOUT_APP_SECRET")

    run_queued_jobs()

    assert queue.failed_job_registry.get_job_ids() == [REPLY_KEY]
    [delivery] = delivery_rows(store_session)
    assert delivery.error.startswith(
        "ConfigurationError: HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET"
    )
