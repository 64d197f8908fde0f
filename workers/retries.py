"""Which job failures RQ retries, and how long it waits: transient ones only.

RQ's `Retry` retries whatever a job raises. Jobs run their body inside `retry_transient_only()`:
a failure that waiting can cure (Help Scout 5xx, 429 or unreachable, Slack refusing an alert,
Redis or the database down) keeps RQ's remaining retries; any other failure (a 4xx, a missing
setting, a bug) gives them up, so the job lands in RQ's failed registry at once, with its
traceback, where an operator sees it (`rq info`, the failed job registry).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis.exceptions
import sqlalchemy.exc
from rq import Retry, get_current_job

from helpscout_app.alerts.errors import AlertDeliveryError
from helpscout_app.helpscout.errors import HelpScoutAPIError
from helpscout_app.store.errors import DatabaseUnavailable

RETRY_INTERVALS_S: tuple[int, ...] = (30, 120, 600, 1800)
"""Waits before the 1st, 2nd, … retry. The Help Scout client already waited out short 429s and
retried 5xx with backoff, so what reaches RQ is an outage of minutes: back off to half an hour."""

_TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    AlertDeliveryError,
    DatabaseUnavailable,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    # Connection lost, server gone, SQLite "database is locked"; pool exhausted.
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.TimeoutError,
)


def transient_retry() -> Retry:
    """The `Retry` every retried job is enqueued with: one try per interval in RETRY_INTERVALS_S."""
    return Retry(max=len(RETRY_INTERVALS_S), interval=list(RETRY_INTERVALS_S))


def is_transient(error: BaseException) -> bool:
    """True when retrying later may succeed: see the module docstring for the list."""
    if isinstance(error, HelpScoutAPIError):
        # None: no answer at all; 429: `RateLimited`, still limited after the client's waits.
        return error.status is None or error.status == 429 or error.status >= 500
    return isinstance(error, _TRANSIENT_ERRORS)


@contextmanager
def retry_transient_only() -> Iterator[None]:
    """Run a job body so that only transient failures use RQ's retries; re-raises every error."""
    try:
        yield
    except Exception as err:
        if not is_transient(err):
            job = get_current_job()
            if job is not None:
                # The worker decides with `job.should_retry` on this same object, after we raise.
                job.retries_left = 0
        raise
