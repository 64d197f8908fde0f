"""Engines, sessions and column types: UTC-aware timestamps, JSON, constraints, Flask wiring."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from helpscout_app.store.database import (
    APP_EXTENSION,
    create_engine_for,
    get_session,
    normalize_url,
)
from helpscout_app.store.models import (
    CheckSource,
    ComplianceCheck,
    Conversation,
    Thread,
    WebhookDelivery,
)

ISTANBUL = timezone(timedelta(hours=3))


def test_sqlite_creates_the_database_directory_and_sets_its_pragmas(tmp_path: Path) -> None:
    database = tmp_path / "not" / "yet" / "there.sqlite3"
    engine = create_engine_for(f"sqlite:///{database}")
    try:
        assert database.parent.is_dir()
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL: fsync at checkpoints
            assert pragma("PRAGMA busy_timeout").scalar() == 15_000
            assert pragma("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_url_needs_no_directory() -> None:
    engine = create_engine_for("sqlite://")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://amz@db/amz_guard", "postgresql+psycopg"),
        ("postgresql+psycopg://amz@db/amz_guard", "postgresql+psycopg"),
        ("sqlite:///data/amz-guard.sqlite3", "sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given: str, driver: str) -> None:
    assert normalize_url(given).drivername == driver


def test_postgresql_engines_check_pooled_connections_and_use_psycopg_3() -> None:
    engine = create_engine_for("postgresql://amz@127.0.0.1:9/amz_guard")
    try:
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_aware_datetimes_come_back_aware_in_utc(
    session: Session, new_session: Callable[[], Session]
) -> None:
    received_at = datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=ISTANBUL)
    session.add(
        WebhookDelivery(delivery_key="k", event_name="convo.created", received_at=received_at)
    )
    session.commit()

    stored = new_session().scalars(select(WebhookDelivery.received_at)).one()

    assert stored == received_at
    assert stored.tzinfo is UTC
    assert stored == datetime(2026, 3, 28, 23, 30, 15, 123456, tzinfo=UTC)


def test_timestamps_compare_in_time_order_in_sql(session: Session) -> None:
    # 10:00 at +03:00 is 07:00 UTC: earlier than 08:00 UTC although "10" sorts after "08".
    for key, received_at in (
        ("late", datetime(2026, 1, 1, 8, 0, tzinfo=UTC)),
        ("early", datetime(2026, 1, 1, 10, 0, tzinfo=ISTANBUL)),
    ):
        session.add(WebhookDelivery(delivery_key=key, event_name="e", received_at=received_at))
    session.commit()

    cutoff = datetime(2026, 1, 1, 7, 30, tzinfo=UTC)
    keys = session.scalars(
        select(WebhookDelivery.delivery_key)
        .where(WebhookDelivery.received_at < cutoff)
        .order_by(WebhookDelivery.received_at)
    ).all()

    assert keys == ["early"]


def test_a_naive_datetime_is_refused(session: Session) -> None:
    session.add(
        WebhookDelivery(delivery_key="k", event_name="e", received_at=datetime(2026, 1, 1, 12))
    )

    with pytest.raises(StatementError, match="naive datetime 2026-01-01T12:00:00"):
        session.flush()


def test_json_columns_round_trip(session: Session, new_session: Callable[[], Session]) -> None:
    findings = [
        {"kind": "phone", "start": 0, "end": 14, "text": "(555) 123-4567", "spans": [[0, 14]]},
        {"kind": "url", "text": 'exämple.de/ü?q=1&r="2"', "extra": None, "ok": True, "x": 0.5},
    ]
    session.add(Conversation(id=1, tags=["amazon", "nrn-done"], updated_at=now()))
    session.add(
        ComplianceCheck(
            conversation_id=1,
            thread_id=2,
            body_hash="h",
            source=CheckSource.DRAFT,
            blocked=True,
            finding_kinds=["phone", "url"],
            findings=findings,
            checked_at=now(),
        )
    )
    session.commit()

    reader = new_session()
    conversation = reader.get(Conversation, 1)
    check = reader.scalars(select(ComplianceCheck)).one()
    assert conversation is not None
    assert conversation.tags == ["amazon", "nrn-done"]
    assert conversation.order_ids == []  # the column default
    assert check.findings == findings
    assert check.source is CheckSource.DRAFT


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Thread(id=1, conversation_id=404, type="customer", updated_at=now()))

    with pytest.raises(IntegrityError):
        session.flush()


def test_a_vocabulary_column_refuses_an_unknown_value(session: Session) -> None:
    # Written past the ORM, as a bug or a manual fix might: the CHECK constraint still holds.
    statement = text(
        "INSERT INTO webhook_deliveries (delivery_key, event_name, received_at, status, attempts)"
        " VALUES ('k', 'e', CURRENT_TIMESTAMP, 'done', 0)"
    )

    with pytest.raises(IntegrityError):
        session.execute(statement)


def test_the_app_gets_a_session_per_context_closed_at_teardown(app: Flask) -> None:
    assert isinstance(app.extensions[APP_EXTENSION].engine, Engine)

    with app.app_context():
        session = get_session()
        assert get_session() is session
        assert session.execute(text("SELECT 1")).scalar() == 1
        assert session.in_transaction()
    assert not session.in_transaction()

    with app.app_context():
        assert get_session() is not session


def now() -> datetime:
    return datetime.now(UTC)
