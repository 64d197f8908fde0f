"""Structured logs: one JSON object per line (or a readable console line), from structlog and
from the standard library alike.

The code logs with `logging.getLogger(__name__)` (or structlog's `get_logger`); both go through
one `ProcessorFormatter` on the root logger, which adds the time, level, logger name and the
context bound for the request or job (`request_id`, `job_id`), redacts (`redaction.Redactor`)
and renders. Only our own handler is replaced when configured again, so a test's log capture,
or a handler someone else added, keeps working.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import IO, TYPE_CHECKING, Any

import structlog

from helpscout_app.observability.redaction import Redactor
from helpscout_app.settings import LOG_LEVELS, LogFormat

if TYPE_CHECKING:
    from structlog.typing import Processor

    from helpscout_app.settings import Settings


QUIET_LIBRARY_LOGGERS: tuple[str, ...] = ("alembic.runtime.migration", "httpx", "httpcore")
"""Loggers held at WARNING unless LOG_LEVEL is DEBUG: the readiness probe checks the schema
every few seconds, and Alembic says "Context impl …" at INFO each time; httpx (SP-API) logs
every request's URL at INFO."""


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time, not the one at configuration (a test
    runner swaps it per test; a closed old one would make every line a "Logging error")."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


HANDLER_NAME = "amz-guard"
"""Name of the root handler `configure_logging` installs, so a second call replaces only it."""


def configure_logging(
    level: str = "INFO",
    log_format: LogFormat | str = LogFormat.JSON,
    *,
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> None:
    """Route structlog and stdlib logging through one redacting renderer on `stream` (stderr,
    looked up at each line, when None). `secrets` are values masked wherever they appear."""
    if level.upper() not in LOG_LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: configuring again (tests, a second app) must reach existing loggers.
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _drop_formatter_leftovers],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Rendered to a string before redaction, so a secret in an exception message is
            # masked too.
            structlog.processors.format_exc_info,
            strip_terminal_escapes,
            Redactor(secrets),
            _renderer(LogFormat(log_format)),
        ],
    )
    handler = _CurrentStderrHandler() if stream is None else logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet_level = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(quiet_level)


def remove_logging_configuration() -> None:
    """Take out what `configure_logging` installed (tests: one test's app must not make the
    next test's command write log lines to its stderr)."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
    root.setLevel(logging.WARNING)


def configure_logging_for(settings: Settings, *, stream: IO[str] | None = None) -> None:
    """`configure_logging` with LOG_LEVEL, LOG_FORMAT and every secret the settings hold."""
    configure_logging(
        settings.log_level,
        settings.log_format,
        secrets=settings.secret_values(),
        stream=stream,
    )


def _drop_formatter_leftovers(
    _logger: Any, _method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Remove what another handler's formatter left on the record (`message`, `asctime`), which
    `ExtraAdder` would take for extras: the message is already the event."""
    event_dict.pop("message", None)
    event_dict.pop("asctime", None)
    return event_dict


TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
"""An ANSI control sequence (CSI), such as the colours Flask's development server puts in its
request lines."""


def strip_terminal_escapes(
    _logger: Any, _method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Take terminal colours and cursor moves out of the event: they are noise in JSON, and a
    control sequence in a logged value could rewrite the terminal of whoever reads the log."""
    event = event_dict.get("event")
    if isinstance(event, str) and "\x1b" in event:
        # A lone ESC left (a broken sequence, or one the removal joined) goes too.
        event_dict["event"] = TERMINAL_ESCAPE.sub("", event).replace("\x1b", "")
    return event_dict


def _renderer(log_format: LogFormat) -> Processor:
    if log_format is LogFormat.CONSOLE:
        return structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    return structlog.processors.JSONRenderer(default=_json_default)


def _json_default(value: Any) -> str:
    """Anything json cannot encode is written as its str() (the redactor has seen that)."""
    return str(value)
