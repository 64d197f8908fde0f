"""POST /webhooks/helpscout: the status contract, and the one thing it writes: the job."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpscout_app import create_app
from helpscout_app.helpscout.webhook_events import delivery_key, parse_webhook_event
from helpscout_app.settings import Settings
from helpscout_app.store.models import WebhookDelivery
from helpscout_app.web.webhooks import MAX_BODY_BYTES
from workers.deliveries import DELIVERY_JOB
from workers.queues import QUEUE_NAMES, queue_for

if TYPE_CHECKING:
    from conftest import HelpScoutSender

URL = "/webhooks/helpscout"

# Help Scout's published example (helpscout/helpscout-api-php examples/incoming_webhook.php,
# reference/helpscout.md §1.4); not computed by any code of ours.
PUBLISHED_SECRET = "asdfasdf"
PUBLISHED_BODY = b'{"id":123}'
PUBLISHED_SIGNATURE = "7S2+kN8bZsrdAEADJ+yYfWWsf/4="

AGENT_REPLY = "convo.agent.reply.created"
AGENT_REPLY_KEY = "helpscout-convo_agent_reply_created-c3120419377-t8812004511"


def deliveries(session: Session) -> list[WebhookDelivery]:
    """Every delivery row, freshly read."""
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def queued_job_ids(redis_conn: Redis) -> list[str]:
    """Ids of the jobs waiting on any of amz-guard's queues."""
    return [job_id for name in QUEUE_NAMES for job_id in queue_for(redis_conn, name).job_ids]


# --- Help Scout's published vector --------------------------------------------------------------


@pytest.fixture
def published_secret_client(settings: Settings) -> FlaskClient:
    """A client of an app whose webhook secret is the one of Help Scout's published example."""
    published = settings.model_copy(
        update={"helpscout_webhook_secret": SecretStr(PUBLISHED_SECRET)}
    )
    app = create_app(published)
    return app.test_client()


def test_the_published_example_is_accepted(published_secret_client: FlaskClient) -> None:
    response = published_secret_client.post(
        URL,
        data=PUBLISHED_BODY,
        headers={
            "X-HelpScout-Event": "helpscout.test",
            "X-HelpScout-Signature": PUBLISHED_SIGNATURE,
        },
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "signature"),
    [
        (b'{"id":124}', PUBLISHED_SIGNATURE),  # body changed
        (b'{"id": 123}', PUBLISHED_SIGNATURE),  # same JSON, other bytes: the bytes are signed
        (PUBLISHED_BODY, PUBLISHED_SIGNATURE.lower()),
        (PUBLISHED_BODY, PUBLISHED_SIGNATURE[:-1]),
    ],
)
def test_the_published_example_altered_is_refused(
    published_secret_client: FlaskClient, body: bytes, signature: str
) -> None:
    response = published_secret_client.post(
        URL,
        data=body,
        headers={"X-HelpScout-Event": "helpscout.test", "X-HelpScout-Signature": signature},
    )

    assert response.status_code == 401


# --- accepted deliveries ------------------------------------------------------------------------


def test_an_agent_reply_is_queued_with_plain_values(
    helpscout_sender: HelpScoutSender, queue: Queue, redis_conn: Redis
) -> None:
    response = helpscout_sender.send(AGENT_REPLY, "convo.agent.reply.created.with-phone")

    assert response.status_code == 202
    assert response.get_data() == b""
    assert queue.job_ids == [AGENT_REPLY_KEY]
    job = Job.fetch(AGENT_REPLY_KEY, connection=redis_conn)
    assert job.func_name == DELIVERY_JOB
    assert job.args == ()
    payload = json.loads(helpscout_sender.body("convo.agent.reply.created.with-phone"))
    assert job.kwargs == {
        "delivery_key": AGENT_REPLY_KEY,
        "event_name": AGENT_REPLY,
        "conversation_id": 3120419377,
        "thread_id": 8812004511,
        "payload": payload,
    }
    assert job.retries_left == 4
    # The description shows in logs and dashboards: no customer text in it.
    assert job.description == "convo.agent.reply.created for conversation 3120419377"


def test_the_job_id_is_the_delivery_key_of_the_event(
    helpscout_sender: HelpScoutSender, queue: Queue
) -> None:
    raw_body = helpscout_sender.body("convo.customer.reply.created")
    event = parse_webhook_event({"X-HelpScout-Event": "convo.customer.reply.created"}, raw_body)

    helpscout_sender.send("convo.customer.reply.created")

    assert queue.job_ids == [delivery_key(event)]


def test_a_trailing_slash_is_served_without_a_redirect(
    helpscout_sender: HelpScoutSender, queue: Queue
) -> None:
    raw_body = helpscout_sender.body(AGENT_REPLY)

    response = helpscout_sender.send_body(AGENT_REPLY, raw_body, url=URL + "/")

    assert response.status_code == 202
    assert queue.count == 1


# --- at least once: redeliveries ----------------------------------------------------------------


def test_a_redelivery_is_acknowledged_and_not_queued_again(
    helpscout_sender: HelpScoutSender, queue: Queue
) -> None:
    first = helpscout_sender.send(AGENT_REPLY)
    second = helpscout_sender.send(AGENT_REPLY)

    assert (first.status_code, second.status_code) == (202, 200)
    assert queue.job_ids == [AGENT_REPLY_KEY]


def test_a_redelivery_of_a_finished_job_is_not_queued_again(
    helpscout_sender: HelpScoutSender, queue: Queue, redis_conn: Redis
) -> None:
    helpscout_sender.send(AGENT_REPLY)
    job = Job.fetch(AGENT_REPLY_KEY, connection=redis_conn)
    queue.remove(job)  # as a worker takes it; the job stays in Redis for its result_ttl
    job.set_status(JobStatus.FINISHED)

    response = helpscout_sender.send(AGENT_REPLY)

    assert response.status_code == 200
    assert queue.count == 0


def test_a_delivery_whose_job_redis_forgot_is_queued_again(
    helpscout_sender: HelpScoutSender, queue: Queue, redis_conn: Redis
) -> None:
    # Its result_ttl ran out, or Redis restarted without persistence. The job itself skips a
    # delivery the database says was processed (tests/workers/test_delivery_jobs.py).
    helpscout_sender.send(AGENT_REPLY)
    Job.fetch(AGENT_REPLY_KEY, connection=redis_conn).delete()

    response = helpscout_sender.send(AGENT_REPLY)

    assert response.status_code == 202
    assert queue.job_ids == [AGENT_REPLY_KEY]


def test_concurrent_deliveries_of_one_event_queue_one_job(
    app: Flask, helpscout_sender: HelpScoutSender, queue: Queue
) -> None:
    raw_body = helpscout_sender.body(AGENT_REPLY)
    senders = 8
    barrier = threading.Barrier(senders)
    statuses: list[int] = []

    def deliver() -> None:
        sender = helpscout_sender.for_client(app.test_client())
        barrier.wait(timeout=10)
        statuses.append(sender.send_body(AGENT_REPLY, raw_body).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] * (senders - 1) + [202]
    assert queue.job_ids == [AGENT_REPLY_KEY]


# --- acknowledged, nothing else -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_name", "raw_body"),
    [
        ("helpscout.test", b'{"id":123}'),
        ("customer.created", b'{"id":881234567,"firstName":"Jordan"}'),
        ("satisfaction.ratings", b'{"id":5}'),
        ("convo.note.created", b'{"id":3120419377,"number":4187}'),
        ("convo.status", b'{"id":3120419377,"number":4187,"status":"closed"}'),
        ("an.event.from.the.future", b"{}"),
    ],
)
def test_tests_and_events_amz_guard_ignores_are_acknowledged_only(
    helpscout_sender: HelpScoutSender,
    redis_conn: Redis,
    event_name: str,
    raw_body: bytes,
) -> None:
    response = helpscout_sender.send_body(event_name, raw_body)

    assert response.status_code == 200
    assert queued_job_ids(redis_conn) == []


def test_a_get_or_head_probe_is_answered(client: FlaskClient) -> None:
    assert client.get(URL).status_code == 200
    assert client.head(URL).status_code == 200


# --- refused: 400 and 413 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_name", "raw_body", "reason"),
    [
        (AGENT_REPLY, b'{"id": 3120419377', "body is not valid JSON"),
        (AGENT_REPLY, b"[1, 2]", "body is a JSON array, expected an object"),
        (AGENT_REPLY, b"\xff\xfe{}", "body is not UTF-8"),
        (AGENT_REPLY, b'{"number": 4187}', "payload has no conversation id"),
        (None, b'{"id": 3120419377}', "the X-HelpScout-Event header is missing"),
    ],
)
def test_an_unreadable_body_is_refused_with_the_reason(
    helpscout_sender: HelpScoutSender,
    redis_conn: Redis,
    event_name: str | None,
    raw_body: bytes,
    reason: str,
) -> None:
    response = helpscout_sender.send_body(event_name, raw_body)

    assert response.status_code == 400
    assert reason in response.get_json()["error"]
    assert queued_job_ids(redis_conn) == []


def test_a_body_over_the_limit_is_refused_before_anything_else(
    helpscout_sender: HelpScoutSender, redis_conn: Redis
) -> None:
    raw_body = b'{"id": 3120419377, "padding": "' + b"x" * MAX_BODY_BYTES + b'"}'

    response = helpscout_sender.send_body(AGENT_REPLY, raw_body)

    assert response.status_code == 413
    assert response.get_json() == {"error": f"the body is over {MAX_BODY_BYTES} bytes"}
    assert queued_job_ids(redis_conn) == []


def test_a_body_at_the_limit_is_read(helpscout_sender: HelpScoutSender) -> None:
    head = b'{"id": 3120419377, "number": 4187, "padding": "'
    raw_body = head + b"x" * (MAX_BODY_BYTES - len(head) - 2) + b'"}'
    assert len(raw_body) == MAX_BODY_BYTES

    assert helpscout_sender.send_body(AGENT_REPLY, raw_body).status_code == 202


# --- 503: retry later, nothing half-recorded ----------------------------------------------------


def test_redis_down_answers_503_and_keeps_nothing(
    helpscout_sender: HelpScoutSender, settings: Settings, store_session: Session
) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})  # nothing listens
    sender = helpscout_sender.for_client(create_app(down).test_client())

    response = sender.send(AGENT_REPLY)

    assert response.status_code == 503
    assert response.get_json() == {"error": "the job queue is unavailable; retry later"}
    assert deliveries(store_session) == []


def test_after_redis_comes_back_the_retried_delivery_is_queued(
    helpscout_sender: HelpScoutSender, settings: Settings, queue: Queue
) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    down_sender = helpscout_sender.for_client(create_app(down).test_client())
    assert down_sender.send(AGENT_REPLY).status_code == 503

    response = helpscout_sender.send(AGENT_REPLY)  # Help Scout's retry, Redis up again

    assert response.status_code == 202
    assert queue.job_ids == [AGENT_REPLY_KEY]


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://amz@127.0.0.1:9/amz",  # nothing listens on port 9
        None,  # the settings' SQLite file, never migrated
    ],
    ids=["database down", "database not migrated"],
)
def test_the_database_is_not_needed_to_accept_a_delivery(
    helpscout_sender: HelpScoutSender, settings: Settings, queue: Queue, database_url: str | None
) -> None:
    # The job records the delivery and retries while the database is unavailable.
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    sender = helpscout_sender.for_client(create_app(settings).test_client())

    assert sender.send(AGENT_REPLY).status_code == 202
    assert queue.job_ids == [AGENT_REPLY_KEY]


def test_without_a_webhook_secret_every_delivery_is_refused_with_503(
    helpscout_sender: HelpScoutSender, settings: Settings, redis_conn: Redis
) -> None:
    unset = settings.model_copy(update={"helpscout_webhook_secret": None})
    sender = helpscout_sender.for_client(create_app(unset).test_client())

    response = sender.send(AGENT_REPLY)

    assert response.status_code == 503
    assert response.get_json() == {"error": "HELPSCOUT_WEBHOOK_SECRET is not set on this server"}
    assert queued_job_ids(redis_conn) == []


# --- never 410 ----------------------------------------------------------------------------------


def test_no_route_ever_answers_410(client: FlaskClient, app: Flask) -> None:
    answers = {}
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<path:filename>", "x.css")
        for method in sorted(rule.methods or ()):
            answers[(method, path)] = client.open(path, method=method).status_code
    for path in ("/", "/webhooks", "/webhooks/helpscout/extra", "/nowhere"):
        answers[("POST", path)] = client.post(path).status_code
        answers[("GET", path)] = client.get(path).status_code

    assert ("POST", URL) in answers
    assert [key for key, status in answers.items() if status == 410] == []
    assert [key for key, status in answers.items() if 300 <= status < 400] == []
