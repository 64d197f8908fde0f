"""Readiness checks behind /readyz: Redis answers, the database answers, its schema is current.

Each check returns a `CheckResult` and never raises; a failure's reason names the setting or
the command that fixes it, never a password. Checks are bounded in time (Redis: the web's
2-second socket timeout; PostgreSQL: `DATABASE_CONNECT_TIMEOUT_S`), so a probe answers before
an orchestrator's probe timeout.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.exceptions
from redis import Redis
from sqlalchemy import URL
from sqlalchemy.exc import ArgumentError

from helpscout_app.store.database import normalize_url, with_connect_timeout
from helpscout_app.store.errors import DatabaseUnavailable
from helpscout_app.store.migrate import current_revision, head_revision

DATABASE_CONNECT_TIMEOUT_S = 3
"""How long a probe waits for PostgreSQL (the app's own engine waits 10 s)."""


@dataclass(frozen=True)
class CheckResult:
    """One check's answer: ok, or why not."""

    ok: bool
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok} | ({"reason": self.reason} if self.reason else {})


def check_redis(connection: Redis) -> CheckResult:
    """Redis answers a PING."""
    try:
        connection.ping()
    except redis.exceptions.RedisError as err:
        return CheckResult(False, f"Redis does not answer at REDIS_URL ({type(err).__name__})")
    return CheckResult(True)


def check_database(database_url: str) -> tuple[CheckResult, CheckResult]:
    """The database answers (first), and is migrated to the newest revision (second)."""
    try:
        revision = current_revision(_probe_url(database_url))
    except DatabaseUnavailable as err:
        skipped = CheckResult(False, "not checked: the database does not answer")
        return CheckResult(False, f"{err}; check DATABASE_URL"), skipped
    head = head_revision()
    if revision != head:
        return CheckResult(True), CheckResult(
            False,
            f"the database is at revision {revision or 'none'}, the newest is {head}; "
            "run `amz-guard db upgrade`",
        )
    return CheckResult(True), CheckResult(True)


def _probe_url(database_url: str) -> URL | str:
    """`database_url` with a short connect timeout for PostgreSQL, unless it sets its own."""
    try:
        url = normalize_url(database_url)
    except (ArgumentError, ValueError):  # unreadable: current_revision reports it
        return database_url
    return with_connect_timeout(url, DATABASE_CONNECT_TIMEOUT_S)
