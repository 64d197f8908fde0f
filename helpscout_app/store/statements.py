"""INSERT … ON CONFLICT statements, written once for both backends.

SQLite and PostgreSQL share the `ON CONFLICT` syntax, but SQLAlchemy builds it from each dialect's
own `insert()`. Conflict handling in the database, not "select, then insert", is what makes
repeated and concurrent writes safe: the loser of a race sees the winner's row instead of an error.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from helpscout_app.store.models import Base


def _dialect_insert(session: Session, model: type[Base]) -> Any:
    """The dialect's own `insert()` for the model's table, the one with `on_conflict_…` methods."""
    return _insert_for(session.get_bind().dialect.name, model)


def _insert_for(backend: str, model: type[Base]) -> Any:
    table = model.__table__
    if backend == "postgresql":
        return postgresql.insert(table)
    if backend == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"amz-guard stores data in SQLite or PostgreSQL, not {backend}")


def insert_unless_present(
    session: Session, model: type[Base], values: Mapping[str, Any], unique_columns: Sequence[str]
) -> bool:
    """Insert one row unless a row with the same `unique_columns` exists; True if inserted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    reports False if it committed.
    """
    statement: Insert = (
        _dialect_insert(session, model)
        .values(dict(values))
        .on_conflict_do_nothing(index_elements=list(unique_columns))
        # RETURNING yields a row only when one was inserted; rowcount is not reliable here
        # (psycopg reports -1 for an INSERT … RETURNING whose rows were not fetched).
        .returning(*model.__table__.primary_key.columns)
    )
    return session.execute(statement).first() is not None


def upsert(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    unique_columns: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert one row, or update `update_columns` of the row with the same `unique_columns`.

    Only `update_columns` change on conflict; every other column keeps its stored value.
    """
    statement = _dialect_insert(session, model).values(dict(values))
    if update_columns:
        statement = statement.on_conflict_do_update(
            index_elements=list(unique_columns),
            set_={name: statement.excluded[name] for name in update_columns},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(unique_columns))
    session.execute(statement)


def upsert_many(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    unique_columns: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """`upsert` for many rows: one statement, compiled once, executed for every row (the
    driver's executemany). Every row must name the same columns.

    Rows sharing a key are reduced to the last one, so no row is written twice in one call.
    """
    if not rows:
        return
    columns = set(rows[0])
    by_key: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        if set(row) != columns:
            raise ValueError("upsert_many needs every row to name the same columns")
        by_key[tuple(row[name] for name in unique_columns)] = row
    statement = _upsert_statement(
        session.get_bind().dialect.name, model, tuple(unique_columns), tuple(update_columns)
    )
    session.execute(statement, [dict(row) for row in by_key.values()])


@functools.lru_cache(maxsize=32)
def _upsert_statement(
    backend: str,
    model: type[Base],
    unique_columns: tuple[str, ...],
    update_columns: tuple[str, ...],
) -> Insert:
    """The INSERT … ON CONFLICT DO UPDATE of `upsert_many`, built once per shape: building its
    `excluded` columns costs more than executing it for a batch."""
    statement = _insert_for(backend, model)
    return statement.on_conflict_do_update(
        index_elements=list(unique_columns),
        set_={name: statement.excluded[name] for name in update_columns},
    )


def insert_many_unless_present(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    unique_columns: Sequence[str],
) -> set[tuple[Any, ...]]:
    """Insert the rows whose `unique_columns` are not taken yet; returns the keys (the
    `unique_columns` values) of those inserted.

    Every row must name the same columns. One statement, executed for every row.
    """
    if not rows:
        return set()
    table = model.__table__
    statement = (
        _dialect_insert(session, model)
        .on_conflict_do_nothing(index_elements=list(unique_columns))
        .returning(*(table.c[name] for name in unique_columns))
    )
    return {tuple(row) for row in session.execute(statement, [dict(row) for row in rows])}
