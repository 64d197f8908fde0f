"""Alembic migrations, configured in code: `amz-guard db upgrade` and the checks around it.

There is no alembic.ini: the scripts live in this package (`migrations/`, shipped in the wheel)
and the database URL comes from the caller, so the installed package migrates on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from helpscout_app.store.database import create_engine_for, normalize_url
from helpscout_app.store.errors import DatabaseUnavailable

SCRIPT_LOCATION = "helpscout_app.store:migrations"
"""Alembic's package-resource form: found wherever the package is installed."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for amz-guard; `env.py` migrates `connection` when given."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    # Passed as an attribute, not an option: options go through ConfigParser, which would read
    # a "%" in a password as interpolation.
    config.attributes["connection"] = connection
    return config


def upgrade(database_url: str | URL, revision: str = "head") -> None:
    """Migrate the database to `revision` (default: the newest); a no-op when it is there.

    Raises `DatabaseUnavailable` when the URL is unusable or the server cannot be reached.
    """
    with _connected(database_url) as connection:
        command.upgrade(alembic_config(connection), revision)


def current_revision(database_url: str | URL) -> str | None:
    """The revision the database is at; None for a database never migrated.

    Raises `DatabaseUnavailable` as `upgrade` does.
    """
    with _connected(database_url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package ships at least 0001
    return head


def known_revisions() -> list[str]:
    """Every revision among the migration scripts, newest first."""
    return [
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    ]


def is_at_head(database_url: str | URL) -> bool:
    """True when the database is migrated to the newest revision.

    Raises `DatabaseUnavailable` as `upgrade` does.
    """
    return current_revision(database_url) == head_revision()


@contextmanager
def _connected(database_url: str | URL) -> Iterator[Connection]:
    """A connection in a transaction, committed at the end; connection errors become
    `DatabaseUnavailable` naming the URL without its password."""
    try:
        url = normalize_url(database_url)
    except (ArgumentError, ValueError) as err:
        raise DatabaseUnavailable(f"cannot read the database URL: {err}") from err
    shown = url.render_as_string(hide_password=True)
    try:
        engine = create_engine_for(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as err:
        raise DatabaseUnavailable(f"cannot use the database URL {shown}: {err}") from err
    except OSError as err:
        raise DatabaseUnavailable(f"cannot create the directory for {shown}: {err}") from err
    try:
        try:
            connection = engine.connect()
        except DBAPIError as err:
            reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
            raise DatabaseUnavailable(f"cannot connect to {shown}: {reason}") from err
        with connection, connection.begin():
            yield connection
    finally:
        engine.dispose()
