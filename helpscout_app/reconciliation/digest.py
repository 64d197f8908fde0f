"""The daily `[digest]`: the last 24 hours' Amazon messages in a few numbers.

It goes out with the first pass after `DIGEST_HOUR` in `DIGEST_TIMEZONE`, once per day (its
dedupe key names the day), and covers the 24 hours up to that hour:

- **received**: buyer messages that reached Help Scout in the period, plus those still missing;
- **answered in time / late**: the messages whose deadline fell in the period, answered within
  24 hours or not (answered late, or still unanswered), as Amazon's metric counts them;
- **missing**: buyer messages notified in the period that never reached Help Scout;
- **NRN pending**: closed conversations still waiting for "No response needed", now;
- **non-compliant replies**: replies sent with contact details, found in the period;
- **median and 90th percentile** response time of the messages answered in the period.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpscout_app.alerts.deadline_messages import Digest, digest_alert, digest_key
from helpscout_app.alerts.dispatch import send_alert_once
from helpscout_app.alerts.slack import SlackNotifier
from helpscout_app.reconciliation.clock import AMAZON_RESPONSE_TIME
from helpscout_app.reconciliation.missing import missing_notifications
from helpscout_app.reconciliation.no_response_needed import pending_nrns
from helpscout_app.reconciliation.response_times import percentile, response_times
from helpscout_app.store.alerts import sent_alert
from helpscout_app.store.models import ComplianceIncident, IncidentStage

PERIOD = timedelta(days=1)
ANSWER_LOOKBACK = timedelta(days=7)
"""How long before the period a message answered in it may have come in."""


def digest_period(now: datetime, *, hour: int, timezone: str) -> tuple[date, datetime, datetime]:
    """The latest digest due by `now`: its day, and the 24 hours it covers (aware, UTC)."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    until = local_now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if until > local_now:
        until -= PERIOD
    since = (until - PERIOD).astimezone(zone).replace(hour=hour)  # 23 or 25 hours around DST
    return until.date(), since.astimezone(now.tzinfo), until.astimezone(now.tzinfo)


def build_digest(
    session: Session, *, day: date, since: datetime, until: datetime, grace: timedelta
) -> Digest:
    """The figures for the period [since, until)."""
    times = response_times(session, since=since - ANSWER_LOOKBACK, until=until)
    arrived = [time for time in times if since <= time.message_at]
    missing = [
        n
        for n in missing_notifications(session, now=until, grace=grace, since=since)
        if n.received_at is not None and n.received_at < until
    ]
    due_in_period = [
        time
        for time in times
        if since - AMAZON_RESPONSE_TIME <= time.message_at < until - AMAZON_RESPONSE_TIME
    ]
    answered_in_period = [
        time.duration
        for time in times
        if time.answered_at is not None
        and since <= time.answered_at < until
        and time.duration is not None
    ]
    in_time = sum(1 for time in due_in_period if time.in_time())
    noncompliant = session.scalar(
        select(func.count())
        .select_from(ComplianceIncident)
        .where(
            ComplianceIncident.stage == IncidentStage.SENT,
            ComplianceIncident.created_at >= since,
            ComplianceIncident.created_at < until,
        )
    )
    return Digest(
        day=day,
        since=since,
        until=until,
        received=len(arrived) + len(missing),
        answered_in_time=in_time,
        late=len(due_in_period) - in_time,
        missing=len(missing),
        nrn_pending=len(pending_nrns(session)),
        noncompliant_replies=int(noncompliant or 0),
        median_response=percentile(answered_in_period, 0.5),
        p90_response=percentile(answered_in_period, 0.9),
    )


def send_digest(
    session: Session,
    notifier: SlackNotifier | None,
    *,
    now: datetime,
    hour: int,
    timezone: str,
    grace: timedelta,
) -> bool:
    """Send the latest digest due by `now` unless it went out already; True when sent."""
    day, since, until = digest_period(now, hour=hour, timezone=timezone)
    if sent_alert(session, digest_key(day)) is not None:
        return False
    digest = build_digest(session, day=day, since=since, until=until, grace=grace)
    return send_alert_once(session, notifier, digest_alert(digest), now=now)
