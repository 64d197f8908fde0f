"""Storage fixtures: every `database_url` test runs on SQLite and on PostgreSQL.

PostgreSQL is the one on 127.0.0.1:5432 (trust auth; CI and `scripts/setup` start it), reached as
user postgres or root, or at `AMZ_GUARD_TEST_POSTGRES_URL` when set. The test session creates its
own database there and drops it at the end, and each test gets a fresh schema in it, so parallel
and earlier runs never see each other's tables. If PostgreSQL cannot be reached, the PostgreSQL
half of the tests fails with the reason; it is never skipped.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import psycopg
import pytest
from sqlalchemy import URL, Engine, make_url
from sqlalchemy.orm import Session

from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.migrate import upgrade

POSTGRES_URL_VARIABLE = "AMZ_GUARD_TEST_POSTGRES_URL"
POSTGRES_CANDIDATE_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",  # a fresh install has no "test"
)
BACKENDS = ("sqlite", "postgresql")


class PostgresTestDatabase:
    """A database of this test session's own on the test server; `new_schema_url()` per test."""

    def __init__(self, admin_url: URL) -> None:
        self.admin_url = admin_url
        self.name = f"amzguard_test_{os.getpid()}_{secrets.token_hex(4)}"
        self.url = admin_url.set(database=self.name)
        self._schema_numbers = itertools.count(1)

    def create(self) -> None:
        """Create the session's database."""
        with _admin_connection(self.admin_url) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        """Drop the session's database, closing any connection a failed test left open."""
        with _admin_connection(self.admin_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def new_schema_url(self) -> str:
        """A URL whose tables all land in a new, empty schema of the session's database."""
        schema = f"test_{next(self._schema_numbers)}"
        with psycopg.connect(_libpq_url(self.url), autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        # libpq's `options` sets search_path for every connection made from this URL.
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)


def _libpq_url(url: URL) -> str:
    """The URL as libpq reads it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _admin_connection(admin_url: URL) -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database (CREATE DATABASE needs it)."""
    return psycopg.connect(_libpq_url(admin_url), autocommit=True, connect_timeout=5)


def _reachable_admin_url() -> URL:
    """The first PostgreSQL URL that accepts a connection; fails the test loudly if none does."""
    configured = os.environ.get(POSTGRES_URL_VARIABLE)
    candidates = (configured,) if configured else POSTGRES_CANDIDATE_URLS
    problems = []
    for candidate in candidates:
        url = make_url(candidate)
        try:
            with _admin_connection(url):
                return url
        except psycopg.Error as err:
            first_line = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
            problems.append(f"{url.render_as_string(hide_password=True)}: {first_line}")
    pytest.fail(
        "PostgreSQL is needed for the storage tests and cannot be reached ("
        + "; ".join(problems)
        + f"). Run scripts/setup to start it, or set {POSTGRES_URL_VARIABLE} to a server where "
        "this user may create databases.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresTestDatabase]:
    """This test session's own PostgreSQL database, dropped at the end."""
    database = PostgresTestDatabase(_reachable_admin_url())
    database.create()
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'amz-guard.sqlite3'}"
    postgres_database: PostgresTestDatabase = request.getfixturevalue("postgres_database")
    return postgres_database.new_schema_url()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on `database_url`, migrated to the newest revision."""
    upgrade(database_url)
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; whatever the test left uncommitted is rolled back."""
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def new_session(engine: Engine) -> Iterator[Callable[[], Session]]:
    """Opens more sessions on the same database (each its own connection), closed at the end."""
    opened: list[Session] = []
    factory = session_factory(engine)

    def open_session() -> Session:
        opened.append(factory())
        return opened[-1]

    yield open_session
    for session in opened:
        session.close()


class Race(Protocol):
    """Runs `call` in `count` threads at once, each with its own session, committed after."""

    def __call__(self, count: int, call: Callable[[Session], Any]) -> list[Any]: ...


@pytest.fixture
def race(engine: Engine) -> Race:
    """Start `count` threads together (a barrier), each calling `call(session)` on its own
    connection and committing; returns their results. An error in any thread fails the test."""

    def run_race(count: int, call: Callable[[Session], Any]) -> list[Any]:
        barrier = threading.Barrier(count)
        factory = session_factory(engine)
        results: list[Any] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def contender() -> None:
            try:
                with factory() as session:
                    barrier.wait(timeout=10)
                    outcome = call(session)
                    session.commit()
                with lock:
                    results.append(outcome)
            except BaseException as err:  # re-raised in the test's own thread below
                with lock:
                    errors.append(err)

        threads = [threading.Thread(target=contender) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        if errors:
            raise errors[0]
        assert len(results) == count, "a contender did not finish within 60 s"
        return results

    return run_race
