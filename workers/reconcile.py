"""The periodic reconciliation job: one pass every `RECONCILE_INTERVAL_S` (default 5 minutes).

Scheduled like the draft scan (`workers.schedule`): one run per interval slot however many
workers there are, the next slot asked for first, and a lock so two passes never overlap.
`amz-guard reconcile --once` runs the same pass in-process.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rq import get_current_job

from helpscout_app.reconciliation.reconcile_pass import run_reconcile_pass
from workers.enforcement import job_resources, job_settings
from workers.helpscout_token import token_store_for
from workers.schedule import RECONCILE, pass_lock, schedule_next_run

log = logging.getLogger(__name__)


def run_reconciliation() -> dict[str, Any]:
    """One reconciliation pass, the next one already scheduled; skipped when one is running.

    Not retried: the next slot is the retry, and every alert is sent once however often it runs.
    """
    now = datetime.now(UTC)
    settings = job_settings()
    job = get_current_job()
    if job is None:
        raise RuntimeError("run_reconciliation runs as an RQ job; use amz-guard reconcile --once")
    schedule_next_run(job.connection, RECONCILE, RECONCILE.interval_s(settings), now)
    lock = pass_lock(job.connection, RECONCILE)
    if not lock.acquire():
        log.warning("reconciliation skipped: the previous pass is still running")
        return {"skipped": "the previous pass is still running"}
    try:
        with job_resources(settings) as resources:
            result = run_reconcile_pass(
                resources.session,
                resources.settings,
                now=now,
                token_store=token_store_for(resources.settings, job.connection),
            )
    finally:
        if lock.owned():
            lock.release()
    return result.to_dict()
