"""Engines and sessions from a database URL, and their life in the Flask app.

`create_engine_for(url)` is the one place that knows how amz-guard talks to each backend; workers
and the CLI call it and `session_factory(engine)` themselves. `init_app(app)` gives a Flask app its
own engine, and `get_session()` a session per app context, closed on teardown (the Flask
tutorial's `db.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from flask import Flask

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite writer waits for another one to finish before giving up."""

POSTGRESQL_CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server before reporting it unreachable."""

APP_EXTENSION = "amz_guard_store"
"""Key of the app's `StoreState` in `app.extensions`."""


def normalize_url(database_url: str | URL) -> URL:
    """The URL SQLAlchemy should use: `postgresql://` means psycopg 3, the driver amz-guard ships.

    SQLAlchemy's default PostgreSQL driver is psycopg2, which is not installed.
    """
    url = make_url(database_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def with_connect_timeout(url: URL, seconds: int) -> URL:
    """`url` with a PostgreSQL connect timeout of `seconds`, unless it sets its own: a probe
    (/readyz, `amz-guard doctor`) must answer before whoever asked gives up. SQLite: as is."""
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        return url.update_query_dict({"connect_timeout": str(seconds)})
    return url


def create_engine_for(database_url: str | URL) -> Engine:
    """An engine for a `sqlite:///PATH` or `postgresql://…` URL, set up for concurrent workers.

    SQLite: creates the database's directory, uses WAL (readers don't wait for the writer),
    waits up to `SQLITE_BUSY_TIMEOUT_MS` for a lock, enforces foreign keys, and starts every
    transaction with BEGIN IMMEDIATE, so on SQLite every open transaction, even one that only
    reads, holds the write lock: keep transactions short and never hold one across an HTTP call.
    PostgreSQL: checks pooled connections before use and gives up connecting after
    `POSTGRESQL_CONNECT_TIMEOUT_S`. Connects lazily, on first use.
    """
    url = normalize_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRESQL_CONNECT_TIMEOUT_S
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _create_sqlite_engine(url: URL) -> Engine:
    """A SQLite engine whose transactions take the write lock up front."""
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the "begin" hook below) instead of the
        # sqlite3 module, which would open transactions late, on the first write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # SQLite's advice for WAL: no fsync per commit, only at checkpoints. The database stays
        # consistent on a crash; a power cut may undo the last commits, which the jobs redo.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediately(connection: Any) -> None:
        # A deferred transaction that read first and writes later fails at once with "database
        # is locked" when another process wrote in between (busy_timeout does not apply), which
        # would break claim-once writes under concurrency. IMMEDIATE waits for the lock instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit (jobs log them after)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


class StoreState:
    """The engine and session factory of one Flask app."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)


def init_app(app: Flask) -> None:
    """Give `app` an engine for its `DATABASE_URL` and close each context's session on teardown."""
    settings = app.config["SETTINGS"]
    app.extensions[APP_EXTENSION] = StoreState(create_engine_for(settings.database_url))
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """The current app context's session, opened on first use (call inside a request or job)."""
    from flask import current_app, g

    if "store_session" not in g:
        state: StoreState = current_app.extensions[APP_EXTENSION]
        g.store_session = state.sessions()
    return g.store_session


def close_session(_error: BaseException | None = None) -> None:
    """Close the context's session, if one was opened; uncommitted work is rolled back."""
    from flask import g

    session = g.pop("store_session", None)
    if session is not None:
        session.close()
