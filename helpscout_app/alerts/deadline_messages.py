"""What the reconciliation's alerts say: `[missing]`, `[sla-warning]`, `[sla-breached]`,
`[nrn-needed]`, `[digest]`, and the follow-up that resolves a `[missing]`.

Each carries what a manager needs to act without opening anything else: the order ID(s), the
buyer's name and the subject where Amazon gave them, when the message came and the deadline,
the Help Scout conversation's number and link, Seller Central's inbox and the message's own "No
response needed" link. Never the buyer's text. Times are shown in UTC with the time left.

Dedupe keys name the fact and the level: the conversation and the buyer message its clock
waits on (`waiting`: the thread id when known, else the message time), plus the warning level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from helpscout_app.alerts import mrkdwn
from helpscout_app.alerts.messages import Alert, conversation_label, orders_label
from helpscout_app.alerts.tags import AlertTag
from helpscout_app.enforcement.conversation_ref import ConversationRef
from helpscout_app.store.alerts import alert_dedupe_key

SELLER_CENTRAL_INBOX_PATH = "/messaging/inbox"
"""Seller Central's buyer-messages page; `?fi=caseId&ss=<case>&cc=<case>` opens one case
(the "Report questionable activity" links in Amazon's emails, reference/amazon.md §3.5)."""


@dataclass(frozen=True)
class MissingMessage:
    """A buyer message Amazon notified that never reached Help Scout."""

    notification_id: int
    order_ids: tuple[str, ...]
    buyer_name: str | None
    subject: str | None
    received_at: datetime
    no_response_needed_url: str | None
    seller_central_url: str


@dataclass(frozen=True)
class Digest:
    """The day's figures (see `reconciliation.digest`)."""

    day: date
    since: datetime
    until: datetime
    received: int
    answered_in_time: int
    late: int
    missing: int
    nrn_pending: int
    noncompliant_replies: int
    median_response: timedelta | None
    p90_response: timedelta | None


def seller_central_inbox_url(retail_domain: str | None, case_id: str | None) -> str:
    """Seller Central's buyer-messages inbox for the marketplace (`amazon.de` → its Seller
    Central), opened on the case when its ID is known; amazon.com's when the domain is not."""
    url = f"https://sellercentral.{retail_domain or 'amazon.com'}{SELLER_CENTRAL_INBOX_PATH}"
    if case_id:
        url += f"?fi=caseId&ss={case_id}&cc={case_id}"
    return url


def missing_alert(message: MissingMessage, *, now: datetime) -> Alert:
    """`[missing]`: Amazon notified a buyer message that Help Scout never received."""
    due_at = message.received_at + timedelta(hours=24)
    about = _about(message.order_ids, message.buyer_name, message.subject)
    headline = "A buyer message never reached Help Scout"
    text = (
        f"[{AlertTag.MISSING}] {headline}: {mrkdwn.escape(about)}; received "
        f"{_when(message.received_at)}, answer in Seller Central by {_when(due_at)} "
        f"({_left(due_at, now)}) {message.seller_central_url}"
    )
    if message.no_response_needed_url:
        text += f"; if it needs no reply: {message.no_response_needed_url}"
    fields = [
        mrkdwn.field("Amazon order", mrkdwn.escape(", ".join(message.order_ids) or "not known")),
        mrkdwn.field("Buyer", mrkdwn.escape(message.buyer_name or "not known")),
        mrkdwn.field("Subject", mrkdwn.escape(message.subject or "none")),
        mrkdwn.field("Received", _when(message.received_at)),
        mrkdwn.field("Deadline", f"{_when(due_at)} ({_left(due_at, now)})"),
        mrkdwn.field("Seller Central", mrkdwn.link(message.seller_central_url, "open the inbox")),
    ]
    if message.no_response_needed_url:
        fields.append(
            mrkdwn.field(
                "No response needed", mrkdwn.link(message.no_response_needed_url, "mark it")
            )
        )
    return _alert(
        AlertTag.MISSING,
        missing_key(message.notification_id),
        text,
        headline,
        fields,
        "Answer it in Seller Central; check Amazon's notification settings for Help Scout's "
        "address if this repeats.",
        conversation_id=None,
    )


def missing_key(notification_id: int) -> str:
    return alert_dedupe_key(AlertTag.MISSING, notification=notification_id)


def missing_resolved(
    message: MissingMessage, conversation: ConversationRef, *, matched_at: datetime
) -> Alert:
    """The follow-up to a `[missing]` whose message reached Help Scout after all. Its text does
    not start with a tag: it is no new alarm."""
    about = _about(message.order_ids, message.buyer_name, message.subject)
    where = conversation_label(conversation)
    text = (
        f"Resolved: the [{AlertTag.MISSING}] buyer message ({mrkdwn.escape(about)}, received "
        f"{_when(message.received_at)}) reached Help Scout as {where} {conversation.web_url} "
        f"by {_when(matched_at)}"
    )
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
    ]
    return Alert(
        tag=AlertTag.MISSING,
        dedupe_key=missing_key(message.notification_id) + ":resolved",
        text=text,
        blocks=blocks,
        conversation_id=conversation.conversation_id,
    )


def sla_warning_alert(
    conversation: ConversationRef,
    *,
    waiting: str,
    level_hours: float,
    waiting_since: datetime,
    due_at: datetime,
    now: datetime,
) -> Alert:
    """`[sla-warning]`: an Amazon buyer's message is unanswered and the deadline is near."""
    level = _hours_label(level_hours)
    headline = f"Less than {level} left to answer an Amazon buyer"
    return _conversation_alert(
        AlertTag.SLA_WARNING,
        alert_dedupe_key(
            AlertTag.SLA_WARNING,
            **waiting_facts(conversation.conversation_id, waiting),
            level=level,
        ),
        conversation,
        headline=headline,
        waiting_since=waiting_since,
        due_at=due_at,
        now=now,
        outcome="Reply in Help Scout before the deadline; a holding reply counts.",
    )


def sla_breached_alert(
    conversation: ConversationRef,
    *,
    waiting: str,
    waiting_since: datetime,
    due_at: datetime,
    closed: bool,
    now: datetime,
) -> Alert:
    """`[sla-breached]`: Amazon's 24 hours passed without an answer."""
    headline = (
        'Amazon\'s 24-hour deadline passed: closed without a reply or "No response needed"'
        if closed
        else "Amazon's 24-hour deadline passed without an answer"
    )
    return _conversation_alert(
        AlertTag.SLA_BREACHED,
        alert_dedupe_key(
            AlertTag.SLA_BREACHED, **waiting_facts(conversation.conversation_id, waiting)
        ),
        conversation,
        headline=headline,
        waiting_since=waiting_since,
        due_at=due_at,
        now=now,
        outcome=(
            'Mark "No response needed" in Seller Central if it needs no reply.'
            if closed
            else "Answer now: it counts as late in Amazon's metrics until answered."
        ),
    )


def nrn_needed_alert(
    conversation: ConversationRef,
    *,
    waiting: str,
    waiting_since: datetime,
    due_at: datetime,
    link: str | None,
    now: datetime,
) -> Alert:
    """`[nrn-needed]`: closed without a reply; Amazon counts it until marked in Seller Central."""
    outcome = (
        'Mark "No response needed" in Seller Central, then tag the conversation nrn-done.'
        if link is None
        else f'Mark "No response needed": {link} , then tag the conversation nrn-done.'
    )
    alert = _conversation_alert(
        AlertTag.NRN_NEEDED,
        nrn_needed_key(conversation.conversation_id, waiting),
        conversation,
        headline='Closed without a reply: mark "No response needed" in Seller Central',
        waiting_since=waiting_since,
        due_at=due_at,
        now=now,
        outcome=outcome,
    )
    if link is None:
        return alert
    return Alert(
        tag=alert.tag,
        dedupe_key=alert.dedupe_key,
        text=f"{alert.text}; No response needed: {link}",
        blocks=alert.blocks,
        conversation_id=alert.conversation_id,
    )


def nrn_needed_key(conversation_id: int, waiting: str) -> str:
    return alert_dedupe_key(AlertTag.NRN_NEEDED, **waiting_facts(conversation_id, waiting))


def waiting_facts(conversation_id: int, waiting: str) -> dict[str, object]:
    """The facts naming a waiting buyer message in an alert's key: its Help Scout thread alone
    when known (`thread-N`), so the message keeps its alerts when Help Scout merges its
    conversation into another; else the conversation and the message's time."""
    if waiting.startswith("thread-"):
        return {"waiting": waiting}
    return {"conv": conversation_id, "waiting": waiting}


def digest_alert(digest: Digest) -> Alert:
    """`[digest]`: the day's counts and response times."""
    figures = (
        f"{digest.received} received, {digest.answered_in_time} answered in time, "
        f"{digest.late} late, {digest.missing} missing from Help Scout, "
        f'{digest.nrn_pending} awaiting "No response needed", '
        f"{digest.noncompliant_replies} non-compliant replies sent; response time median "
        f"{_duration(digest.median_response)}, 90th percentile {_duration(digest.p90_response)}"
    )
    headline = f"Amazon messages, {_when(digest.since)} to {_when(digest.until)}"
    text = f"[{AlertTag.DIGEST}] {headline}: {figures}"
    fields = [
        mrkdwn.field("Received", str(digest.received)),
        mrkdwn.field("Answered in time", str(digest.answered_in_time)),
        mrkdwn.field("Late", str(digest.late)),
        mrkdwn.field("Missing from Help Scout", str(digest.missing)),
        mrkdwn.field("No response needed pending", str(digest.nrn_pending)),
        mrkdwn.field("Non-compliant replies", str(digest.noncompliant_replies)),
        mrkdwn.field("Median response", _duration(digest.median_response)),
        mrkdwn.field("90th percentile", _duration(digest.p90_response)),
    ]
    return _alert(
        AlertTag.DIGEST,
        digest_key(digest.day),
        text,
        headline,
        fields,
        "Answered in time and late count the messages whose deadline fell in this period.",
        conversation_id=None,
    )


def digest_key(day: date) -> str:
    return alert_dedupe_key(AlertTag.DIGEST, day=day.isoformat())


def _conversation_alert(
    tag: AlertTag,
    dedupe_key: str,
    conversation: ConversationRef,
    *,
    headline: str,
    waiting_since: datetime,
    due_at: datetime,
    now: datetime,
    outcome: str,
) -> Alert:
    where = conversation_label(conversation)
    text = f"[{tag}] {mrkdwn.escape(headline)}: {where} {conversation.web_url}"
    if conversation.order_ids:
        text += f", {orders_label(conversation.order_ids)}"
    text += f"; waiting since {_when(waiting_since)}, due {_when(due_at)} ({_left(due_at, now)})"
    fields = [
        mrkdwn.field("Conversation", mrkdwn.link(conversation.web_url, where)),
        mrkdwn.field(
            "Amazon order", mrkdwn.escape(", ".join(conversation.order_ids) or "not known")
        ),
        mrkdwn.field("Waiting since", _when(waiting_since)),
        mrkdwn.field("Deadline", f"{_when(due_at)} ({_left(due_at, now)})"),
    ]
    return _alert(tag, dedupe_key, text, headline, fields, outcome, conversation.conversation_id)


def _alert(
    tag: AlertTag,
    dedupe_key: str,
    text: str,
    headline: str,
    fields: list[dict[str, str]],
    outcome: str,
    conversation_id: int | None,
) -> Alert:
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*[{tag}]* {mrkdwn.escape(headline)}"},
        },
        {"type": "section", "fields": fields[:10]},  # Slack allows ten fields a section
        {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn.escape(outcome)}]},
    ]
    return Alert(
        tag=tag, dedupe_key=dedupe_key, text=text, blocks=blocks, conversation_id=conversation_id
    )


def _about(order_ids: tuple[str, ...], buyer_name: str | None, subject: str | None) -> str:
    parts = [orders_label(order_ids) if order_ids else "order not known"]
    if buyer_name:
        parts.append(f"from {buyer_name}")
    if subject:
        parts.append(f'"{subject}"')
    return ", ".join(parts)


def _when(moment: datetime) -> str:
    """`Fri 20 Nov 09:00 UTC`."""
    return moment.astimezone(UTC).strftime("%a %d %b %H:%M UTC")


def _left(due_at: datetime, now: datetime) -> str:
    remaining = due_at - now
    if remaining >= timedelta(0):
        return f"{_duration(remaining)} left"
    return f"{_duration(-remaining)} ago"


def _duration(span: timedelta | None) -> str:
    """`3 h 05 min`, `45 min`; "n/a" for none."""
    if span is None:
        return "n/a"
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _hours_label(hours: float) -> str:
    return f"{hours:g}h"
