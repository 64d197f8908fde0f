"""Tiny job functions named for their behaviour, for worker tests (as RQ's tests/fixtures.py)."""

from __future__ import annotations

import os

from rq import get_current_job

from helpscout_app.helpscout.errors import HelpScoutAPIError
from workers.queues import key_for
from workers.retries import retry_transient_only

TRIES_KEY = key_for("test", "tries")
"""Counts the runs of `fail_with_helpscout_status`."""


def fail_with_helpscout_status(status: int | None) -> None:
    """Count the try, then raise the client's error for a Help Scout answer of `status`."""
    job = get_current_job()
    assert job is not None
    job.connection.incr(TRIES_KEY)
    with retry_transient_only():
        raise HelpScoutAPIError(
            f"Help Scout answered {status}",
            method="GET",
            url="http://127.0.0.1:9/v2/conversations/1",
            status=status,
        )


def fail_with_a_bug() -> None:
    """Raise what a programming error raises."""
    with retry_transient_only():
        raise KeyError("threads")


def report_niceness() -> int:
    """The CPU niceness the work horse runs at."""
    return os.getpriority(os.PRIO_PROCESS, 0)


def say_hello(name: str) -> str:
    """Return a greeting."""
    return f"Hello {name}"


def describe_job_context() -> dict[str, object]:
    """Where the job runs and what it was given: its pid, and the settings and engine it gets."""
    from workers.enforcement import job_resources, job_settings

    with job_resources() as resources:
        bind = resources.session.get_bind()
        return {
            "pid": os.getpid(),
            "helpscout_app_id": job_settings().helpscout_app_id,
            "database_url": bind.url.render_as_string(hide_password=False),
        }
