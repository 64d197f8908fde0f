"""Jobs for the metrics tests: each counts something, as real jobs do, in a worker process."""

from __future__ import annotations

import os

from helpscout_app.observability import metrics


def count_an_alert(tag: str) -> int:
    """Count one alert sent under `tag`; returns the process id the job ran in."""
    metrics.count_alert_sent(tag)
    return os.getpid()
