"""Deadline alerts keyed by the waiting message's thread alone: `sla-warning:waiting:thread-N:
level:8h` rather than `sla-warning:conv:C:waiting:thread-N:level:8h`, so a message whose
conversation Help Scout merges into another is not alerted again under the new conversation.

Alerts already sent get the new key (the `[sla-warning]`, `[sla-breached]` and `[nrn-needed]`
ones naming a thread); where a merge already gave the same message two, the later one goes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAGS = ("sla-warning", "sla-breached", "nrn-needed")
OLD_KEY = re.compile(r"^(?P<tag>[a-z-]+):conv:(?P<conv>\d+):(?P<rest>waiting:thread-\d+.*)$")
NEW_KEY = re.compile(r"^(?P<tag>[a-z-]+):(?P<rest>waiting:thread-\d+.*)$")

alerts = sa.table(
    "alerts_sent",
    sa.column("id", sa.BigInteger),
    sa.column("dedupe_key", sa.String),
    sa.column("tag", sa.String),
    sa.column("conversation_id", sa.BigInteger),
)


def upgrade() -> None:
    _rekey(OLD_KEY, lambda match, _conversation_id: f"{match['tag']}:{match['rest']}")


def downgrade() -> None:
    _rekey(
        NEW_KEY,
        lambda match, conversation_id: f"{match['tag']}:conv:{conversation_id}:{match['rest']}",
    )


def _rekey(pattern: re.Pattern[str], new_key: Callable[[re.Match[str], int | None], str]) -> None:
    """Give each deadline alert whose key matches `pattern` the key `new_key(match, conv)`;
    of two that get the same key, the first sent keeps it."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(alerts.c.id, alerts.c.dedupe_key, alerts.c.conversation_id)
        .where(alerts.c.tag.in_(TAGS))
        .order_by(alerts.c.id)
    ).all()
    taken = {key for _, key, _ in rows}
    for row_id, key, conversation_id in rows:
        match = pattern.match(key)
        if match is None or (conversation_id is None and pattern is NEW_KEY):
            continue
        rekeyed = new_key(match, conversation_id)
        if rekeyed in taken:
            connection.execute(sa.delete(alerts).where(alerts.c.id == row_id))
        else:
            connection.execute(
                sa.update(alerts).where(alerts.c.id == row_id).values(dedupe_key=rekeyed)
            )
            taken.add(rekeyed)
        taken.discard(key)
