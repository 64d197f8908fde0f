"""Send an alert once per fact: claim its dedupe key in the database, then post it.

The claim is committed before the post, so two jobs (or a job and its retry) never both send;
a post that fails gives the claim back, so the retried job can send it. What cannot be ruled
out is a post Slack took whose answer was lost: that one is sent again by the retry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from helpscout_app.alerts.messages import Alert
from helpscout_app.alerts.slack import SlackMessage, SlackNotifier
from helpscout_app.observability import metrics
from helpscout_app.store.alerts import (
    claim_alert,
    claim_alerts,
    record_alert_message,
    release_alert,
    reopen_alert,
    resolve_alert,
    sent_alert,
)

log = logging.getLogger(__name__)

QUIET_SUMMARY = "not sent: the fact is covered by another alert"


def send_alert_once(
    session: Session, notifier: SlackNotifier | None, alert: Alert, *, now: datetime
) -> bool:
    """Send `alert` unless its fact was alerted before; True when this call sent (or recorded) it.

    Commits the session (the claim, and whatever the caller had pending). Without a notifier
    (Slack not configured) the alert is recorded as sent and logged, so turning Slack on later
    does not flood the channel with old facts. Raises `AlertDeliveryError` (claim released)
    when Slack does not take it: let the job retry.
    """
    claimed = claim_alert(
        session,
        alert.dedupe_key,
        alert.tag,
        conversation_id=alert.conversation_id,
        summary=alert.text,
        now=now,
    )
    session.commit()
    if not claimed:
        log.debug("alert %s was sent before; not sending it again", alert.dedupe_key)
        return False
    if notifier is None:
        log.warning(
            "Slack is not configured (SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN with SLACK_CHANNEL); "
            "alert recorded, not sent: %s",
            alert.text,
        )
        return True
    try:
        posted = notifier.send(alert)
    except Exception:
        # Whatever went wrong, the alert was not sent: give the claim back for the retry.
        release_alert(session, alert.dedupe_key)
        session.commit()
        raise
    metrics.count_alert_sent(alert.tag)
    if posted is not None:
        record_alert_message(session, alert.dedupe_key, channel=posted.channel, ts=posted.ts)
        session.commit()
    return True


def send_alerts_once(
    session: Session,
    notifier: SlackNotifier | None,
    alerts: Sequence[Alert],
    *,
    now: datetime,
    quiet: Sequence[Alert] = (),
) -> list[Alert]:
    """`send_alert_once` for many alerts: all claimed in one transaction, then sent in order.
    Returns those this call sent (or recorded, without Slack).

    `quiet` alerts are claimed and never sent: facts already covered by another alert. If Slack
    refuses one, the claims of it and of those not sent yet are given back before
    `AlertDeliveryError` is raised, as `send_alert_once` does. Commits.
    """
    claimed = claim_alerts(
        session,
        [(a.dedupe_key, a.tag, a.conversation_id, a.text) for a in alerts]
        + [(a.dedupe_key, a.tag, a.conversation_id, QUIET_SUMMARY) for a in quiet],
        now=now,
    )
    session.commit()
    new = [alert for alert in alerts if alert.dedupe_key in claimed]
    if notifier is None:
        for alert in new:
            log.warning("Slack is not configured; alert recorded, not sent: %s", alert.text)
        return new
    for index, alert in enumerate(new):
        try:
            posted = notifier.send(alert)
        except Exception:
            for unsent in new[index:]:
                release_alert(session, unsent.dedupe_key)
            session.commit()
            raise
        metrics.count_alert_sent(alert.tag)
        if posted is not None:
            record_alert_message(session, alert.dedupe_key, channel=posted.channel, ts=posted.ts)
    session.commit()
    return new


def announce_resolution(
    session: Session,
    notifier: SlackNotifier | None,
    dedupe_key: str,
    resolution: Alert,
    *,
    now: datetime,
) -> bool:
    """Mark the alert under `dedupe_key` resolved and say so once: in the alert's Slack thread
    when the bot posted it, else as a follow-up message. True when this call resolved it.

    Nothing is said for an alert that was never sent, or was resolved before. Commits. Raises
    `AlertDeliveryError` (the alert reopened) when Slack does not take it: let the job retry.
    """
    record = sent_alert(session, dedupe_key)
    if record is None or not resolve_alert(session, dedupe_key, now=now):
        session.commit()
        return False
    thread = (
        SlackMessage(channel=record.slack_channel, ts=record.slack_ts)
        if record.slack_channel and record.slack_ts
        else None
    )
    session.commit()
    if notifier is None:
        log.info("Slack is not configured; resolution recorded, not sent: %s", resolution.text)
        return True
    try:
        notifier.send(resolution, thread=thread)
    except Exception:
        reopen_alert(session, dedupe_key)
        session.commit()
        raise
    metrics.count_alert_sent(resolution.tag)
    return True
