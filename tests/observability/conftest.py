"""Settings on the test session's Redis database; log output captured as parsed JSON lines."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import Redis

from helpscout_app.observability.logging import configure_logging_for
from helpscout_app.settings import Settings


@pytest.fixture
def settings(settings: Settings, redis_test_url: str, redis_conn: Redis) -> Settings:
    """The test settings with `REDIS_URL` on the test database, logging at DEBUG."""
    return settings.model_copy(update={"redis_url": redis_test_url, "log_level": "DEBUG"})


class CapturedLogs:
    """Log output of `settings`' logging configuration, written to a buffer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stream = io.StringIO()

    def start(self) -> None:
        """Configure logging as the process would, writing to a fresh buffer."""
        self.stream = io.StringIO()
        configure_logging_for(self.settings, stream=self.stream)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        """Every line written since `start`, each parsed as JSON (fails on a line that is not)."""
        return [json.loads(line) for line in self.text.splitlines()]


@pytest.fixture
def captured_logs(settings: Settings) -> Iterator[Callable[[Settings], CapturedLogs]]:
    """`captured_logs(settings)` starts capturing; logging goes back to stderr afterwards."""

    def start(for_settings: Settings) -> CapturedLogs:
        logs = CapturedLogs(for_settings)
        logs.start()
        return logs

    yield start
    configure_logging_for(settings)
