"""Send an alert once per fact: claim its dedupe key in the database, then post it.

The claim is committed before the post, so two jobs (or a job and its retry) never both send;
a post that fails gives the claim back, so the retried job can send it. What cannot be ruled
out is a post Slack took whose answer was lost: that one is sent again by the retry.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from helpscout_app.alerts.messages import Alert
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.store.alerts import claim_alert, release_alert

log = logging.getLogger(__name__)


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
        notifier.send(alert)
    except Exception:
        # Whatever went wrong, the alert was not sent: give the claim back for the retry.
        release_alert(session, alert.dedupe_key)
        session.commit()
        raise
    return True
