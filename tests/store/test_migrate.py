"""Alembic migrations: from empty to head, repeatable, reversible, and in step with the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select
from sqlalchemy.exc import IntegrityError

from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.deliveries import record_delivery
from helpscout_app.store.errors import DatabaseUnavailable
from helpscout_app.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_at_head,
    upgrade,
)
from helpscout_app.store.models import Base, WebhookDelivery

TABLES = {
    "webhook_deliveries",
    "conversations",
    "threads",
    "compliance_checks",
    "compliance_incidents",
    "alerts_sent",
    "amazon_notifications",
    "sync_cursors",
}


def table_names(database_url: str) -> set[str]:
    engine = create_engine_for(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_models_declare_the_tables_the_design_needs() -> None:
    assert set(Base.metadata.tables) == TABLES


def test_a_new_database_is_at_no_revision(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert not is_at_head(database_url)


def test_upgrade_creates_every_table_and_reaches_head(database_url: str) -> None:
    upgrade(database_url)

    assert table_names(database_url) == TABLES | {"alembic_version"}
    assert current_revision(database_url) == head_revision() == "0006"
    assert is_at_head(database_url)


def test_a_second_upgrade_changes_nothing_and_keeps_the_data(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with session_factory(engine)() as session:
            record_delivery(session, "convo.created:1", "convo.created")
            session.commit()

        upgrade(database_url)

        assert current_revision(database_url) == head_revision()
        with session_factory(engine)() as session:
            keys = session.scalars(select(WebhookDelivery.delivery_key)).all()
        assert keys == ["convo.created:1"]
    finally:
        engine.dispose()


def test_upgrading_from_0001_keeps_the_rows_and_adds_the_reconciliation_columns(
    database_url: str,
) -> None:
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0001")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO conversations (id, is_amazon, order_ids, tags, updated_at) "
                "VALUES (7, true, '[]', '[]', '2026-11-20 10:00:00+00:00')"
            )

        upgrade(database_url)

        columns = {column["name"] for column in inspect(engine).get_columns("conversations")}
        with engine.connect() as connection:
            ids = connection.exec_driver_sql("SELECT id, waiting_since FROM conversations").all()
    finally:
        engine.dispose()
    assert {"waiting_since", "waiting_thread_id", "nrn_marked_at", "nrn_marked_by"} <= columns
    assert [tuple(row) for row in ids] == [(7, None)]


INCIDENTS_AT_0003 = (
    "INSERT INTO compliance_checks (id, conversation_id, thread_id, body_hash, source, blocked,"
    " finding_kinds, findings, checked_at) VALUES"
    " (1, 7, 70, 'a', 'reply', true, '[]', '[]', '2026-11-20 10:00:00+00:00'),"
    " (2, 7, 71, 'b', 'draft', true, '[]', '[]', '2026-11-20 10:00:00+00:00')",
    "INSERT INTO compliance_incidents (id, check_id, conversation_id, thread_id, finding_kinds,"
    " actions, attempts, created_at) VALUES"
    " (10, 1, 7, 70, '[]', '[\"note\"]', '[]', '2026-11-20 10:00:00+00:00'),"
    " (11, 2, 7, 71, '[]', '[]', '[]', '2026-11-20 10:00:00+00:00')",
)


def _rows(database_url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(query).all()]
    finally:
        engine.dispose()


def _stages(database_url: str) -> list[tuple[object, ...]]:
    return _rows(database_url, "SELECT id, check_id, stage FROM compliance_incidents ORDER BY id")


def _at_revision(database_url: str, revision: str, statements: tuple[str, ...]) -> None:
    """Migrate an empty database to `revision` and run `statements` there."""
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


SENT_INCIDENT_OF_THE_DRAFT_CHECK = (
    "INSERT INTO compliance_incidents (id, check_id, stage, conversation_id, thread_id,"
    " finding_kinds, actions, attempts, created_at) VALUES"
    " ({id}, 2, 'sent', 7, 71, '[]', '[]', '[]', '2026-11-21 10:00:00+00:00')"
)


def test_upgrading_from_0003_gives_each_incident_the_stage_of_its_check(
    database_url: str,
) -> None:
    _at_revision(database_url, "0003", INCIDENTS_AT_0003)

    upgrade(database_url)

    assert _stages(database_url) == [(10, 1, "sent"), (11, 2, "unsent")]


def test_after_0004_a_check_has_one_incident_per_stage(database_url: str) -> None:
    _at_revision(database_url, "0003", INCIDENTS_AT_0003)
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(SENT_INCIDENT_OF_THE_DRAFT_CHECK.format(id=12))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql(SENT_INCIDENT_OF_THE_DRAFT_CHECK.format(id=13))
    finally:
        engine.dispose()

    assert _stages(database_url) == [(10, 1, "sent"), (11, 2, "unsent"), (12, 2, "sent")]


def test_downgrading_0004_keeps_one_incident_per_check(database_url: str) -> None:
    _at_revision(database_url, "0003", INCIDENTS_AT_0003)
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(SENT_INCIDENT_OF_THE_DRAFT_CHECK.format(id=12))
            command.downgrade(alembic_config(connection), "0003")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, check_id FROM compliance_incidents ORDER BY id"
            ).all()
    finally:
        engine.dispose()

    assert [tuple(row) for row in rows] == [(10, 1), (11, 2)]


ALERTS_AT_0005 = (
    "INSERT INTO alerts_sent (id, dedupe_key, tag, conversation_id, sent_at) VALUES"
    " (1, 'sla-warning:conv:7:waiting:thread-70:level:8h', 'sla-warning', 7,"
    " '2026-11-20 10:00:00+00:00'),"
    " (2, 'sla-warning:conv:8:waiting:thread-70:level:8h', 'sla-warning', 8,"
    " '2026-11-20 11:00:00+00:00'),"  # the same message again, after a merge into #8
    " (3, 'sla-breached:conv:7:waiting:at-1763632800', 'sla-breached', 7,"
    " '2026-11-20 12:00:00+00:00'),"
    " (4, 'nrn-needed:conv:9:waiting:thread-90', 'nrn-needed', 9, '2026-11-20 12:00:00+00:00'),"
    " (5, 'missing:notification:3', 'missing', NULL, '2026-11-20 12:00:00+00:00')",
)


def _alert_keys(database_url: str) -> list[tuple[object, ...]]:
    return _rows(database_url, "SELECT id, dedupe_key FROM alerts_sent ORDER BY id")


def test_upgrading_from_0005_keys_deadline_alerts_by_their_thread_alone(
    database_url: str,
) -> None:
    _at_revision(database_url, "0005", ALERTS_AT_0005)

    upgrade(database_url)

    assert _alert_keys(database_url) == [
        (1, "sla-warning:waiting:thread-70:level:8h"),
        (3, "sla-breached:conv:7:waiting:at-1763632800"),  # no thread: the conversation stays
        (4, "nrn-needed:waiting:thread-90"),
        (5, "missing:notification:3"),
    ]


def test_downgrading_0006_gives_the_conversation_back_to_the_keys(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO alerts_sent (id, dedupe_key, tag, conversation_id, sent_at) VALUES"
                " (1, 'sla-warning:waiting:thread-70:level:8h', 'sla-warning', 7,"
                " '2026-11-20 10:00:00+00:00')"
            )
            command.downgrade(alembic_config(connection), "0005")
    finally:
        engine.dispose()

    assert _alert_keys(database_url) == [(1, "sla-warning:conv:7:waiting:thread-70:level:8h")]


def test_downgrade_to_base_drops_every_table(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
    finally:
        engine.dispose()

    assert table_names(database_url) <= {"alembic_version"}
    assert current_revision(database_url) is None


def test_the_models_and_the_migrations_agree(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_the_comparison_would_notice_a_table_the_migrations_lack(database_url: str) -> None:
    upgrade(database_url)
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("not_migrated", metadata, Column("id", Integer, primary_key=True))
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()

    assert [(kind, table.name) for kind, table in differences] == [("add_table", "not_migrated")]


def test_an_unreachable_server_is_reported_without_the_password() -> None:
    # Port 9 (discard) on the loopback: nothing listens there, so the connection is refused.
    url = "postgresql://amz:s3cret@127.0.0.1:9/amz_guard"

    with pytest.raises(DatabaseUnavailable, match=r"^cannot connect to postgresql") as caught:
        upgrade(url)

    message = str(caught.value)
    assert "s3cret" not in message
    assert "127.0.0.1:9/amz_guard" in message
    assert "\n" not in message


def test_a_url_with_a_driver_that_is_not_installed_is_reported() -> None:
    with pytest.raises(DatabaseUnavailable, match=r"^cannot use the database URL"):
        upgrade("postgresql+nosuchdriver://amz@127.0.0.1/amz_guard")
