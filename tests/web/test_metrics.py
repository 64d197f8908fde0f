"""GET /metrics: counters moved by requests and by jobs in worker processes, the gauges read at
scrape time, the optional token, and a page that survives its sources being down."""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from redis import Redis
from rq import Queue
from sqlalchemy.orm import Session

from helpscout_app import create_app
from helpscout_app.reconciliation.reconcile_pass import LAST_PASS_CURSOR
from helpscout_app.settings import Settings
from helpscout_app.store.cursors import write_cursor
from helpscout_app.store.migrate import upgrade
from helpscout_app.store.models import Conversation
from workers.queues import PERIODIC_QUEUE, WEBHOOKS_QUEUE, queue_for
from workers.worker import work_queues

if TYPE_CHECKING:
    from conftest import HelpScoutSender

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: FlaskClient, **headers: str) -> Samples:
    """Every sample on /metrics, parsed as Prometheus parses it, by (name, labels)."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series is not there (a counter never counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_signed_webhook_moves_the_received_counter(
    client: FlaskClient, helpscout_sender: HelpScoutSender
) -> None:
    name = "amzguard_webhooks_received_total"
    queued = {"event": "convo.customer.reply.created", "outcome": "queued"}
    duplicate = {**queued, "outcome": "duplicate"}
    before = scrape(client)

    assert helpscout_sender.send("convo.customer.reply.created").status_code == 202
    assert helpscout_sender.send("convo.customer.reply.created").status_code == 200

    after = scrape(client)
    assert value(after, name, **queued) == value(before, name, **queued) + 1
    assert value(after, name, **duplicate) == value(before, name, **duplicate) + 1
    assert value(after, "amzguard_queue_jobs", queue=WEBHOOKS_QUEUE, state="queued") == 1


def test_a_forged_webhook_is_counted_without_trusting_its_event_name(
    client: FlaskClient, helpscout_sender: HelpScoutSender
) -> None:
    name = "amzguard_webhooks_received_total"
    refused = {"event": "unverified", "outcome": "refused_signature"}
    before = scrape(client)

    response = helpscout_sender.send_body("made.up.by.a.stranger", b'{"id": 1}', signature="forged")

    assert response.status_code == 401
    after = scrape(client)
    assert value(after, name, **refused) == value(before, name, **refused) + 1
    assert not any("made.up" in str(labels) for _, labels in after)


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    upgrade(settings.database_url)
    return settings


def test_a_count_made_by_a_job_in_a_forked_work_horse_reaches_the_web(
    migrated: Settings, client: FlaskClient, redis_conn: Redis
) -> None:
    name = "amzguard_alerts_sent_total"
    before = value(scrape(client), name, tag="digest")
    job = queue_for(redis_conn, PERIODIC_QUEUE).enqueue("metric_jobs.count_an_alert", "digest")

    # The real `amz-guard worker` path: RQ's forking worker, one work-horse process per job.
    assert work_queues(migrated, burst=True)

    job.refresh()
    assert job.return_value() != os.getpid()  # it did run in another process
    assert value(scrape(client), name, tag="digest") == before + 1


def test_counts_kept_in_redis_are_added_to_the_web_process_own(
    client: FlaskClient, redis_conn: Redis
) -> None:
    from helpscout_app.observability import metrics
    from helpscout_app.observability.shared_counters import add_counts
    from workers.queues import metrics_key_prefix

    name = "amzguard_alerts_sent_total"
    before = value(scrape(client), name, tag="missing")

    metrics.count_alert_sent("missing")  # this (web) process
    add_counts(redis_conn, metrics_key_prefix(), {(metrics.ALERTS_SENT.name, ("missing",)): 2})

    assert value(scrape(client), name, tag="missing") == before + 3


def test_queue_depths_and_failed_jobs_are_read_at_scrape_time(
    client: FlaskClient, redis_conn: Redis
) -> None:
    queue = queue_for(redis_conn, PERIODIC_QUEUE)
    queue.enqueue("metric_jobs.count_an_alert", "digest")
    queue.enqueue("metric_jobs.count_an_alert", "digest")
    failed = Queue.create_job(queue, "metric_jobs.count_an_alert", args=("digest",))
    failed.save()
    queue.failed_job_registry.add(failed, ttl=60, exc_string="boom")

    samples = scrape(client)

    assert value(samples, "amzguard_queue_jobs", queue=PERIODIC_QUEUE, state="queued") == 2
    assert value(samples, "amzguard_queue_jobs", queue=PERIODIC_QUEUE, state="failed") == 1
    assert value(samples, "amzguard_queue_jobs", queue=WEBHOOKS_QUEUE, state="queued") == 0
    assert value(samples, "amzguard_metrics_source_up", source="redis") == 1


def amazon_conversation(conversation_id: int, **columns: object) -> Conversation:
    """An Amazon buyer's conversation with the given clock columns."""
    return Conversation(
        id=conversation_id,
        is_amazon=True,
        relay_base_address=f"buyer{conversation_id}@marketplace.amazon.com",
        **columns,
    )


def test_conversations_per_sla_state_and_the_reconciliation_lag(
    client: FlaskClient, store_session: Session
) -> None:
    assert math.isinf(value(scrape(client), "amzguard_reconciliation_lag_seconds"))
    now = datetime.now(UTC)
    hour = timedelta(hours=1)

    def waiting(hours_left: float, status: str = "active") -> dict[str, object]:
        due_at = now + hours_left * hour
        return {
            "status": status,
            "waiting_since": due_at - 24 * hour,
            "due_at": due_at,
            "last_customer_message_at": due_at - 24 * hour,
        }

    store_session.add_all(
        [
            amazon_conversation(1, status="active", last_customer_message_at=now - hour),
            amazon_conversation(2, **waiting(20)),
            amazon_conversation(3, **waiting(12)),
            amazon_conversation(4, **waiting(1)),  # under the first warning level (8 h)
            amazon_conversation(5, **waiting(-2)),
            amazon_conversation(6, **waiting(5, status="closed")),
            amazon_conversation(7, status="closed", last_customer_message_at=now - hour),
        ]
    )
    write_cursor(store_session, LAST_PASS_CURSOR, (now - 90 * timedelta(seconds=1)).isoformat())
    store_session.commit()

    samples = scrape(client)

    states = {
        state: value(samples, "amzguard_amazon_conversations", sla_state=state)
        for state in ("answered", "waiting", "warning", "breached", "nrn-pending")
    }
    assert states == {"answered": 1, "waiting": 2, "warning": 1, "breached": 1, "nrn-pending": 1}
    assert 90 <= value(samples, "amzguard_reconciliation_lag_seconds") < 150
    assert value(samples, "amzguard_metrics_source_up", source="database") == 1


def test_the_page_is_served_when_redis_is_down(settings: Settings) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})

    samples = scrape(create_app(down).test_client())

    assert value(samples, "amzguard_metrics_source_up", source="redis") == 0
    assert value(samples, "amzguard_metrics_source_up", source="shared_counters") == 0
    assert not any(name == "amzguard_queue_jobs" for name, _ in samples)
    assert ("amzguard_send_later_cancelled_total", frozenset()) in samples


def test_metrics_token_is_required_when_set(settings: Settings) -> None:
    protected = settings.model_copy(update={"metrics_token": SecretStr("scrape-me-please")})
    client = create_app(protected).test_client()

    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    assert scrape(client, Authorization="Bearer scrape-me-please")
