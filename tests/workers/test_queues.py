"""Queue names, the Redis connection and our own keys."""

from __future__ import annotations

import pytest
from redis import Redis

from workers.queues import (
    KEY_PREFIX,
    PERIODIC_QUEUE,
    QUEUE_NAMES,
    WEBHOOKS_QUEUE,
    key_for,
    queue_for,
    redis_connection,
)


def test_keys_share_the_amzguard_prefix() -> None:
    assert KEY_PREFIX == "amzguard:"
    assert key_for("lock", "draft-scan") == "amzguard:lock:draft-scan"
    assert key_for("slot", 1764166800) == "amzguard:slot:1764166800"


@pytest.mark.parametrize("parts", [(), ("lock", "")])
def test_a_key_needs_parts(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="non-empty parts"):
        key_for(*parts)


def test_webhook_deliveries_come_first(redis_conn: Redis) -> None:
    assert QUEUE_NAMES == (WEBHOOKS_QUEUE, PERIODIC_QUEUE)
    assert queue_for(redis_conn).name == WEBHOOKS_QUEUE
    assert queue_for(redis_conn, PERIODIC_QUEUE).connection is redis_conn


def test_an_unknown_queue_is_refused(redis_conn: Redis) -> None:
    with pytest.raises(ValueError, match="unknown queue 'default'"):
        queue_for(redis_conn, "default")


def test_the_connection_is_lazy_and_bounded() -> None:
    connection = redis_connection("redis://127.0.0.1:9/0", socket_timeout_s=0.5)  # nothing there

    kwargs = connection.connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"], kwargs["db"]) == (
        0.5,
        0.5,
        0,
    )
