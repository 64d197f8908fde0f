"""Settings for these tests point REDIS_URL at the test session's own Redis database."""

from __future__ import annotations

import pytest
from redis import Redis

from helpscout_app.settings import Settings


@pytest.fixture
def settings(settings: Settings, redis_test_url: str, redis_conn: Redis) -> Settings:
    """The test settings with `REDIS_URL` on the test database (emptied around each test)."""
    return settings.model_copy(update={"redis_url": redis_test_url})
