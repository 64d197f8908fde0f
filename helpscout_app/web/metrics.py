"""GET /metrics in Prometheus' text format: counters (`observability.metrics`) and what is read
at scrape time: queue depths and failed jobs (Redis), the reconciliation lag and the Amazon
conversations per SLA state (the database).

Open unless METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>` is required
(Prometheus: `authorization: {credentials: …}` in the scrape config). Keep it off the public
internet either way: it names queue and alert volumes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, current_app

from helpscout_app.observability.exposition import ScrapeGauge, SharedCounters, render_metrics
from helpscout_app.reconciliation.reconcile_pass import last_successful_pass_at
from helpscout_app.reconciliation.sla_census import count_by_sla_state
from helpscout_app.store.database import APP_EXTENSION as STORE_EXTENSION
from helpscout_app.store.database import StoreState
from helpscout_app.store.timestamps import utc_now
from helpscout_app.web.bearer import offered_bearer_token, token_matches
from workers.queues import APP_EXTENSION as REDIS_EXTENSION
from workers.queues import metrics_key_prefix, queue_backlog

if TYPE_CHECKING:
    from flask import Flask
    from redis import Redis

    from helpscout_app.observability.metrics import LabelValues
    from helpscout_app.settings import Settings

bp = Blueprint("metrics", __name__)

APP_EXTENSION = "amz_guard_metrics"
"""Key of the page's sources (`MetricSources`) in `app.extensions`."""


class MetricSources:
    """What one app's /metrics reads: the workers' counters in Redis and the scrape-time gauges."""

    def __init__(self, settings: Settings, store: StoreState, connection: Redis) -> None:
        self.shared = SharedCounters(connection, metrics_key_prefix())
        self.gauges = (
            ScrapeGauge(
                "amzguard_queue_jobs",
                "RQ jobs per queue and state (queued, started, scheduled, deferred, failed).",
                ("queue", "state"),
                "redis",
                lambda: queue_backlog(connection),
            ),
            ScrapeGauge(
                "amzguard_reconciliation_lag_seconds",
                "Seconds since the last reconciliation pass without errors ended (+Inf: none yet).",
                (),
                "database",
                lambda: {(): self._reconciliation_lag_s(store)},
            ),
            ScrapeGauge(
                "amzguard_amazon_conversations",
                "Amazon buyer conversations by SLA state (answered, waiting, warning, breached, "
                "nrn-pending).",
                ("sla_state",),
                "database",
                lambda: self._sla_states(store, settings.sla_warning_hours),
            ),
        )

    @staticmethod
    def _reconciliation_lag_s(store: StoreState) -> float:
        with store.sessions() as session:
            last_pass = last_successful_pass_at(session)
        return math.inf if last_pass is None else (utc_now() - last_pass).total_seconds()

    @staticmethod
    def _sla_states(
        store: StoreState, warning_hours: tuple[float, ...]
    ) -> Mapping[LabelValues, float]:
        with store.sessions() as session:
            counts = count_by_sla_state(session, now=utc_now(), warning_hours=warning_hours)
            session.rollback()  # read only; on SQLite, let go of the write lock at once
        return {(str(state),): count for state, count in counts.items()}


def init_app(app: Flask) -> None:
    """Give `app` its metric sources (after `store.database` and `workers.queues`) and the page."""
    app.extensions[APP_EXTENSION] = MetricSources(
        app.config["SETTINGS"], app.extensions[STORE_EXTENSION], app.extensions[REDIS_EXTENSION]
    )
    app.register_blueprint(bp)


@bp.get("/metrics")
def metrics_page() -> Response:
    """The metrics, or 401 without the METRICS_TOKEN when one is set."""
    _require_metrics_token(current_app.config["SETTINGS"])
    sources: MetricSources = current_app.extensions[APP_EXTENSION]
    page, content_type = render_metrics(sources.shared, sources.gauges)
    return Response(page, content_type=content_type)


def _require_metrics_token(settings: Settings) -> None:
    if settings.metrics_token is None:
        return
    if not token_matches(offered_bearer_token(), settings.metrics_token):
        abort(
            Response(
                "METRICS_TOKEN required as a Bearer token\n", 401, {"WWW-Authenticate": "Bearer"}
            )
        )
