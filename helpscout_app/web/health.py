"""Probes for load balancers, Docker's HEALTHCHECK and orchestrators: liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app

from helpscout_app.web.readiness import check_database, check_redis
from workers.queues import APP_EXTENSION as REDIS_EXTENSION

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer 200 while the process serves requests; it checks no dependency on purpose.

    A Redis or database outage must not make the orchestrator restart a web process that can do
    nothing about it; readiness of those belongs to /readyz.
    """
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """200 when Redis and the database answer and the schema is the newest, else 503; the JSON
    gives each check's result and, for a failed one, the reason."""
    database, migrations = check_database(current_app.config["SETTINGS"].database_url)
    checks = {
        "redis": check_redis(current_app.extensions[REDIS_EXTENSION]),
        "database": database,
        "migrations": migrations,
    }
    ready = all(check.ok for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {name: check.to_dict() for name, check in checks.items()},
    }
    return body, 200 if ready else 503
