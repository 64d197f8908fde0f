"""Incident stages: one incident per check and stage (unsent, sent), so a reply sent with the
very body the draft scan flagged gets its own note, tag and alert, recorded apart from the
draft's.

Existing incidents take the stage of their check: sent for a reply's check, unsent for a draft's
or a Send Later reply's.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGE = sa.Enum(
    "unsent", "sent", name="stage", native_enum=False, create_constraint=True, length=16
)


def upgrade() -> None:
    with op.batch_alter_table("compliance_incidents") as batch:
        batch.add_column(
            sa.Column("stage", STAGE, nullable=False, server_default=sa.text("'unsent'"))
        )
    op.execute(
        "UPDATE compliance_incidents SET stage = 'sent' WHERE check_id IN "
        "(SELECT id FROM compliance_checks WHERE source = 'reply')"
    )
    with op.batch_alter_table("compliance_incidents") as batch:
        batch.alter_column("stage", server_default=None, existing_type=STAGE)
        batch.drop_constraint("uq_compliance_incidents_check_id", type_="unique")
        batch.create_unique_constraint(
            "uq_compliance_incidents_check_id_stage", ["check_id", "stage"]
        )


def downgrade() -> None:
    # One incident per check again: a check's sent incident goes where it has an unsent one.
    op.execute(
        "DELETE FROM compliance_incidents WHERE stage = 'sent' AND check_id IN "
        "(SELECT check_id FROM compliance_incidents WHERE stage = 'unsent')"
    )
    with op.batch_alter_table("compliance_incidents") as batch:
        batch.drop_constraint("uq_compliance_incidents_check_id_stage", type_="unique")
        batch.create_unique_constraint("uq_compliance_incidents_check_id", ["check_id"])
        batch.drop_constraint("stage", type_="check")  # named by the convention: ck_<table>_stage
        batch.drop_column("stage")
