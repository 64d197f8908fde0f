"""The dashboard tests' week: what the store holds and the time it is judged at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import refresh_clock
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import AmazonNotification, ComplianceCheck, ComplianceIncident

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TOKEN = "dash-token"


def _conversation(
    session: Session,
    conversation_id: int,
    *,
    subject: str,
    message_hours_ago: float,
    reply_hours_after: float | None = None,
) -> None:
    upsert_conversation(
        session,
        conversation_id,
        number=conversation_id - 3120400000,
        mailbox_id=101,
        status="active",
        is_amazon=True,
        subject=subject,
        order_ids=[f"112-{conversation_id % 10_000_000:07d}-0000001"],
        relay_base_address=f"buyer{conversation_id}@marketplace.amazon.com",
    )
    message_at = NOW - timedelta(hours=message_hours_ago)
    upsert_thread(
        session,
        conversation_id * 10,
        conversation_id,
        thread_type="customer",
        state="published",
        created_by_kind="customer",
        created_at=message_at,
    )
    if reply_hours_after is not None:
        upsert_thread(
            session,
            conversation_id * 10 + 1,
            conversation_id,
            thread_type="message",
            state="published",
            created_by_kind="user",
            created_at=message_at + timedelta(hours=reply_hours_after),
        )
    refresh_clock(session, conversation_id, now=NOW)


def _incident(
    session: Session,
    number: int,
    agent: str | None,
    created_at: datetime,
    *,
    flagged_as_draft: bool = False,
) -> None:
    """A non-compliant reply sent by `agent`; `flagged_as_draft`: the draft scan flagged the same
    text an hour before, which gives its check an unsent-stage incident too."""
    check = ComplianceCheck(
        conversation_id=3120410001,
        thread_id=900 + number,
        body_hash=f"{number:064d}",
        source="draft" if flagged_as_draft else "reply",
        blocked=True,
        finding_kinds=["phone"],
        findings=[],
        checked_at=created_at,
    )
    session.add(check)
    session.flush()
    stages = {"sent": created_at}
    if flagged_as_draft:
        stages["unsent"] = created_at - timedelta(hours=1)
    for stage, opened_at in stages.items():
        session.add(
            ComplianceIncident(
                check_id=check.id,
                stage=stage,
                conversation_id=3120410001,
                thread_id=900 + number,
                agent_name=agent,
                finding_kinds=["phone"],
                actions=["note"],
                created_at=opened_at,
            )
        )


def store_team_week(session: Session) -> None:
    """Three Amazon conversations (breached 26 h ago, waiting 5 h, answered in 30 h last week),
    one message missing from Help Scout, incidents by two agents over two weeks."""
    _conversation(session, 3120410001, subject="Lid cracked", message_hours_ago=26)
    _conversation(session, 3120410002, subject="Where is my parcel?", message_hours_ago=5)
    _conversation(
        session, 3120410003, subject="Thanks!", message_hours_ago=24 * 6, reply_hours_after=30
    )
    _conversation(
        session, 3120410004, subject="Manual?", message_hours_ago=24 * 3, reply_hours_after=2
    )
    session.add(
        AmazonNotification(
            message_id="<missing-1@amazon.test>",
            kind="buyer_message",
            order_ids=["114-7654321-1234567"],
            buyer_name="Robin",
            subject="Question about the warranty",
            marketplace="ATVPDKIKX0DER",
            received_at=NOW - timedelta(hours=2),
        )
    )
    _incident(session, 1, "Sam Agent", NOW - timedelta(days=1), flagged_as_draft=True)
    _incident(session, 2, "Sam Agent", NOW - timedelta(days=8))
    _incident(session, 3, "Kim Agent", NOW - timedelta(days=2))
    _incident(session, 4, None, NOW - timedelta(days=2))
    session.commit()
