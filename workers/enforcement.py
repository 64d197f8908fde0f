"""Enforcement jobs: a Help Scout webhook delivery, and the periodic draft scan.

Jobs take plain values (ids, the event name, the parsed payload), never clients or ORM rows. Each
takes the settings and a database session from the worker (`workers.worker_context`; outside a
worker, from the environment), calls the domain code in `helpscout_app.enforcement`, and
records the outcome. The domain code makes repeated runs no-ops
(one incident per reply, one note per draft content, one alert per fact), so RQ may retry a job.

Deliveries are queued by `workers.deliveries`; the draft scan is scheduled by `workers.schedule`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rq import get_current_job
from sqlalchemy.orm import Session

from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.enforcement.customer_messages import record_customer_message
from helpscout_app.enforcement.draft_scan import scan_drafts
from helpscout_app.enforcement.sent_replies import enforce_sent_reply
from helpscout_app.helpscout.webhook_events import (
    Handling,
    WebhookEvent,
    handling_for,
    webhook_event_from_payload,
)
from helpscout_app.reconciliation.clock import record_deleted
from helpscout_app.settings import Settings, load_settings
from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.deliveries import (
    DONE_STATUSES,
    get_delivery,
    mark_delivery,
    record_delivery,
)
from helpscout_app.store.models import DeliveryStatus
from workers.helpscout_token import job_helpscout_client
from workers.retries import retry_transient_only
from workers.schedule import DRAFT_SCAN, pass_lock, schedule_next_run
from workers.worker_context import current_worker_context

log = logging.getLogger(__name__)

ERROR_TEXT_MAX = 2000
"""Longest error text kept on a failed delivery row."""


@dataclass
class JobResources:
    """What a job builds from the settings: the settings themselves and a database session."""

    settings: Settings
    session: Session


def job_settings() -> Settings:
    """The worker's settings, read once at its start; outside a worker, from the environment."""
    context = current_worker_context()
    return context.settings if context is not None else load_settings()


@contextmanager
def job_resources(settings: Settings | None = None) -> Iterator[JobResources]:
    """The settings (`job_settings()` unless given) and a session, closed after.

    In a worker the session comes from the worker's engine (`workers.worker_context`), whose
    compiled SQL the work horse inherits. Outside one, or with other settings than the
    worker's, the job builds an engine of its own and disposes of it after.
    """
    context = current_worker_context()
    if context is not None and (settings is None or settings is context.settings):
        with context.sessions() as session:
            yield JobResources(settings=context.settings, session=session)
        return
    if settings is None:
        settings = load_settings()
    engine = create_engine_for(settings.database_url)
    try:
        with session_factory(engine)() as session:
            yield JobResources(settings=settings, session=session)
    finally:
        engine.dispose()


def process_webhook_delivery(
    delivery_key: str,
    event_name: str,
    conversation_id: int | None,
    thread_id: int | None,
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    """Record the delivery, act on it by its handling, and mark it processed or ignored.

    Agent replies are checked (`enforce_sent_reply`: note, tag, incident, alert when blocked);
    customer messages update the conversation's clock (`record_customer_message`); a deleted
    conversation's clock stops (`record_deleted`). A delivery
    already processed (a redelivery queued again after Redis forgot its job) is skipped. On
    failure the delivery is marked failed with the error, and the error is raised again for RQ:
    transient ones are retried, others go to the failed registry.
    """
    with retry_transient_only(), job_resources() as resources:
        session = resources.session
        # The web view only queues (workers.deliveries): the delivery is recorded here, once.
        record_delivery(session, delivery_key, event_name, conversation_id=conversation_id)
        delivery = get_delivery(session, delivery_key)
        # Ends the transaction: on SQLite it holds the write lock, and the domain code may call
        # Help Scout before it writes anything.
        session.commit()
        if delivery is not None and delivery.status in DONE_STATUSES:
            log.info("delivery %s was processed already; skipped", delivery_key)
            return {"delivery": delivery_key, "status": "skipped"}
        try:
            outcome = _act_on_delivery(
                resources, event_name, conversation_id, thread_id, payload, datetime.now(UTC)
            )
            status = DeliveryStatus.PROCESSED if outcome.pop("acted") else DeliveryStatus.IGNORED
            mark_delivery(session, delivery_key, status)
            session.commit()
        except Exception as err:
            _record_failure(session, delivery_key, err)
            raise
    log.info("delivery %s: %s", delivery_key, status.value)
    return {"delivery": delivery_key, "status": status.value, **outcome}


def _act_on_delivery(
    resources: JobResources,
    event_name: str,
    conversation_id: int | None,
    thread_id: int | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Call the domain code for the event's handling; `acted` says whether it did anything."""
    settings, session = resources.settings, resources.session
    handling = handling_for(event_name)
    if handling is Handling.AGENT_REPLY:
        if conversation_id is None:  # parse_webhook_event refuses these; a hand-made job may not
            raise ValueError(f"{event_name} delivery without a conversation id")
        result = enforce_sent_reply(
            client=job_helpscout_client(settings),
            session=session,
            notifier=SlackNotifier.from_settings(settings),
            settings=settings,
            conversation_id=conversation_id,
            thread_id=thread_id,
            payload=payload,
            now=now,
        )
        return {
            "acted": result.checked,
            "blocked": result.blocked,
            "actions": [str(action) for action in result.actions],
        }
    if handling is Handling.CUSTOMER_MESSAGE:
        recorded = record_customer_message(
            session=session, event=_webhook_event(event_name, payload), settings=settings, now=now
        )
        return {"acted": recorded}
    if handling is Handling.CONVERSATION_DELETED:
        if conversation_id is None:  # parse_webhook_event refuses these; a hand-made job may not
            raise ValueError(f"{event_name} delivery without a conversation id")
        return {"acted": record_deleted(session, conversation_id)}
    return {"acted": False}  # events queued by an older version whose handling has changed


def _webhook_event(event_name: str, payload: Mapping[str, Any]) -> WebhookEvent:
    """The `WebhookEvent` of a queued delivery, read again from its payload.

    Its `body_sha256` is that of the payload as re-encoded here, not of the bytes Help Scout
    signed; the delivery key (computed by the view from those) travels with the job instead.
    """
    raw_body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return webhook_event_from_payload(
        event_name, payload, body_sha256=hashlib.sha256(raw_body).hexdigest()
    )


def _record_failure(session: Session, delivery_key: str, error: Exception) -> None:
    """Mark the delivery failed with a one-line error; a database that is down only gets logged."""
    session.rollback()
    text = f"{type(error).__name__}: {error}"[:ERROR_TEXT_MAX]
    try:
        mark_delivery(session, delivery_key, DeliveryStatus.FAILED, error=text)
        session.commit()
    except Exception:  # the original error matters more; RQ records it
        session.rollback()
        log.exception("could not mark delivery %s failed", delivery_key)


def run_draft_scan() -> dict[str, Any]:
    """One pass of the draft scan and Send-Later gate, then the next pass is already scheduled.

    Asks for the next slot first (see `workers.schedule`), so a failing pass does not end the
    chain; skips when another pass still holds the lock. Not retried: the next slot is the retry.
    """
    now = datetime.now(UTC)
    settings = job_settings()
    job = get_current_job()
    if job is None:
        raise RuntimeError("run_draft_scan runs as an RQ job; use amz-guard scan-drafts --once")
    schedule_next_run(job.connection, DRAFT_SCAN, DRAFT_SCAN.interval_s(settings), now)
    lock = pass_lock(job.connection, DRAFT_SCAN)
    if not lock.acquire():
        log.warning("draft scan skipped: the previous pass is still running")
        return {"skipped": "the previous pass is still running"}
    try:
        with job_resources(settings) as resources:
            result = scan_drafts(
                client=job_helpscout_client(resources.settings),
                session=resources.session,
                notifier=SlackNotifier.from_settings(resources.settings),
                settings=resources.settings,
                now=now,
            )
            resources.session.commit()
    finally:
        if lock.owned():
            lock.release()
    return result.to_dict()
