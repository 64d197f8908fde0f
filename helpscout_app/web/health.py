"""Liveness probe for load balancers, Docker's HEALTHCHECK and `docker compose`."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer 200 while the process serves requests; it checks no dependency on purpose.

    A Redis or database outage must not make the orchestrator restart a web process that can do
    nothing about it; readiness of those belongs to a separate check.
    """
    return {"status": "ok"}
