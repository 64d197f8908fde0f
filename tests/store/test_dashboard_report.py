"""The dashboard's figures on both backends (SQLite and PostgreSQL): the same store gives the
same report. What the page shows of them is tested in tests/web/dashboard/."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from helpscout_app.reconciliation.clock import ClockState, refresh_clock
from helpscout_app.store.conversations import upsert_conversation, upsert_thread
from helpscout_app.store.models import AmazonNotification, ComplianceCheck, ComplianceIncident
from helpscout_app.web.dashboard_report import build_report

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_the_report_reads_the_same_on_every_backend(session: Session) -> None:
    upsert_conversation(
        session,
        41,
        number=4141,
        status="active",
        is_amazon=True,
        subject="Lid",
        relay_base_address="k7m2q9x4b1c8d3f@marketplace.amazon.de",
    )
    upsert_thread(
        session,
        410,
        41,
        thread_type="customer",
        state="published",
        created_by_kind="customer",
        created_at=NOW - timedelta(hours=30),
    )
    refresh_clock(session, 41, now=NOW)
    check = ComplianceCheck(
        conversation_id=41,
        thread_id=411,
        body_hash="a" * 64,
        source="reply",
        blocked=True,
        finding_kinds=["url"],
        findings=[],
        checked_at=NOW - timedelta(days=3),
    )
    session.add(check)
    session.flush()
    session.add(
        ComplianceIncident(
            check_id=check.id,
            stage="sent",
            conversation_id=41,
            thread_id=411,
            agent_name="Sam Agent",
            finding_kinds=["url"],
            actions=[],
            created_at=NOW - timedelta(days=3),
        )
    )
    session.add(
        AmazonNotification(
            message_id="<m@amazon.test>",
            kind="buyer_message",
            marketplace="A1PA6795UKMFR9",
            received_at=NOW - timedelta(hours=1),
        )
    )
    session.commit()

    report = build_report(session, now=NOW, days=7, missing_grace=timedelta(minutes=30))

    [row] = report.open_conversations
    assert (row.number, row.state, row.remaining) == (
        4141,
        ClockState.BREACHED,
        -timedelta(hours=6),
    )
    [missing] = report.missing
    assert missing.marketplace == "Germany (amazon.de)"
    assert report.incidents.weeks == (date(2026, 11, 16), date(2026, 11, 23))
    assert report.incidents.rows == (("Sam Agent", (0, 1), 1),)
    assert (report.chart.waiting, report.chart.late, len(report.chart.points)) == (1, 1, 1)
