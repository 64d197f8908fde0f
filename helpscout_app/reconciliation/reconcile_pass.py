"""One reconciliation pass: the same code for the periodic RQ job and `amz-guard reconcile`.

In order: read new notification emails; sync Help Scout's changed Amazon conversations; match
buyer-message notifications to customer threads and resolve the `[missing]` alerts of those
found late; alert on messages still missing; alert on the clocks; send the daily digest when it
is due. Every alert goes out once per fact and level, however many passes, workers or restarts.

A part that fails does not stop the others, with one exception: when Help Scout could not be
synced, no message is declared missing (its thread may be in what the sync did not read).
Failures are counted in `errors`; the job and the command report them and exit non-zero.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.amazon.errors import NotificationSourceError
from helpscout_app.amazon.notification_sources import NotificationSource, open_source
from helpscout_app.helpscout.client import HelpScoutClient, TokenStore
from helpscout_app.helpscout.errors import HelpScoutAPIError
from helpscout_app.reconciliation.deadlines import alert_deadlines
from helpscout_app.reconciliation.digest import send_digest
from helpscout_app.reconciliation.helpscout_sync import sync_conversations
from helpscout_app.reconciliation.matching import LATEST, match_notifications
from helpscout_app.reconciliation.missing import MissingResult, alert_missing, announce_found
from helpscout_app.reconciliation.notifications import cursor_name, ingest_notifications
from helpscout_app.reconciliation.seller_replies import apply_seller_replies
from helpscout_app.store.cursors import read_cursor, write_cursor
from helpscout_app.store.timestamps import utc_now

if TYPE_CHECKING:
    from helpscout_app.settings import Settings

log = logging.getLogger(__name__)

LAST_PASS_CURSOR = "reconcile:last-successful-pass"
"""The `sync_cursors` row holding when (wall-clock UTC) the last pass without errors ended;
/metrics reports the seconds since as the reconciliation lag."""


@dataclass
class ReconcileResult:
    """What one pass did; `to_dict` is what `amz-guard reconcile --json` prints."""

    ingested: int = 0  # notification emails newly stored
    unparseable: int = 0  # … of which could not be parsed (kept, see the log)
    undated: int = 0  # … of which had no Date or Received time: dated when read (see the log)
    conversations_synced: int = 0
    matched: int = 0  # notifications paired with their Help Scout thread in this pass
    missing: int = 0  # buyer messages missing from Help Scout now
    warnings: int = 0
    breaches: int = 0
    nrn_needed: int = 0
    alerts_sent: int = 0
    resolved: int = 0  # [missing] alerts resolved because the message turned up
    digest_sent: bool = False
    helpscout_requests: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reconcile(
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    client: HelpScoutClient | None,
    source: NotificationSource | None,
    source_cursor: str | None,
    notifier: SlackNotifier | None,
) -> ReconcileResult:
    """Run one pass at `now`. `client` None skips the Help Scout sync (not configured), and
    `source` None the notification emails; what the store holds is still judged. Commits."""
    result = ReconcileResult()
    lookback_start = now - timedelta(days=settings.reconcile_lookback_days)
    if source is not None and source_cursor is not None:
        try:
            ingested = ingest_notifications(session, source, cursor=source_cursor, now=now)
            result.ingested, result.unparseable = ingested.stored, ingested.unparseable
            result.undated = ingested.undated
        except NotificationSourceError as err:
            _failed(session, result, "notification source", err)

    # Without Amazon mailboxes there is nothing to sync: every message would look missing.
    synced = client is not None and bool(settings.amazon_mailbox_ids)
    if client is not None:
        calls_before = client.api_calls
        try:
            sync = sync_conversations(client, session, settings, now=now)
            result.conversations_synced = sync.conversations
        except HelpScoutAPIError as err:
            synced = False
            _failed(session, result, "Help Scout sync", err)
        result.helpscout_requests = client.api_calls - calls_before

    missing = MissingResult()
    try:
        found = match_notifications(session, since=lookback_start - LATEST, now=now)
        apply_seller_replies(session, since=lookback_start, now=now)
        session.commit()
        result.matched = len(found)
        announce_found(session, notifier, found, now=now, result=missing)
        if synced:
            alert_missing(
                session,
                notifier,
                now=now,
                grace=timedelta(minutes=settings.missing_grace_minutes),
                since=lookback_start,
                result=missing,
            )
    except AlertDeliveryError as err:
        _failed(session, result, "missing-message alerts", err)
    result.missing, result.resolved = missing.missing, missing.resolved
    result.alerts_sent += missing.alerts_sent

    try:
        deadlines = alert_deadlines(
            session,
            notifier,
            warning_hours=settings.sla_warning_hours,
            now=now,
            since=lookback_start,
        )
        result.warnings, result.breaches = deadlines.warnings, deadlines.breaches
        result.nrn_needed = deadlines.nrn_needed
        result.alerts_sent += deadlines.alerts_sent
    except AlertDeliveryError as err:
        _failed(session, result, "deadline alerts", err)

    try:
        result.digest_sent = send_digest(
            session,
            notifier,
            now=now,
            hour=settings.digest_hour,
            timezone=settings.digest_timezone,
            grace=timedelta(minutes=settings.missing_grace_minutes),
        )
        result.alerts_sent += result.digest_sent
    except AlertDeliveryError as err:
        _failed(session, result, "digest", err)
    if not result.errors:
        # Wall-clock time, not `now`: `--now` may pin the SLA arithmetic to another moment.
        write_cursor(session, LAST_PASS_CURSOR, utc_now().isoformat())
    session.commit()
    log.info(
        "reconciliation pass done",
        extra={"pass_at": now.isoformat(), "outcome": "failed" if result.errors else "ok"}
        | result.to_dict(),
    )
    return result


def last_successful_pass_at(session: Session) -> datetime | None:
    """When the last reconciliation pass without errors ended; None before the first."""
    stored = read_cursor(session, LAST_PASS_CURSOR)
    return datetime.fromisoformat(stored) if stored else None


def _failed(session: Session, result: ReconcileResult, part: str, err: Exception) -> None:
    session.rollback()
    result.errors.append(f"{part}: {err}")
    log.error("reconciliation: %s failed: %s", part, err)


def run_reconcile_pass(
    session: Session,
    settings: Settings,
    *,
    now: datetime,
    token_store: TokenStore | None = None,
) -> ReconcileResult:
    """`reconcile` with the Help Scout client (its token in `token_store` when given),
    notification source and Slack the settings configure; a part that is not configured is
    skipped (and said so in the log)."""
    client = None
    if settings.helpscout_app_id is not None and settings.helpscout_app_secret is not None:
        client = HelpScoutClient.from_settings(settings, token_store=token_store)
    else:
        log.warning("reconciliation: Help Scout is not configured, so it is not synced")
    source, cursor = None, None
    if settings.amazon_notifications_url is not None:
        url = settings.amazon_notifications_url.get_secret_value()
        source, cursor = open_source(url), cursor_name(url)
    else:
        log.warning("reconciliation: AMAZON_NOTIFICATIONS_URL is not set; no emails are read")
    return reconcile(
        session=session,
        settings=settings,
        now=now,
        client=client,
        source=source,
        source_cursor=cursor,
        notifier=SlackNotifier.from_settings(settings),
    )
