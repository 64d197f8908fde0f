"""Configuration: every setting amz-guard reads, from the environment and `.env`, checked at start.

The names and defaults are the contract in DESIGN.md ("Configuration"). `Settings` is built once
by the process entry point (`create_app`, the CLI, later the worker) and passed down; nothing else
reads the environment, and nothing reads it at import time.

Most settings are optional until the code that uses them lands; whatever is set is checked for
format here, so a typo fails at start with one line naming the variable rather than at the first
webhook. An empty value is an error, never "feature off": unset the variable instead.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import SplitResult, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable.

    It stands apart from every domain error on purpose: only a process entry point reports it,
    and no "fail quietly" path can swallow it.
    """


class EnforcementMode(StrEnum):
    """What amz-guard does with a non-compliant draft (DESIGN.md, "Facts")."""

    FLAG = "flag"  # note and alert, never hold a reply
    GATE = "gate"  # also cancel Send-Later replies that would break the rules


class LogFormat(StrEnum):
    """How log lines are rendered (`LOG_FORMAT`)."""

    JSON = "json"  # one JSON object per line, for log collectors
    CONSOLE = "console"  # aligned key=value lines, for a developer's terminal


LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
"""The values LOG_LEVEL accepts (the standard library's level names)."""

DEFAULT_AMAZON_CS_PHONE_NUMBERS: tuple[str, ...] = ("+1-888-280-4331",)
"""Amazon US customer service, the one number the reference confirms (reference/amazon.md §4.3)."""

HELPSCOUT_SECRET_MAX_LENGTH = 40
"""Help Scout refuses webhook and sidebar-app secrets longer than this (reference/helpscout.md)."""

DRAFT_SCAN_MIN_INTERVAL_S = 10
"""Each draft scan lists conversations and threads, which the account-wide Help Scout rate limit
pays for (reference/helpscout.md §2.2); passes closer together than this would starve the rest."""

REFUND_TEMPLATE_NAMES: tuple[str, ...] = ("product", "amount", "order_id")
"""What REFUND_TEMPLATE may name, as `$product` (string.Template syntax: no code runs)."""

DEFAULT_REFUND_TEMPLATE = (
    "Hello, I am sorry the $product did not work out for you. I have issued a full refund of "
    "$amount for order $order_id; it goes back to your original payment method. "
    "There is nothing you need to send back."
)
"""The refund reply the playbook suggests for a product problem when REFUND_TEMPLATE is unset."""

_TEMPLATE_NAME = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")

_DATABASE_DIALECTS = ("sqlite", "postgresql")
_REDIS_SCHEMES = ("redis", "rediss", "unix")
_PHONE_NUMBER = re.compile(r"\+?[0-9][0-9 ().-]*")


def _default_database_url(fields: dict[str, Any]) -> str:
    """A SQLite file in the data directory: nothing to set up for development and tests."""
    return f"sqlite:///{fields['data_dir'] / 'amz-guard.sqlite3'}"


MAX_NICENESS = 19
"""The lowest CPU priority Unix gives a process."""


class Settings(BaseSettings):
    """Every configuration name in DESIGN.md; field `foo_bar` is environment variable `FOO_BAR`.

    Values that carry credentials are `SecretStr`, so they never show in a repr or a log line;
    that includes the Slack webhook URL and the IMAP URL, which embed theirs.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    data_dir: Path = Path("data")
    database_url: str = Field(default_factory=_default_database_url)
    redis_url: str = "redis://localhost:6379/0"

    helpscout_app_id: str | None = None
    helpscout_app_secret: SecretStr | None = None
    helpscout_api_url: str = "https://api.helpscout.net/v2"
    helpscout_webhook_secret: SecretStr | None = None
    helpscout_sidebar_secret: SecretStr | None = None

    # NoDecode: these are comma lists ("101,202"), not the JSON pydantic-settings expects.
    amazon_mailbox_ids: Annotated[tuple[int, ...], NoDecode] = ()
    amazon_notifications_url: SecretStr | None = None
    amazon_cs_phone_numbers: Annotated[tuple[str, ...], NoDecode] = DEFAULT_AMAZON_CS_PHONE_NUMBERS

    slack_webhook_url: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_channel: str | None = None
    slack_api_url: str = "https://slack.com/api"  # Slack's Web API, for the bot token

    enforcement_mode: EnforcementMode = EnforcementMode.FLAG
    draft_scan_interval_s: int = 60
    # The workers' CPU priority (Unix niceness, 0-19): on a server they share with the web app,
    # Help Scout's webhooks and the sidebar are answered first and queued jobs take what is left.
    worker_nice: int = 10

    # Reconciliation and the 24-hour clock.
    reconcile_interval_s: int = 300
    missing_grace_minutes: int = 30  # how long a notified message may take to reach Help Scout
    sla_warning_hours: Annotated[tuple[float, ...], NoDecode] = (8.0, 2.0)
    reconcile_lookback_days: int = 7  # how far back the first pass reads and alerts
    digest_hour: int = 8  # the daily digest's hour, in DIGEST_TIMEZONE
    digest_timezone: str = "UTC"
    # "|"-separated phrases; a sent reply containing one is an auto-reply, not an answer.
    auto_reply_markers: Annotated[tuple[str, ...], NoDecode] = ()

    # python-amazon-sp-api's own names, so its documentation applies as written.
    lwa_app_id: str | None = None
    lwa_client_secret: SecretStr | None = None
    sp_api_refresh_token: SecretStr | None = None

    # Sidebar, orders and dashboard.
    # SP-API's base URL; unset, each marketplace's regional endpoint (the library's table).
    sp_api_endpoint: str | None = None
    sp_api_lwa_token_url: str = "https://api.amazon.com/auth/o2/token"
    sp_api_timeout_s: float = 2.0  # per SP-API call made while a sidebar request waits
    sp_api_budget_s: float = 1.0  # all SP-API calls of one sidebar request, in parallel
    order_cache_ttl_s: int = 900  # how long an order read from SP-API is shown from Redis
    sidebar_session_ttl_s: int = 3600  # life of the token a validated sidebar page carries
    # The address Help Scout reaches this app at (https://amz-guard.example.com): the Dynamic
    # App's HTML is shown inside Help Scout's page, so its buttons need absolute URLs; unset,
    # they come from the request (right only when the proxy is trusted, FORWARDED_ALLOW_IPS).
    public_url: str | None = None
    dashboard_token: SecretStr | None = None  # ?token=… or "Authorization: Bearer …"
    dashboard_username: str | None = None  # HTTP basic auth, with DASHBOARD_PASSWORD
    dashboard_password: SecretStr | None = None
    # The team's refund reply; $product, $amount and $order_id are filled in by the sidebar.
    refund_template: str = DEFAULT_REFUND_TEMPLATE

    # Logs and metrics (helpscout_app/observability).
    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.JSON
    metrics_token: SecretStr | None = None  # "Authorization: Bearer …" on /metrics when set

    def secret_values(self) -> tuple[str, ...]:
        """Every credential value set, and the password of each URL (as written and decoded),
        for the log redactor and doctor's output to mask wherever they appear.

        A `maildir:` notifications URL is a SecretStr only because the setting may hold an IMAP
        password: a path is no secret, and stays readable.
        """
        values = [
            secret
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr)
            and not (secret := value.get_secret_value()).startswith("maildir:")
        ]
        for url in (self.database_url, self.redis_url, *values):
            password = urlsplit(url).password if "://" in url else None
            if password:
                values += [password, unquote(password)]
        return tuple(dict.fromkeys(values))

    @field_validator("log_level", mode="before")
    @classmethod
    def _parse_log_level(cls, value: Any) -> Any:
        if isinstance(value, str):
            normalized = value.strip().upper()
            if normalized not in LOG_LEVELS:
                raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
            return normalized
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _parse_log_format(cls, value: Any) -> Any:
        if isinstance(value, str):
            normalized = value.strip().lower()
            if normalized not in tuple(LogFormat):
                raise ValueError(f"must be 'json' or 'console', got {value!r}")
            return normalized
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        _check_http_url(value, show=True)
        parts = urlsplit(value)
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(
                f"must be a plain base URL (no query, fragment or login), got {value!r}"
            )
        return value.rstrip("/")

    @field_validator("sp_api_endpoint", "sp_api_lwa_token_url")
    @classmethod
    def _check_sp_api_urls(cls, value: str | None) -> str | None:
        if value is not None:
            _check_http_url(value, show=True)
            return value.rstrip("/")
        return value

    @field_validator("sp_api_timeout_s", "sp_api_budget_s")
    @classmethod
    def _check_sp_api_timeout(cls, value: float) -> float:
        if not 0 < value <= 30:
            raise ValueError(f"must be a number of seconds between 0 and 30, got {value}")
        return value

    @field_validator("order_cache_ttl_s", "sidebar_session_ttl_s")
    @classmethod
    def _check_positive_seconds(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"must be a positive whole number of seconds, got {value}")
        return value

    @field_validator("refund_template")
    @classmethod
    def _check_refund_template(cls, value: str) -> str:
        unknown = set(_TEMPLATE_NAME.findall(value)) - set(REFUND_TEMPLATE_NAMES)
        if unknown:
            raise ValueError(
                f"names {', '.join(sorted(unknown))}; only "
                + ", ".join(f"${name}" for name in REFUND_TEMPLATE_NAMES)
                + " are filled in"
            )
        return value

    @model_validator(mode="after")
    def _check_dashboard_login(self) -> Settings:
        _require_together(self, "dashboard_username", "dashboard_password")
        return self

    @field_validator(
        "data_dir",
        "database_url",
        "redis_url",
        "helpscout_app_id",
        "helpscout_app_secret",
        "helpscout_api_url",
        "helpscout_webhook_secret",
        "helpscout_sidebar_secret",
        "amazon_notifications_url",
        "slack_webhook_url",
        "slack_bot_token",
        "slack_channel",
        "slack_api_url",
        "lwa_app_id",
        "lwa_client_secret",
        "sp_api_refresh_token",
        "sp_api_endpoint",
        "sp_api_lwa_token_url",
        "public_url",
        "dashboard_token",
        "dashboard_username",
        "dashboard_password",
        "refund_template",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _reject_empty(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("is set but empty; give it a value or unset it")
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        # Fixed at start, so a later change of working directory cannot move the database.
        return value.expanduser().absolute()

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        scheme, separator, _ = value.partition("://")
        if not separator or scheme.split("+")[0] not in _DATABASE_DIALECTS:
            # The URL may hold a password: name its scheme, never echo it.
            shown = f"scheme {scheme!r}" if separator else "no scheme"
            raise ValueError(
                f"must be a sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME URL, got {shown}"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in _REDIS_SCHEMES:
            raise ValueError(f"must be a redis://HOST:PORT/DB URL, got scheme {parts.scheme!r}")
        if parts.scheme != "unix" and not parts.hostname:
            raise ValueError("must name a host, as in redis://localhost:6379/0")
        _check_port(parts)
        return value

    @field_validator("helpscout_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        _check_http_url(value, show=True)
        # Clients join paths onto it; one canonical form avoids "//conversations".
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _check_slack_api_url(cls, value: str) -> str:
        _check_http_url(value, show=True)
        return value.rstrip("/")

    @field_validator("slack_webhook_url")
    @classmethod
    def _check_slack_webhook_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_http_url(value.get_secret_value(), show=False)
        return value

    @field_validator("helpscout_webhook_secret", "helpscout_sidebar_secret")
    @classmethod
    def _check_helpscout_secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        length = len(value.get_secret_value()) if value is not None else 0
        if length > HELPSCOUT_SECRET_MAX_LENGTH:
            raise ValueError(
                f"Help Scout accepts at most {HELPSCOUT_SECRET_MAX_LENGTH} characters, "
                f"this one has {length}"
            )
        return value

    @field_validator("amazon_notifications_url")
    @classmethod
    def _check_notifications_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        parts = urlsplit(value.get_secret_value())
        if parts.scheme == "imaps":
            if not (parts.hostname and parts.username and parts.password):
                raise ValueError(
                    "an IMAP URL needs a user, a password and a host, "
                    "as in imaps://user:password@imap.example.com/FOLDER"
                )
            _check_port(parts)
        elif parts.scheme == "maildir":
            if not parts.path:
                raise ValueError("a Maildir URL needs a path, as in maildir:/var/mail/amazon")
        else:
            raise ValueError(
                "must be imaps://user:password@host/FOLDER or maildir:/path, "
                f"got scheme {parts.scheme!r}"
            )
        return value

    @field_validator("amazon_mailbox_ids", mode="before")
    @classmethod
    def _parse_mailbox_ids(cls, value: Any) -> tuple[int, ...]:
        items = _comma_list(value)
        for item in items:
            if not (isinstance(item, int) or (item.isascii() and item.isdigit())) or int(item) <= 0:
                raise ValueError(
                    f"{item!r} is not a mailbox ID; use comma-separated numbers like 101,202"
                )
        return tuple(int(item) for item in items)

    @field_validator("amazon_cs_phone_numbers", mode="before")
    @classmethod
    def _parse_phone_numbers(cls, value: Any) -> tuple[str, ...]:
        numbers = tuple(str(item) for item in _comma_list(value))
        for number in numbers:
            digit_count = sum(character.isdigit() for character in number)
            if not _PHONE_NUMBER.fullmatch(number) or not 7 <= digit_count <= 15:
                raise ValueError(
                    f"{number!r} is not a phone number; "
                    "use comma-separated numbers like +1-888-280-4331"
                )
        return numbers

    @field_validator("enforcement_mode", mode="before")
    @classmethod
    def _parse_enforcement_mode(cls, value: Any) -> Any:
        if isinstance(value, str):
            normalized = value.strip().lower()
            if normalized not in tuple(EnforcementMode):
                raise ValueError(f"must be 'flag' or 'gate', got {value!r}")
            return normalized
        return value

    @field_validator("draft_scan_interval_s", "reconcile_interval_s", mode="before")
    @classmethod
    def _parse_pass_interval(cls, value: Any) -> int:
        seconds = _whole_number(value, "seconds")
        if seconds < DRAFT_SCAN_MIN_INTERVAL_S:
            raise ValueError(
                f"must be at least {DRAFT_SCAN_MIN_INTERVAL_S} seconds (each pass spends Help "
                f"Scout's rate limit), got {seconds}"
            )
        return seconds

    @field_validator("worker_nice", mode="before")
    @classmethod
    def _parse_worker_nice(cls, value: Any) -> int:
        niceness = _whole_number(value, "niceness steps")
        if niceness > MAX_NICENESS:
            raise ValueError(f"must be 0 to {MAX_NICENESS} (Unix niceness), got {niceness}")
        return niceness

    @field_validator("missing_grace_minutes", "reconcile_lookback_days", mode="before")
    @classmethod
    def _parse_positive_count(cls, value: Any) -> int:
        count = _whole_number(value, "minutes or days")
        if count <= 0:
            raise ValueError(f"must be more than 0, got {count}")
        return count

    @field_validator("digest_hour", mode="before")
    @classmethod
    def _parse_digest_hour(cls, value: Any) -> int:
        hour = _whole_number(value, "hours")
        if not 0 <= hour <= 23:
            raise ValueError(f"must be an hour from 0 to 23, got {hour}")
        return hour

    @field_validator("digest_timezone")
    @classmethod
    def _check_digest_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(
                f"{value!r} is not a time zone; use an IANA name like Europe/Berlin or UTC"
            ) from err
        return value

    @field_validator("sla_warning_hours", mode="before")
    @classmethod
    def _parse_warning_hours(cls, value: Any) -> tuple[float, ...]:
        hours: list[float] = []
        for item in _comma_list(value):
            try:
                number = float(item)
            except (TypeError, ValueError):
                number = float("nan")
            if not 0 < number < 24:
                raise ValueError(
                    f"{item!r} is not a number of hours between 0 and 24; use e.g. 8,2"
                )
            hours.append(number)
        return tuple(sorted(set(hours), reverse=True))

    @field_validator("auto_reply_markers", mode="before")
    @classmethod
    def _parse_auto_reply_markers(cls, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split("|") if item.strip())
        return tuple(str(item) for item in value)

    @model_validator(mode="after")
    def _check_settings_that_go_together(self) -> Settings:
        _require_together(self, "helpscout_app_id", "helpscout_app_secret")
        _require_together(self, "slack_bot_token", "slack_channel")
        _require_together(self, "lwa_app_id", "lwa_client_secret", "sp_api_refresh_token")
        if self.slack_webhook_url is not None and self.slack_bot_token is not None:
            raise ValueError(
                "SLACK_WEBHOOK_URL: set it or SLACK_BOT_TOKEN with SLACK_CHANNEL, not both"
            )
        return self


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment and `.env`; `overrides` win over both.

    Raises `ConfigurationError` with one line per process, naming each variable that is wrong.
    """
    try:
        return Settings(**overrides)
    except ValidationError as err:
        problems = [
            _describe(error)
            for error in err.errors()
            # DATABASE_URL's default is built from DATA_DIR: when DATA_DIR is wrong, say that once.
            if error["type"] != "default_factory_not_called"
        ]
        raise ConfigurationError("; ".join(problems)) from err


def _describe(error: ErrorDetails) -> str:
    """One validation error as 'VARIABLE: what is wrong'."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in context:
        reason = str(context["error"])  # our own message, without pydantic's "Value error, "
    else:
        reason = error["msg"]
    if not error["loc"]:  # a check across settings names its variables itself
        return reason
    return f"{str(error['loc'][0]).upper()}: {reason}"


def _whole_number(value: Any, unit: str) -> int:
    """A whole number from the environment ("300") or code (300); bools are refused."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, bool) or not (
        isinstance(text, int) or (isinstance(text, str) and text.isascii() and text.isdigit())
    ):
        raise ValueError(f"must be a whole number of {unit}, got {value!r}")
    return int(text)


def _comma_list(value: Any) -> list[Any]:
    """Items of "a, b,c" (environment) or of a list or tuple (code); blanks are dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list | tuple):
        return [item.strip() if isinstance(item, str) else item for item in value]
    raise ValueError("must be a comma-separated list")


def _check_http_url(url: str, *, show: bool) -> None:
    """Raise ValueError unless `url` is an absolute http(s) URL; `show` echoes it in the message."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = repr(url) if show else f"scheme {parts.scheme!r}"
        raise ValueError(f"must be an http:// or https:// URL with a host, got {shown}")
    _check_port(parts)


def _check_port(parts: SplitResult) -> None:
    """Raise ValueError for a port urllib cannot read (urlsplit defers that check to `.port`)."""
    try:
        parts.port  # noqa: B018 - the property is the check
    except ValueError as err:
        host = parts.netloc.rpartition("@")[2]  # never echo credentials
        raise ValueError(f"has an invalid port in {host!r}") from err


def _require_together(settings: Settings, *names: str) -> None:
    """Raise ValueError naming the first missing one when only some of `names` are set."""
    present = [name for name in names if getattr(settings, name) is not None]
    if present and len(present) < len(names):
        missing = next(name for name in names if name not in present)
        raise ValueError(f"{missing.upper()}: required when {present[0].upper()} is set")
