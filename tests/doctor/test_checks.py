"""Each doctor check against the real thing where there is one (SQLite, PostgreSQL, Redis, a
Maildir, a private dovecot) and at the HTTP boundary otherwise: what it says when the part
works, and one test per way it breaks, each naming what to fix and never a secret."""

from __future__ import annotations

import mailbox
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import responses
import respx
from doctor.conftest import (
    API_URL,
    APP_SECRET,
    LWA_TOKEN_URL,
    NOTIFICATION,
    REFRESH_TOKEN,
    SLACK_BOT_TOKEN,
    HelpScoutAnswers,
)
from imap_server import PASSWORD, PASSWORD_IN_URL, USER, Dovecot, running_dovecot
from pydantic import SecretStr
from sqlalchemy import create_engine, make_url, text

from helpscout_app.doctor.checks import (
    CheckResult,
    Part,
    Status,
    check_database,
    check_helpscout,
    check_notifications,
    check_redis,
    check_settings,
    check_slack,
    check_sp_api,
)
from helpscout_app.settings import Settings
from helpscout_app.store.migrate import head_revision, upgrade

if TYPE_CHECKING:
    from conftest import FakeSlack


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- settings ------------------------------------------------------------------------------------


def test_settings_ok_when_production_needs_are_set(settings: Settings) -> None:
    assert check_settings(settings) == CheckResult(
        Part.SETTINGS, Status.OK, "read from the environment; enforcement mode flag"
    )


def test_settings_warn_names_what_production_needs(settings: Settings) -> None:
    bare = settings.model_copy(update={"helpscout_webhook_secret": None, "amazon_mailbox_ids": ()})
    result = check_settings(bare)
    assert result.status is Status.WARN
    assert "HELPSCOUT_WEBHOOK_SECRET" in result.summary
    assert "AMAZON_MAILBOX_IDS" in result.summary
    assert "HELPSCOUT_APP_ID" not in result.summary


# --- database ------------------------------------------------------------------------------------


def test_database_at_head(database_url: str) -> None:
    upgrade(database_url)
    result = check_database(database_url)
    assert result.status is Status.OK
    assert result.summary.endswith(f" at revision {head_revision()} (head)")


def test_database_behind_head_says_upgrade(database_url: str) -> None:
    upgrade(database_url, "0001")
    result = check_database(database_url)
    assert (result.status, result.fix) == (Status.FAIL, "run `amz-guard db upgrade`")
    assert result.summary.endswith(f" at revision 0001, the newest is {head_revision()}")


def test_database_with_a_revision_this_version_does_not_know(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(make_url(database_url).set(drivername=_driver(database_url)))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    result = check_database(database_url)
    assert result.status is Status.FAIL
    assert "revision 0099, which this amz-guard does not know" in result.summary


def test_database_never_migrated_postgresql(postgres_database: Any) -> None:
    result = check_database(postgres_database.new_schema_url())
    assert result.status is Status.FAIL
    assert result.summary.endswith(" has no amz-guard tables")
    assert result.fix == "run `amz-guard db upgrade`"


def test_database_missing_sqlite_file_is_reported_not_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "amz-guard.sqlite3"
    result = check_database(f"sqlite:///{path}")
    assert result == CheckResult(
        Part.DATABASE,
        Status.FAIL,
        f"no database file at {path}",
        "run `amz-guard db upgrade` to create it, or fix DATABASE_URL or DATA_DIR",
    )
    assert not path.parent.exists()


def test_database_unreachable_postgresql_fails_fast_without_the_password() -> None:
    started = time.monotonic()
    result = check_database(f"postgresql://amz:s3cret@127.0.0.1:{closed_port()}/amz_guard")
    assert time.monotonic() - started < 10
    assert result.status is Status.FAIL
    assert result.summary.startswith("cannot connect to postgresql+psycopg://amz:***@127.0.0.1:")
    assert result.fix == "start the database server or fix DATABASE_URL"
    assert "s3cret" not in result.summary + result.fix


def _driver(database_url: str) -> str:
    name = make_url(database_url).drivername
    return "postgresql+psycopg" if name.startswith("postgresql") else name


# --- Redis ---------------------------------------------------------------------------------------


def test_redis_answers(redis_test_url: str) -> None:
    result = check_redis(redis_test_url)
    assert result.status is Status.OK
    assert result.summary.startswith(f"{redis_test_url} answers (Redis ")


def test_redis_closed_port_says_start_it() -> None:
    port = closed_port()
    assert check_redis(f"redis://127.0.0.1:{port}/0", timeout_s=2) == CheckResult(
        Part.REDIS,
        Status.FAIL,
        f"no answer at redis://127.0.0.1:{port}/0 (ConnectionError)",
        "start Redis or fix REDIS_URL",
    )


def test_redis_password_is_masked_when_unreachable() -> None:
    port = closed_port()
    result = check_redis(f"redis://:hunter22@127.0.0.1:{port}/0", timeout_s=2)
    assert result.summary == f"no answer at redis://:***@127.0.0.1:{port}/0 (ConnectionError)"


def test_redis_refusing_the_password_names_the_fix(redis_test_url: str) -> None:
    # The test Redis has no password: AUTH with one is refused.
    url = redis_test_url.replace("redis://", "redis://:hunter22@")
    result = check_redis(url, timeout_s=2)
    assert result.status is Status.FAIL
    assert "REDIS_URL" in result.fix
    assert "hunter22" not in result.summary + result.fix


# --- Help Scout ----------------------------------------------------------------------------------


def test_helpscout_token_mailboxes_and_webhook(
    settings: Settings, helpscout_answers: HelpScoutAnswers
) -> None:
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks()
    assert check_helpscout(settings) == [
        CheckResult(
            Part.HELPSCOUT,
            Status.OK,
            'token ok; Amazon mailboxes visible: 101 "Amazon US", 202 "Amazon DE"',
        ),
        CheckResult(
            Part.WEBHOOK,
            Status.OK,
            "webhook 21411 to https://amz-guard.seller.example/webhooks/helpscout: enabled, "
            "sends the 8 events amz-guard needs",
        ),
    ]


def test_helpscout_refused_credentials(
    settings: Settings, helpscout_api: responses.RequestsMock
) -> None:
    helpscout_api.replace(responses.POST, f"{API_URL}/oauth2/token", status=401)
    api, webhook = check_helpscout(settings)
    assert api == CheckResult(
        Part.HELPSCOUT,
        Status.FAIL,
        f"Help Scout refused the app credentials (401 at {API_URL}/oauth2/token)",
        "check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET against Your Profile > My Apps in "
        "Help Scout (the app's user must be active)",
    )
    assert webhook.status is Status.SKIP
    assert APP_SECRET not in str(api) + str(webhook)


def test_helpscout_unreachable(settings: Settings) -> None:
    port = closed_port()
    unreachable = settings.model_copy(update={"helpscout_api_url": f"http://127.0.0.1:{port}/v2"})
    api, webhook = check_helpscout(unreachable, timeout_s=2)
    assert api.status is Status.FAIL
    assert api.summary.startswith(f"could not reach Help Scout for POST http://127.0.0.1:{port}")
    assert api.fix == "check HELPSCOUT_API_URL and the network"
    assert webhook.status is Status.SKIP


def test_helpscout_mailbox_not_visible(
    settings: Settings, helpscout_answers: HelpScoutAnswers
) -> None:
    helpscout_answers.mailboxes(lambda mailboxes: mailboxes.pop(1))  # 202 gone
    helpscout_answers.webhooks()
    api, _ = check_helpscout(settings)
    assert api == CheckResult(
        Part.HELPSCOUT,
        Status.FAIL,
        "token ok, but AMAZON_MAILBOX_IDS 202 not visible to the app's user "
        '(visible: 101 "Amazon US", 303 "Support")',
        "fix AMAZON_MAILBOX_IDS, or give the app's user access to those mailboxes",
    )


def test_helpscout_without_mailbox_ids_lists_the_visible_ones(
    settings: Settings, helpscout_answers: HelpScoutAnswers
) -> None:
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks()
    api, _ = check_helpscout(settings.model_copy(update={"amazon_mailbox_ids": ()}))
    assert api.status is Status.WARN
    assert '303 "Support"' in api.summary
    assert api.fix == "set AMAZON_MAILBOX_IDS to the IDs of the Amazon mailboxes among them"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda webhooks: None,  # the fixture's webhook predates the reconciliation events
            "it does not send convo.status, convo.tags, convo.merged, convo.moved, convo.deleted",
        ),
        (
            lambda webhooks: webhooks[0].update(state="disabled", events=_all_events(webhooks[0])),
            "it is disabled",
        ),
    ],
    ids=["missing events", "disabled"],
)
def test_helpscout_webhook_that_does_not_work(
    settings: Settings, helpscout_answers: HelpScoutAnswers, change: Any, problem: str
) -> None:
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks(change)
    _, webhook = check_helpscout(settings)
    assert webhook.status is Status.FAIL
    assert webhook.summary == (
        f"webhook 21411 to https://amz-guard.seller.example/webhooks/helpscout: {problem}"
    )
    assert webhook.fix.startswith("fix it under Manage > Apps > Webhooks in Help Scout")


def _all_events(webhook: dict[str, Any]) -> list[str]:
    from helpscout_app.web.webhooks import HELPSCOUT_EVENTS

    return list(HELPSCOUT_EVENTS)


def test_helpscout_no_webhook_says_register_it(
    settings: Settings, helpscout_answers: HelpScoutAnswers
) -> None:
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks(lambda webhooks: webhooks.pop(0))
    _, webhook = check_helpscout(settings)
    assert webhook == CheckResult(
        Part.WEBHOOK,
        Status.FAIL,
        "no webhook sends to …/webhooks/helpscout (1 other webhooks registered)",
        "run `amz-guard helpscout register-webhook --url https://YOUR-HOST/webhooks/helpscout`",
    )


def test_helpscout_webhook_without_our_secret_is_broken(
    settings: Settings, helpscout_answers: HelpScoutAnswers
) -> None:
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks()
    unset = settings.model_copy(update={"helpscout_webhook_secret": None})
    _, webhook = check_helpscout(unset)
    assert webhook.status is Status.FAIL
    assert "HELPSCOUT_WEBHOOK_SECRET is not set here" in webhook.summary


def test_helpscout_not_configured_is_skipped(settings: Settings) -> None:
    unset = settings.model_copy(update={"helpscout_app_id": None, "helpscout_app_secret": None})
    assert [result.status for result in check_helpscout(unset)] == [Status.SKIP, Status.SKIP]


# --- Slack ---------------------------------------------------------------------------------------


@pytest.fixture
def slack_bot(settings: Settings, fake_slack: FakeSlack) -> Settings:
    return settings.model_copy(
        update={
            "slack_webhook_url": None,
            "slack_bot_token": SecretStr(SLACK_BOT_TOKEN),
            "slack_channel": "C0AMAZON",
            "slack_api_url": fake_slack.api_url,
        }
    )


@pytest.fixture
def slack_webhook(settings: Settings, fake_slack: FakeSlack) -> Settings:
    return settings.model_copy(update={"slack_webhook_url": SecretStr(fake_slack.webhook_url)})


def test_slack_webhook_is_not_posted_to_without_send_test(
    slack_webhook: Settings, fake_slack: FakeSlack
) -> None:
    result = check_slack(slack_webhook)
    assert result == CheckResult(
        Part.SLACK,
        Status.SKIP,
        "incoming webhook set, not checked: only a post can check it",
        "run `amz-guard doctor --send-test` to post one test message",
    )
    assert fake_slack.requests == []


def test_slack_webhook_send_test_posts_one_message(
    slack_webhook: Settings, fake_slack: FakeSlack
) -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    result = check_slack(slack_webhook, send_test=True, now=now)
    assert result == CheckResult(
        Part.SLACK, Status.OK, "test message posted through the incoming webhook"
    )
    [posted] = fake_slack.posted()
    assert posted["text"].startswith("amz-guard doctor: test message from ")
    assert "2026-12-01 09:30 UTC" in posted["text"]


def test_slack_webhook_refusing_the_test_message(
    slack_webhook: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.answer_next(404, "no_service")
    result = check_slack(slack_webhook, send_test=True)
    assert result.status is Status.FAIL
    assert result.summary == (
        "Slack's incoming webhook answered 404 'no_service' to the test message"
    )
    assert result.fix.startswith("check SLACK_WEBHOOK_URL")
    assert fake_slack.WEBHOOK_PATH not in result.summary + result.fix


def test_slack_bot_token_checked_with_auth_test(slack_bot: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.answer_next(200, {"ok": True, "user": "amz-guard", "team": "Acme Outdoor"})
    result = check_slack(slack_bot)
    assert result == CheckResult(
        Part.SLACK,
        Status.OK,
        "bot token valid (amz-guard in Acme Outdoor); nothing posted to C0AMAZON "
        "(--send-test posts one message)",
    )
    assert [request.path for request in fake_slack.requests] == ["/api/auth.test"]


def test_slack_bot_token_refused(slack_bot: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.answer_next(200, {"ok": False, "error": "invalid_auth"})
    result = check_slack(slack_bot)
    assert result == CheckResult(
        Part.SLACK,
        Status.FAIL,
        "Slack refused the bot token: invalid_auth",
        "check SLACK_BOT_TOKEN and SLACK_CHANNEL (the bot must be in the channel)",
    )
    assert SLACK_BOT_TOKEN not in str(result)


def test_slack_bot_send_test_posts_to_the_channel(
    slack_bot: Settings, fake_slack: FakeSlack
) -> None:
    result = check_slack(slack_bot, send_test=True)
    assert result.summary == "test message posted through channel C000"
    assert [request.path for request in fake_slack.requests] == ["/api/chat.postMessage"]
    assert fake_slack.posted()[0]["channel"] == "C0AMAZON"


def test_slack_not_configured_is_skipped(settings: Settings) -> None:
    unset = settings.model_copy(update={"slack_webhook_url": None})
    assert check_slack(unset, send_test=True).status is Status.SKIP


# --- notification source -------------------------------------------------------------------------


def test_maildir_with_a_message(maildir: Path) -> None:
    result = check_notifications(SecretStr(f"maildir:{maildir}"))
    assert result.status is Status.OK
    assert result.summary.startswith(f"maildir:{maildir}: 1 message, the newest arrived ")


def test_maildir_stale(maildir: Path) -> None:
    later = datetime.now(UTC) + timedelta(days=10)
    result = check_notifications(SecretStr(f"maildir:{maildir}"), now=later)
    assert result.status is Status.WARN
    assert result.summary.endswith(", 10 days ago")
    assert "Seller Central" in result.fix


def test_maildir_empty(tmp_path: Path) -> None:
    mailbox.Maildir(tmp_path / "empty", create=True)
    result = check_notifications(SecretStr(f"maildir:{tmp_path / 'empty'}"))
    assert result.status is Status.WARN
    assert result.summary == f"maildir:{tmp_path / 'empty'}: opened, holds no messages"


def test_maildir_missing(tmp_path: Path) -> None:
    result = check_notifications(SecretStr(f"maildir:{tmp_path / 'nowhere'}"))
    assert result.status is Status.FAIL
    assert result.summary.startswith(f"cannot read the Maildir {tmp_path / 'nowhere'}")
    assert "AMAZON_NOTIFICATIONS_URL" in result.fix


def test_notifications_not_configured_is_skipped() -> None:
    assert check_notifications(None).status is Status.SKIP


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def test_imaps_login_folder_count_and_newest(dovecot: Dovecot) -> None:
    dovecot.deliver(NOTIFICATION.read_bytes())
    dovecot.deliver(NOTIFICATION.read_bytes())
    result = check_notifications(SecretStr(dovecot.url("imaps")), ssl_context=dovecot.ssl_context())
    assert result.status is Status.OK, result
    assert result.summary.startswith(
        f"imaps://{USER}:***@127.0.0.1:{dovecot.imaps_port}/INBOX: 2 messages, the newest "
        f"arrived {datetime.now(UTC):%Y-%m-%d} "
    )


def test_imap_wrong_password(dovecot: Dovecot) -> None:
    url = f"imap://{USER}:wrong-secret@127.0.0.1:{dovecot.imap_port}/INBOX"
    result = check_notifications(SecretStr(url))
    assert result.status is Status.FAIL
    assert f"'{USER}'" in result.summary
    assert result.fix == ("check the host, user, password and folder in AMAZON_NOTIFICATIONS_URL")
    assert "wrong-secret" not in str(result)


def test_imap_missing_folder(dovecot: Dovecot) -> None:
    result = check_notifications(SecretStr(dovecot.url("imap", folder="NoSuchFolder")))
    assert result.status is Status.FAIL
    assert "'NoSuchFolder'" in result.summary
    assert PASSWORD not in str(result) and PASSWORD_IN_URL not in str(result)


def test_imap_nothing_listening(dovecot: Dovecot) -> None:
    url = f"imap://{USER}:{PASSWORD_IN_URL}@127.0.0.1:{closed_port()}/INBOX"
    result = check_notifications(SecretStr(url), timeout_s=2)
    assert result.status is Status.FAIL
    assert result.summary.startswith("cannot connect the IMAP folder 'INBOX' on 127.0.0.1:")


# --- SP-API --------------------------------------------------------------------------------------


def sp_api_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "lwa_app_id": "amzn1.application-oa2-client.doctor",
            "lwa_client_secret": SecretStr("lwa-secret"),
            "sp_api_refresh_token": SecretStr(REFRESH_TOKEN),
            "sp_api_lwa_token_url": LWA_TOKEN_URL,
        }
    )


def test_sp_api_token_fetched(settings: Settings, lwa: respx.MockRouter) -> None:
    result = check_sp_api(sp_api_settings(settings))
    assert result == CheckResult(
        Part.SP_API,
        Status.OK,
        f"refresh token exchanged for an access token at {LWA_TOKEN_URL} (no SP-API call made)",
    )
    [call] = lwa.calls
    form = dict(httpx.QueryParams(call.request.content.decode()))
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": "amzn1.application-oa2-client.doctor",
        "client_secret": "lwa-secret",
    }


@pytest.mark.parametrize(
    ("fixture", "cause", "fix_start"),
    [
        ("invalid_grant", "invalid_grant: The request has an invalid grant", "SP_API_REFRESH"),
        ("invalid_client", "invalid_client: Client authentication failed", "LWA_APP_ID or"),
    ],
)
def test_sp_api_refused(
    settings: Settings,
    lwa: respx.MockRouter,
    load_fixture: Any,
    fixture: str,
    cause: str,
    fix_start: str,
) -> None:
    lwa.post(LWA_TOKEN_URL).respond(
        400,
        content=load_fixture(f"amazon/sp_api/lwa_error.{fixture}.json"),
        headers={"Content-Type": "application/json"},
    )
    result = check_sp_api(sp_api_settings(settings))
    assert result.status is Status.FAIL
    assert result.summary.startswith(f"Login with Amazon answered 400 at {LWA_TOKEN_URL} ({cause}")
    assert result.fix.startswith(fix_start)
    assert REFRESH_TOKEN not in str(result) and "lwa-secret" not in str(result)


def test_sp_api_unreachable(settings: Settings, lwa: respx.MockRouter) -> None:
    lwa.post(LWA_TOKEN_URL).mock(side_effect=httpx.ConnectTimeout("timed out"))
    assert check_sp_api(sp_api_settings(settings)) == CheckResult(
        Part.SP_API,
        Status.FAIL,
        f"no answer from {LWA_TOKEN_URL} (ConnectTimeout)",
        "check SP_API_LWA_TOKEN_URL and the network",
    )


def test_sp_api_outage_page(settings: Settings, lwa: respx.MockRouter) -> None:
    lwa.post(LWA_TOKEN_URL).respond(503, text="<html>Service Unavailable</html>")
    result = check_sp_api(sp_api_settings(settings))
    assert result.summary == f"Login with Amazon answered 503 at {LWA_TOKEN_URL} without a token"


def test_sp_api_not_configured_is_skipped(settings: Settings) -> None:
    assert check_sp_api(settings).status is Status.SKIP
