"""Reconciliation: the response clock and "No response needed" on conversations, where Slack put
an alert, the matched conversation, source and case of a notification, and the sync cursors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("waiting_since", timestamp, nullable=True))
        batch.add_column(sa.Column("waiting_thread_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("nrn_marked_at", timestamp, nullable=True))
        batch.add_column(sa.Column("nrn_marked_by", sa.String(255), nullable=True))

    with op.batch_alter_table("alerts_sent") as batch:
        batch.add_column(sa.Column("slack_channel", sa.String(64), nullable=True))
        batch.add_column(sa.Column("slack_ts", sa.String(32), nullable=True))

    with op.batch_alter_table("amazon_notifications") as batch:
        batch.add_column(sa.Column("matched_conversation_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("source_id", sa.String(255), nullable=True))
        batch.add_column(sa.Column("case_id", sa.String(64), nullable=True))
        batch.create_index(
            op.f("ix_amazon_notifications_matched_conversation_id"), ["matched_conversation_id"]
        )

    op.create_table(
        "sync_cursors",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_cursors")),
    )


def downgrade() -> None:
    op.drop_table("sync_cursors")
    with op.batch_alter_table("amazon_notifications") as batch:
        batch.drop_index(op.f("ix_amazon_notifications_matched_conversation_id"))
        batch.drop_column("case_id")
        batch.drop_column("source_id")
        batch.drop_column("matched_conversation_id")
    with op.batch_alter_table("alerts_sent") as batch:
        batch.drop_column("slack_ts")
        batch.drop_column("slack_channel")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("nrn_marked_by")
        batch.drop_column("nrn_marked_at")
        batch.drop_column("waiting_thread_id")
        batch.drop_column("waiting_since")
