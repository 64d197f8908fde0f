"""The checks of `amz-guard doctor`: one function per configured part, each giving `CheckResult`s.

Each check reaches its part the way amz-guard does (the same Help Scout client, notification
source, Slack notifier and migration code), with a short timeout and no retries, and changes
nothing: the only write anywhere is the Slack test message, and only when asked for. A summary
names hosts, paths, users and ids, never a password, token or secret (URLs are shown masked),
and a part that is not right says what to fix.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import redis.exceptions

from helpscout_app.observability.redaction import masked_url
from helpscout_app.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    import requests
    from pydantic import SecretStr

    from helpscout_app.helpscout.errors import HelpScoutAPIError

DEFAULT_TIMEOUT_S = 5.0
"""How long one check may wait for its part: long enough for a slow server, short enough that
doctor answers while the operator watches."""

NOTIFICATIONS_STALE_AFTER = timedelta(days=7)
"""A notification mailbox whose newest message is older than this is probably no longer fed."""


class Status(StrEnum):
    """A check's outcome; only FAIL makes doctor exit non-zero."""

    OK = "ok"
    WARN = "warn"  # works, but something needs a look
    FAIL = "fail"  # a required part is broken, or a configured one does not work
    SKIP = "skip"  # an optional part that is not configured, or not checked


class Part(StrEnum):
    """The parts doctor checks, in the order it prints them."""

    SETTINGS = "settings"
    DATABASE = "database"
    REDIS = "redis"
    HELPSCOUT = "helpscout"
    WEBHOOK = "webhook"
    SLACK = "slack"
    NOTIFICATIONS = "notifications"
    SP_API = "sp-api"


@dataclass(frozen=True)
class CheckResult:
    """One line of doctor's report: which part, how it stands, what was found, what to fix."""

    part: Part
    status: Status
    summary: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready, with the part and status as their plain strings."""
        return {key: str(value) for key, value in asdict(self).items()}


# --- settings ------------------------------------------------------------------------------------


def check_settings(settings: Settings) -> CheckResult:
    """The settings loaded; warn about what production needs and development may leave unset."""
    unset = [
        f"{name} ({why})"
        for name, is_set, why in (
            (
                "HELPSCOUT_APP_ID/HELPSCOUT_APP_SECRET",
                settings.helpscout_app_id is not None,
                "every Help Scout API call",
            ),
            (
                "HELPSCOUT_WEBHOOK_SECRET",
                settings.helpscout_webhook_secret is not None,
                "without it every webhook delivery is answered 503",
            ),
            (
                "AMAZON_MAILBOX_IDS",
                bool(settings.amazon_mailbox_ids),
                "which Help Scout mailboxes are Amazon's",
            ),
        )
        if not is_set
    ]
    source = "the environment and .env" if Path(".env").is_file() else "the environment"
    if unset:
        return CheckResult(
            Part.SETTINGS,
            Status.WARN,
            f"read from {source}; not set: {'; '.join(unset)}",
            "set them in the environment or .env (see the README's Configuration table)",
        )
    return CheckResult(
        Part.SETTINGS,
        Status.OK,
        f"read from {source}; enforcement mode {settings.enforcement_mode}",
    )


def settings_failure(error: ConfigurationError) -> CheckResult:
    """The line for settings that could not be loaded; the error names each variable."""
    return CheckResult(
        Part.SETTINGS, Status.FAIL, str(error), "fix it in the environment or .env, then run again"
    )


# --- database ------------------------------------------------------------------------------------


def check_database(database_url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> CheckResult:
    """The database answers and is migrated to this amz-guard's newest revision.

    A SQLite file that does not exist is reported, not created (connecting would create it).
    """
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    from helpscout_app.store.database import with_connect_timeout
    from helpscout_app.store.errors import DatabaseUnavailable
    from helpscout_app.store.migrate import current_revision, head_revision, known_revisions

    try:
        url = make_url(database_url)
    except ArgumentError:  # its message quotes the URL, password and all
        return CheckResult(
            Part.DATABASE,
            Status.FAIL,
            "DATABASE_URL is not a URL SQLAlchemy can read",
            "fix DATABASE_URL (sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME)",
        )
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
            return CheckResult(
                Part.DATABASE,
                Status.FAIL,
                f"no database file at {path}",
                "run `amz-guard db upgrade` to create it, or fix DATABASE_URL or DATA_DIR",
            )
    url = with_connect_timeout(url, max(2, round(timeout_s)))
    try:
        revision = current_revision(url)
    except DatabaseUnavailable as err:
        return CheckResult(
            Part.DATABASE,
            Status.FAIL,
            str(err),
            "start the database server or fix DATABASE_URL",
        )
    head = head_revision()
    if revision == head:
        return CheckResult(Part.DATABASE, Status.OK, f"{shown} at revision {head} (head)")
    if revision is None:
        return CheckResult(
            Part.DATABASE,
            Status.FAIL,
            f"{shown} has no amz-guard tables",
            "run `amz-guard db upgrade`",
        )
    if revision not in known_revisions():
        return CheckResult(
            Part.DATABASE,
            Status.FAIL,
            f"{shown} is at revision {revision}, which this amz-guard does not know "
            f"(its newest is {head})",
            "run the amz-guard version that migrated it, or a newer one",
        )
    return CheckResult(
        Part.DATABASE,
        Status.FAIL,
        f"{shown} at revision {revision}, the newest is {head}",
        "run `amz-guard db upgrade`",
    )


# --- Redis -------------------------------------------------------------------------------------


def check_redis(redis_url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> CheckResult:
    """Redis answers PING at REDIS_URL (and its version, when INFO is allowed)."""
    from workers.queues import redis_connection

    shown = masked_url(redis_url)
    connection = redis_connection(redis_url, socket_timeout_s=timeout_s)
    try:
        connection.ping()
        try:
            version = connection.info("server").get("redis_version")
        except redis.exceptions.ResponseError:  # managed services may rename or refuse INFO
            version = None
    except redis.exceptions.AuthenticationError as err:  # before ConnectionError: it is one
        return CheckResult(
            Part.REDIS,
            Status.FAIL,
            f"{shown} refused the credentials ({type(err).__name__})",
            "fix the user or password in REDIS_URL",
        )
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
        return CheckResult(
            Part.REDIS,
            Status.FAIL,
            f"no answer at {shown} ({type(err).__name__})",
            "start Redis or fix REDIS_URL",
        )
    except redis.exceptions.ResponseError as err:  # e.g. NOAUTH, or a database out of range
        return CheckResult(
            Part.REDIS,
            Status.FAIL,
            f"{shown} answered with an error: {_first_line(err)}",
            "check the password and database number in REDIS_URL",
        )
    finally:
        connection.close()
    return CheckResult(
        Part.REDIS,
        Status.OK,
        f"{shown} answers" + (f" (Redis {version})" if version else ""),
    )


# --- Help Scout ----------------------------------------------------------------------------------


def check_helpscout(
    settings: Settings,
    *,
    session: requests.Session | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[CheckResult]:
    """Two lines: the API (token, the AMAZON_MAILBOX_IDS visible) and amz-guard's webhook.

    One client for both, so the token is fetched once; no retries, no waiting out a 429.
    """
    from helpscout_app.helpscout.client import HelpScoutClient
    from helpscout_app.helpscout.errors import HelpScoutAPIError

    if settings.helpscout_app_id is None or settings.helpscout_app_secret is None:
        return [
            CheckResult(
                Part.HELPSCOUT,
                Status.SKIP,
                "not configured (HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET)",
            ),
            CheckResult(Part.WEBHOOK, Status.SKIP, "not checked: needs the Help Scout credentials"),
        ]
    client = HelpScoutClient.from_settings(
        settings, session=session, timeout_s=timeout_s, max_retries=0, max_rate_limit_waits=0
    )
    try:
        mailboxes = list(client.list_mailboxes())
    except HelpScoutAPIError as err:
        return [
            _helpscout_failure(Part.HELPSCOUT, err, settings.helpscout_api_url),
            CheckResult(
                Part.WEBHOOK, Status.SKIP, "not checked: the Help Scout API did not answer"
            ),
        ]
    api_result = _mailboxes_result(mailboxes, settings.amazon_mailbox_ids)
    try:
        webhooks = list(client.list_webhooks())
    except HelpScoutAPIError as err:
        return [api_result, _helpscout_failure(Part.WEBHOOK, err, settings.helpscout_api_url)]
    secret_set = settings.helpscout_webhook_secret is not None
    return [api_result, _webhook_result(webhooks, secret_set=secret_set)]


def _helpscout_failure(part: Part, err: HelpScoutAPIError, api_url: str) -> CheckResult:
    """The line for a Help Scout call that failed, with the fix that status points to."""
    from helpscout_app.helpscout.client import TOKEN_PATH
    from helpscout_app.helpscout.errors import RateLimited

    if isinstance(err, RateLimited):
        return CheckResult(
            part,
            Status.WARN,
            "not checked: Help Scout is rate-limiting the account "
            f"(retry in {err.retry_after_s:g} s)",
            "run doctor again in a minute",
        )
    if err.url.startswith(api_url + TOKEN_PATH) and err.status is not None:
        reason = err.error_body.get("error") if isinstance(err.error_body, dict) else None
        return CheckResult(
            part,
            Status.FAIL,
            f"Help Scout refused the app credentials ({err.status}"
            + (f" {reason}" if isinstance(reason, str) else "")
            + f" at {err.url})",
            "check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET against Your Profile > My Apps in "
            "Help Scout (the app's user must be active)",
        )
    if err.status is None:
        return CheckResult(part, Status.FAIL, str(err), "check HELPSCOUT_API_URL and the network")
    return CheckResult(
        part,
        Status.FAIL,
        str(err),
        "check that the app's user may see the Amazon mailboxes and manage webhooks",
    )


def _mailboxes_result(
    mailboxes: list[dict[str, Any]], amazon_mailbox_ids: tuple[int, ...]
) -> CheckResult:
    """OK when every AMAZON_MAILBOX_IDS mailbox is among those the app's user sees."""
    names = {
        mailbox["id"]: mailbox.get("name") or "?"
        for mailbox in mailboxes
        if isinstance(mailbox.get("id"), int)
    }
    visible = ", ".join(f'{mailbox_id} "{name}"' for mailbox_id, name in names.items()) or "none"
    if not amazon_mailbox_ids:
        return CheckResult(
            Part.HELPSCOUT,
            Status.WARN,
            f"token ok; mailboxes visible: {visible}; AMAZON_MAILBOX_IDS is not set",
            "set AMAZON_MAILBOX_IDS to the IDs of the Amazon mailboxes among them",
        )
    missing = [mailbox_id for mailbox_id in amazon_mailbox_ids if mailbox_id not in names]
    if missing:
        return CheckResult(
            Part.HELPSCOUT,
            Status.FAIL,
            f"token ok, but AMAZON_MAILBOX_IDS {', '.join(map(str, missing))} not visible to the "
            f"app's user (visible: {visible})",
            "fix AMAZON_MAILBOX_IDS, or give the app's user access to those mailboxes",
        )
    amazon = ", ".join(f'{mailbox_id} "{names[mailbox_id]}"' for mailbox_id in amazon_mailbox_ids)
    return CheckResult(Part.HELPSCOUT, Status.OK, f"token ok; Amazon mailboxes visible: {amazon}")


def _webhook_result(webhooks: list[dict[str, Any]], *, secret_set: bool) -> CheckResult:
    """OK when a webhook to amz-guard's path is enabled and sends every event amz-guard needs."""
    from helpscout_app.helpscout.webhook_subscription import (
        WEBHOOK_PATH,
        is_amz_guard_url,
        webhook_problems,
    )
    from helpscout_app.web.webhooks import HELPSCOUT_EVENTS

    ours = [webhook for webhook in webhooks if is_amz_guard_url(webhook.get("url"))]
    if not ours:
        return CheckResult(
            Part.WEBHOOK,
            Status.FAIL,
            f"no webhook sends to …{WEBHOOK_PATH} ({len(webhooks)} other webhooks registered)",
            "run `amz-guard helpscout register-webhook --url https://YOUR-HOST/webhooks/helpscout`",
        )
    # With several (staging and production, say), the one that works best is reported.
    webhook, problems = min(
        ((webhook, webhook_problems(webhook, HELPSCOUT_EVENTS)) for webhook in ours),
        key=lambda candidate: len(candidate[1]),
    )
    which = f"webhook {webhook.get('id')} to {webhook.get('url')}"
    if problems:
        return CheckResult(
            Part.WEBHOOK,
            Status.FAIL,
            f"{which}: {'; '.join(problems)}",
            "fix it under Manage > Apps > Webhooks in Help Scout, or delete it there and run "
            f"`amz-guard helpscout register-webhook --url {webhook.get('url')}`",
        )
    if not secret_set:
        return CheckResult(
            Part.WEBHOOK,
            Status.FAIL,
            f"{which} is enabled, but HELPSCOUT_WEBHOOK_SECRET is not set here, so every "
            "delivery is answered 503",
            "set HELPSCOUT_WEBHOOK_SECRET to the secret the webhook was registered with",
        )
    return CheckResult(
        Part.WEBHOOK,
        Status.OK,
        f"{which}: enabled, sends the {len(HELPSCOUT_EVENTS)} events amz-guard needs",
    )


# --- Slack ---------------------------------------------------------------------------------------


def check_slack(
    settings: Settings,
    *,
    send_test: bool = False,
    now: datetime | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> CheckResult:
    """With `send_test`, post one test message; otherwise check a bot token with `auth.test`.

    An incoming webhook cannot be checked without posting to it, so without `send_test` it is
    reported as not checked.
    """
    from helpscout_app.alerts.errors import AlertDeliveryError
    from helpscout_app.alerts.slack import SlackNotifier

    if settings.slack_webhook_url is None and settings.slack_bot_token is None:
        return CheckResult(
            Part.SLACK,
            Status.SKIP,
            "not configured (SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN+SLACK_CHANNEL): alerts are "
            "only logged",
        )
    timeout = max(1, round(timeout_s))  # slack_sdk takes whole seconds
    if settings.slack_webhook_url is not None:
        notifier = SlackNotifier(
            webhook_url=settings.slack_webhook_url.get_secret_value(), timeout_s=timeout
        )
        fix = "check SLACK_WEBHOOK_URL (Slack answers 404 no_service for a removed webhook)"
    else:
        assert settings.slack_bot_token is not None
        notifier = SlackNotifier(
            bot_token=settings.slack_bot_token.get_secret_value(),
            channel=settings.slack_channel,
            api_url=settings.slack_api_url,
            timeout_s=timeout,
        )
        fix = "check SLACK_BOT_TOKEN and SLACK_CHANNEL (the bot must be in the channel)"
    if send_test:
        moment = now or datetime.now(UTC)
        text = (
            f"amz-guard doctor: test message from {socket.gethostname()} at "
            f"{moment:%Y-%m-%d %H:%M} UTC. amz-guard's alerts reach this channel; nothing to do."
        )
        try:
            posted = notifier.send_test_message(text)
        except AlertDeliveryError as err:
            return CheckResult(Part.SLACK, Status.FAIL, str(err), fix)
        where = f"channel {posted.channel}" if posted else "the incoming webhook"
        return CheckResult(Part.SLACK, Status.OK, f"test message posted through {where}")
    if notifier.mode == "webhook":
        return CheckResult(
            Part.SLACK,
            Status.SKIP,
            "incoming webhook set, not checked: only a post can check it",
            "run `amz-guard doctor --send-test` to post one test message",
        )
    try:
        owner = notifier.check_token()
    except AlertDeliveryError as err:
        return CheckResult(Part.SLACK, Status.FAIL, str(err), fix)
    return CheckResult(
        Part.SLACK,
        Status.OK,
        f"bot token valid ({owner}); nothing posted to {settings.slack_channel} "
        "(--send-test posts one message)",
    )


# --- notification source -------------------------------------------------------------------------


def check_notifications(
    notifications_url: SecretStr | None,
    *,
    now: datetime | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    ssl_context: ssl.SSLContext | None = None,
) -> CheckResult:
    """The notification mailbox opens (login and folder, or the Maildir's path), how many
    messages it holds, and when the newest arrived; reads no message and changes nothing."""
    from helpscout_app.amazon.errors import NotificationSourceError
    from helpscout_app.amazon.notification_sources import open_source

    if notifications_url is None:
        return CheckResult(
            Part.NOTIFICATIONS,
            Status.SKIP,
            "not configured (AMAZON_NOTIFICATIONS_URL): reconciliation cannot find messages "
            "that never reached Help Scout",
        )
    url = notifications_url.get_secret_value()
    shown = masked_url(url)
    is_maildir = urlsplit(url).scheme == "maildir"
    try:
        status = open_source(url, ssl_context=ssl_context, timeout_s=timeout_s).status()
    except (NotificationSourceError, ValueError) as err:  # neither message holds the password
        return CheckResult(
            Part.NOTIFICATIONS,
            Status.FAIL,
            str(err),
            "check the path in AMAZON_NOTIFICATIONS_URL and that this user may read it"
            if is_maildir
            else "check the host, user, password and folder in AMAZON_NOTIFICATIONS_URL",
        )
    feed_fix = (
        "check that Seller Central sends buyer-message notifications to this address "
        "(Settings > Notification Preferences > Messaging)"
    )
    if status.message_count == 0 or status.newest_at is None:
        return CheckResult(
            Part.NOTIFICATIONS, Status.WARN, f"{shown}: opened, holds no messages", feed_fix
        )
    newest = f"the newest arrived {status.newest_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    count = f"{status.message_count} message{'s' if status.message_count != 1 else ''}"
    found = f"{shown}: {count}, {newest}"
    age = (now or datetime.now(UTC)) - status.newest_at
    if age > NOTIFICATIONS_STALE_AFTER:
        return CheckResult(
            Part.NOTIFICATIONS, Status.WARN, f"{found}, {age.days} days ago", feed_fix
        )
    return CheckResult(Part.NOTIFICATIONS, Status.OK, found)


# --- SP-API --------------------------------------------------------------------------------------

LWA_ERROR_FIXES: Mapping[str, str] = {
    "invalid_grant": (
        "SP_API_REFRESH_TOKEN is revoked, expired or issued to another app: authorize the app "
        "again in Seller Central (Apps and Services > Manage Your Apps) and set the new token"
    ),
    "invalid_client": (
        "LWA_APP_ID or LWA_CLIENT_SECRET is wrong, or the secret was rotated: copy both from "
        "the app's LWA credentials in the Solution Provider Portal"
    ),
    "unauthorized_client": "the app may not use refresh tokens: check its LWA settings",
    "invalid_request": "check that SP_API_LWA_TOKEN_URL is Login with Amazon's token endpoint",
    "server_error": "Amazon's side: run doctor again in a few minutes",
    "temporarily_unavailable": "Amazon's side: run doctor again in a few minutes",
}
"""Login with Amazon's OAuth error codes (RFC 6749 §5.2) and what each means for the operator."""


def check_sp_api(settings: Settings, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> CheckResult:
    """Exchange SP_API_REFRESH_TOKEN for an LWA access token at SP_API_LWA_TOKEN_URL.

    Asked directly over httpx (what python-amazon-sp-api uses) rather than through the library,
    whose token cache is process-wide: through it a check could answer from the cache without
    asking Amazon. No SP-API operation is called.
    """
    if (
        settings.lwa_app_id is None
        or settings.lwa_client_secret is None
        or settings.sp_api_refresh_token is None
    ):
        return CheckResult(
            Part.SP_API,
            Status.SKIP,
            "not configured (LWA_APP_ID, LWA_CLIENT_SECRET, SP_API_REFRESH_TOKEN): the "
            "sidebar shows no Amazon orders",
        )
    token_url = settings.sp_api_lwa_token_url
    try:
        response = httpx.post(
            token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": settings.sp_api_refresh_token.get_secret_value(),
                "client_id": settings.lwa_app_id,
                "client_secret": settings.lwa_client_secret.get_secret_value(),
            },
            timeout=timeout_s,
        )
    except httpx.HTTPError as err:
        return CheckResult(
            Part.SP_API,
            Status.FAIL,
            f"no answer from {token_url} ({type(err).__name__})",
            "check SP_API_LWA_TOKEN_URL and the network",
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    if response.status_code == 200 and body.get("access_token"):
        return CheckResult(
            Part.SP_API,
            Status.OK,
            f"refresh token exchanged for an access token at {token_url} (no SP-API call made)",
        )
    error = body.get("error") if isinstance(body.get("error"), str) else None
    description = body.get("error_description")
    detail = ": ".join(
        str(part)[:200] for part in (error, description) if isinstance(part, str) and part
    )
    return CheckResult(
        Part.SP_API,
        Status.FAIL,
        f"Login with Amazon answered {response.status_code} at {token_url}"
        + (f" ({detail})" if detail else " without a token"),
        LWA_ERROR_FIXES.get(
            error or "", "check LWA_APP_ID, LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN"
        ),
    )


# --- display -------------------------------------------------------------------------------------


def _first_line(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__
