"""Alembic's environment for amz-guard: migrates the connection `store.migrate` hands over.

Run through `helpscout_app.store.migrate` (or `amz-guard db upgrade`), not the `alembic`
command: there is no alembic.ini, and the database URL is never written to a file.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext

from helpscout_app.store.models import Base
from helpscout_app.store.timestamps import UTCDateTime


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | bool:
    """Render `UTCDateTime` as the plain type it stores, so migrations import no model code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "amz-guard migrations run on a connection from helpscout_app.store.migrate; "
        "use `amz-guard db upgrade`"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters tables by copying them; batch mode does that for later migrations.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
