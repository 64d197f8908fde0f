"""Alerts sent: each fact and level is alerted once, across restarts, passes and processes.

A job claims the alert's dedupe key before sending it; only the one claim that inserts the key
sends. Keys are built by `alert_dedupe_key` so their layout lives in one place:
`noncompliant-sent:conv:123:thread:456`, `sla-warning:conv:123:thread:789:level:8h`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from helpscout_app.store.models import AlertSent
from helpscout_app.store.statements import insert_many_unless_present, insert_unless_present
from helpscout_app.store.timestamps import utc_now


def alert_dedupe_key(tag: str, **facts: object) -> str:
    """The dedupe key of an alert: its tag, then each fact as `name:value`, in the order given.

    `alert_dedupe_key("sla-warning", conv=123, thread=789, level="8h")` is
    `"sla-warning:conv:123:thread:789:level:8h"`. Give the facts that make the alert one of a
    kind, including its level; the same facts always give the same key.
    """
    parts = [str(tag)]
    for name, value in facts.items():
        parts += [name, str(value)]
    return ":".join(parts)


def claim_alert(
    session: Session,
    dedupe_key: str,
    tag: str,
    *,
    conversation_id: int | None = None,
    summary: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Claim the right to send the alert under `dedupe_key`: True exactly once per key.

    Race-safe across sessions and processes through the key's unique constraint. Commit the claim
    before sending; if sending then fails, `release_alert` lets the retried job claim it again.
    """
    return insert_unless_present(
        session,
        AlertSent,
        {
            "dedupe_key": dedupe_key,
            "tag": str(tag),
            "conversation_id": conversation_id,
            "summary": summary,
            "sent_at": now or utc_now(),
        },
        unique_columns=("dedupe_key",),
    )


def claim_alerts(
    session: Session,
    claims: Sequence[tuple[str, str, int | None, str | None]],
    *,
    now: datetime | None = None,
) -> set[str]:
    """`claim_alert` for many alerts in one statement: `claims` are (dedupe key, tag,
    conversation id, summary); returns the keys this call claimed. The caller commits."""
    sent_at = now or utc_now()
    rows = [
        {
            "dedupe_key": key,
            "tag": str(tag),
            "conversation_id": conversation_id,
            "summary": summary,
            "sent_at": sent_at,
        }
        for key, tag, conversation_id, summary in claims
    ]
    inserted = insert_many_unless_present(session, AlertSent, rows, unique_columns=("dedupe_key",))
    return {key for (key,) in inserted}


def release_alert(session: Session, dedupe_key: str) -> bool:
    """Give up a claim whose alert could not be sent; True if there was one. The caller commits."""
    return session.execute(delete(AlertSent).where(AlertSent.dedupe_key == dedupe_key)).rowcount > 0


def resolve_alert(session: Session, dedupe_key: str, *, now: datetime | None = None) -> bool:
    """Mark the alert under `dedupe_key` resolved; True only for the call that resolved it.

    False if no such alert was sent or it was resolved before, so "resolved" is said once too.
    The caller commits.
    """
    statement = (
        update(AlertSent)
        .where(AlertSent.dedupe_key == dedupe_key, AlertSent.resolved_at.is_(None))
        .values(resolved_at=now or utc_now())
    )
    return session.execute(statement).rowcount == 1


def record_alert_message(session: Session, dedupe_key: str, *, channel: str, ts: str) -> None:
    """Note where Slack put the alert under `dedupe_key`, for a reply in its thread later.
    The caller commits."""
    session.execute(
        update(AlertSent)
        .where(AlertSent.dedupe_key == dedupe_key)
        .values(slack_channel=channel, slack_ts=ts)
    )


def reopen_alert(session: Session, dedupe_key: str) -> None:
    """Undo `resolve_alert` when saying so failed, so the retry says it. The caller commits."""
    session.execute(
        update(AlertSent).where(AlertSent.dedupe_key == dedupe_key).values(resolved_at=None)
    )


def sent_alert(session: Session, dedupe_key: str) -> AlertSent | None:
    """The record of the alert sent under `dedupe_key`, None if it never was."""
    return session.scalar(select(AlertSent).where(AlertSent.dedupe_key == dedupe_key))
