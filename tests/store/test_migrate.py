"""Alembic migrations: from empty to head, repeatable, reversible, and in step with the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select

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
    assert current_revision(database_url) == head_revision() == "0003"
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
