"""RQ queues on the project's Redis: their names, the connection, and the keys we store ourselves.

RQ keeps its own records under its `rq:` keys; anything amz-guard stores in Redis beside them (a
lock, a marker) takes its key from `key_for`, under the one `amzguard:` prefix, so a shared Redis
shows at a glance what is ours.

The web app gets its connection through `init_app(app)` (the `store.database` pattern); the
worker and the CLI call `redis_connection(settings.redis_url)` themselves. Nothing connects at
import time: redis-py opens its first socket on the first command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redis import Redis
from rq import Queue

if TYPE_CHECKING:
    from flask import Flask

WEBHOOKS_QUEUE = "amzguard-webhooks"
"""Jobs for Help Scout webhook deliveries: one per delivery, answered within seconds."""

PERIODIC_QUEUE = "amzguard-periodic"
"""Jobs that run on a schedule (the draft scan): longer passes over many conversations."""

QUEUE_NAMES: tuple[str, ...] = (WEBHOOKS_QUEUE, PERIODIC_QUEUE)
"""Every queue a worker listens on, in priority order: a delivery never waits behind a pass."""

KEY_PREFIX = "amzguard:"
"""Prefix of every Redis key amz-guard writes itself (RQ's keys keep RQ's `rq:` prefix)."""

WEB_SOCKET_TIMEOUT_S = 2.0
"""How long a web request waits for Redis before answering 503: Help Scout retries, and a
request stuck on an unresponsive Redis would hold a gunicorn worker meanwhile."""

APP_EXTENSION = "amz_guard_queues"
"""Key of the app's Redis connection in `app.extensions`."""


def key_for(*parts: str | int) -> str:
    """Our Redis key for `parts`: `key_for("lock", "draft-scan")` is `amzguard:lock:draft-scan`."""
    if not parts or any(str(part) == "" for part in parts):
        raise ValueError(f"a Redis key needs non-empty parts, got {parts!r}")
    return KEY_PREFIX + ":".join(str(part) for part in parts)


def metrics_key_prefix() -> str:
    """Prefix of the Redis hashes of the workers' counters (observability.shared_counters)."""
    return key_for("metrics") + ":"


def redis_connection(redis_url: str, *, socket_timeout_s: float | None = None) -> Redis:
    """A Redis client for `REDIS_URL`; `socket_timeout_s` bounds connecting and each command.

    Leave the timeout unset for a worker: RQ sets a socket timeout that fits its blocking
    dequeue itself.
    """
    return Redis.from_url(
        redis_url,
        socket_connect_timeout=socket_timeout_s,
        socket_timeout=socket_timeout_s,
        health_check_interval=30,
    )


def queue_for(connection: Redis, name: str = WEBHOOKS_QUEUE) -> Queue:
    """The RQ queue `name` (one of `QUEUE_NAMES`) on `connection`."""
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}; amz-guard's queues are {', '.join(QUEUE_NAMES)}")
    return Queue(name, connection=connection)


QUEUE_STATES: tuple[str, ...] = ("queued", "started", "scheduled", "deferred", "failed")
"""The job states `queue_backlog` counts; `failed` is RQ's failed registry (kept
`FAILED_DELIVERY_TTL_S` for deliveries), waiting for an operator to requeue or drop."""


def queue_backlog(connection: Redis) -> dict[tuple[str, str], int]:
    """Jobs per (queue, state) on amz-guard's queues, read without changing anything (RQ's
    registry cleanup is left to the workers). Raises redis errors."""
    backlog: dict[tuple[str, str], int] = {}
    for name in QUEUE_NAMES:
        queue = queue_for(connection, name)
        backlog[(name, "queued")] = queue.count
        registries = {
            "started": queue.started_job_registry,
            "scheduled": queue.scheduled_job_registry,
            "deferred": queue.deferred_job_registry,
            "failed": queue.failed_job_registry,
        }
        for state, registry in registries.items():
            backlog[(name, state)] = registry.get_job_count(cleanup=False)
    return backlog


def init_app(app: Flask) -> None:
    """Give `app` a Redis connection for its `REDIS_URL`, with the web's short timeouts."""
    settings = app.config["SETTINGS"]
    app.extensions[APP_EXTENSION] = redis_connection(
        settings.redis_url, socket_timeout_s=WEB_SOCKET_TIMEOUT_S
    )
