"""Request IDs: every log line of a web request carries `request_id`, and the response echoes it.

The ID comes from the caller's `X-Request-ID` (a proxy or load balancer that set one, so its logs
and ours join up) when it is a plain token, else a new random one: a header value is never
trusted into the logs as it is (no newlines, no 10 KB IDs). One line per request is logged when
it ends, without the query string (the dashboard accepts `?token=`); probes of the health and
metrics endpoints only at DEBUG, since orchestrators call them every few seconds.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from flask import Flask, Response

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Paths whose request line is logged at DEBUG only."""


def request_id_from(header_value: str | None) -> str:
    """The caller's request ID when it is a plain token (at most 128 characters), else a new one."""
    if header_value and _ACCEPTED_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Bind a request ID around each request of `app`, echo it, and log the request's end."""
    from flask import g, request

    @app.before_request
    def _bind_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is not None:
            response.headers[REQUEST_ID_HEADER] = request_id
            started = g.get("request_started", time.perf_counter())
            log.log(
                logging.DEBUG if request.path in PROBE_PATHS else logging.INFO,
                "request handled",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response

    @app.teardown_request
    def _unbind_request_id(_error: BaseException | None) -> None:
        structlog.contextvars.clear_contextvars()
