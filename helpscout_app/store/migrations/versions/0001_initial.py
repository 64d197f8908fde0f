"""Initial schema: deliveries, conversations, threads, checks, incidents, alerts, notifications.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported from the models: a migration must keep meaning what it meant
# when it was written, whatever the models become.
surrogate_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
timestamp = sa.DateTime(timezone=True)


def vocabulary(name: str, *values: str) -> sa.Enum:
    """VARCHAR(16) with a CHECK constraint, as `models._vocabulary` declares it."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", surrogate_id, nullable=False),
        sa.Column("delivery_key", sa.String(255), nullable=False),
        sa.Column("event_name", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("received_at", timestamp, nullable=False),
        sa.Column(
            "status",
            vocabulary("status", "pending", "processed", "ignored", "failed"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("processed_at", timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_webhook_deliveries_delivery_key")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_conversation_id"), "webhook_deliveries", ["conversation_id"]
    )

    op.create_table(
        "conversations",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=True),
        sa.Column("mailbox_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("customer_email", sa.String(320), nullable=True),
        sa.Column("relay_base_address", sa.String(320), nullable=True),
        sa.Column("is_amazon", sa.Boolean(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("order_ids", sa.JSON(), nullable=False),
        sa.Column("marketplace", sa.String(16), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("last_customer_message_at", timestamp, nullable=True),
        sa.Column("last_agent_reply_at", timestamp, nullable=True),
        sa.Column("due_at", timestamp, nullable=True),
        sa.Column("closed_at", timestamp, nullable=True),
        sa.Column("modified_at", timestamp, nullable=True),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_due_at"), "conversations", ["due_at"])
    op.create_index(
        op.f("ix_conversations_relay_base_address"), "conversations", ["relay_base_address"]
    )

    op.create_table(
        "threads",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=True),
        sa.Column("created_by_kind", sa.String(16), nullable=True),
        sa.Column("created_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_name", sa.String(255), nullable=True),
        sa.Column("created_at", timestamp, nullable=True),
        sa.Column("scheduled_for", timestamp, nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=True),
        sa.Column("is_auto_reply", sa.Boolean(), nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_threads_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
    )
    op.create_index(op.f("ix_threads_conversation_id"), "threads", ["conversation_id"])

    op.create_table(
        "compliance_checks",
        sa.Column("id", surrogate_id, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("source", vocabulary("source", "reply", "draft", "scheduled"), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("finding_kinds", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("checked_at", timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_checks")),
        sa.UniqueConstraint(
            "thread_id", "body_hash", name=op.f("uq_compliance_checks_thread_id_body_hash")
        ),
    )
    op.create_index(
        op.f("ix_compliance_checks_conversation_id"), "compliance_checks", ["conversation_id"]
    )

    op.create_table(
        "compliance_incidents",
        sa.Column("id", surrogate_id, nullable=False),
        sa.Column("check_id", surrogate_id, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("agent_name", sa.String(255), nullable=True),
        sa.Column("finding_kinds", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["compliance_checks.id"],
            name=op.f("fk_compliance_incidents_check_id_compliance_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_incidents")),
        sa.UniqueConstraint("check_id", name=op.f("uq_compliance_incidents_check_id")),
    )
    op.create_index(
        op.f("ix_compliance_incidents_conversation_id"),
        "compliance_incidents",
        ["conversation_id"],
    )

    op.create_table(
        "alerts_sent",
        sa.Column("id", surrogate_id, nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("sent_at", timestamp, nullable=False),
        sa.Column("resolved_at", timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts_sent")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_sent_dedupe_key")),
    )
    op.create_index(op.f("ix_alerts_sent_conversation_id"), "alerts_sent", ["conversation_id"])
    op.create_index(op.f("ix_alerts_sent_tag"), "alerts_sent", ["tag"])

    op.create_table(
        "amazon_notifications",
        sa.Column("id", surrogate_id, nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("order_ids", sa.JSON(), nullable=False),
        sa.Column("relay_address", sa.String(320), nullable=True),
        sa.Column("relay_base_address", sa.String(320), nullable=True),
        sa.Column("buyer_name", sa.String(255), nullable=True),
        sa.Column("marketplace", sa.String(16), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("received_at", timestamp, nullable=True),
        sa.Column("no_response_needed_url", sa.Text(), nullable=True),
        sa.Column("matched_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("matched_at", timestamp, nullable=True),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.Column("recorded_at", timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_notifications")),
        sa.UniqueConstraint("message_id", name=op.f("uq_amazon_notifications_message_id")),
    )
    op.create_index(
        op.f("ix_amazon_notifications_matched_thread_id"),
        "amazon_notifications",
        ["matched_thread_id"],
    )
    op.create_index(
        op.f("ix_amazon_notifications_received_at"), "amazon_notifications", ["received_at"]
    )
    op.create_index(
        op.f("ix_amazon_notifications_relay_base_address"),
        "amazon_notifications",
        ["relay_base_address"],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; dependents first.
    for table in (
        "amazon_notifications",
        "alerts_sent",
        "compliance_incidents",
        "compliance_checks",
        "threads",
        "conversations",
        "webhook_deliveries",
    ):
        op.drop_table(table)
