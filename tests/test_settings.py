"""Settings: defaults, reading the environment and `.env`, one-line errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from helpscout_app.settings import (
    ConfigurationError,
    EnforcementMode,
    Settings,
    load_settings,
)


def test_defaults(clean_environment: Path) -> None:
    settings = load_settings()

    assert settings.data_dir == clean_environment / "data"
    assert settings.database_url == f"sqlite:///{clean_environment}/data/amz-guard.sqlite3"
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.helpscout_api_url == "https://api.helpscout.net/v2"
    assert settings.enforcement_mode is EnforcementMode.FLAG
    assert settings.amazon_cs_phone_numbers == ("+1-888-280-4331",)
    assert settings.amazon_mailbox_ids == ()
    assert settings.draft_scan_interval_s == 60
    assert settings.worker_nice == 10
    for optional in (
        "helpscout_app_id",
        "helpscout_app_secret",
        "helpscout_webhook_secret",
        "helpscout_sidebar_secret",
        "amazon_notifications_url",
        "slack_webhook_url",
        "slack_bot_token",
        "slack_channel",
        "lwa_app_id",
        "lwa_client_secret",
        "sp_api_refresh_token",
    ):
        assert getattr(settings, optional) is None, optional


def test_reads_the_environment_when_built_not_when_imported(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", "/srv/amz-guard")
    monkeypatch.setenv("AMAZON_MAILBOX_IDS", " 101, 202 ,")
    monkeypatch.setenv("AMAZON_CS_PHONE_NUMBERS", "+1-888-280-4331, 1-877-586-3230")
    monkeypatch.setenv("ENFORCEMENT_MODE", "Gate")
    monkeypatch.setenv("DRAFT_SCAN_INTERVAL_S", " 300 ")
    monkeypatch.setenv("HELPSCOUT_API_URL", "http://127.0.0.1:8025/v2/")
    monkeypatch.setenv("HELPSCOUT_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("AMAZON_NOTIFICATIONS_URL", "imaps://seller:pw@imap.example.com/Amazon")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_CHANNEL", "#amazon")
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.1")
    monkeypatch.setenv("LWA_CLIENT_SECRET", "lwa-secret")
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", "Atzr|1")

    settings = load_settings()

    assert settings.database_url == "sqlite:////srv/amz-guard/amz-guard.sqlite3"
    assert settings.amazon_mailbox_ids == (101, 202)
    assert settings.amazon_cs_phone_numbers == ("+1-888-280-4331", "1-877-586-3230")
    assert settings.enforcement_mode is EnforcementMode.GATE
    assert settings.draft_scan_interval_s == 300
    assert settings.helpscout_api_url == "http://127.0.0.1:8025/v2"
    assert settings.helpscout_webhook_secret == SecretStr("s3cret")
    assert settings.slack_channel == "#amazon"
    assert settings.sp_api_refresh_token == SecretStr("Atzr|1")


def test_secrets_stay_out_of_repr(clean_environment: Path) -> None:
    settings = Settings(
        _env_file=None,
        helpscout_webhook_secret="webhook-s3cret",
        amazon_notifications_url="imaps://seller:imap-s3cret@imap.example.com/Amazon",
        slack_webhook_url="https://hooks.slack.com/services/T0/B0/slack-s3cret",
    )

    assert "s3cret" not in repr(settings)


def test_dot_env_is_read_and_the_environment_wins(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text(
        "ENFORCEMENT_MODE=gate\nREDIS_URL=redis://cache:6379/1\nAMAZON_MAILBOX_IDS=7,8\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6380/2")

    settings = load_settings()

    assert settings.enforcement_mode is EnforcementMode.GATE
    assert settings.amazon_mailbox_ids == (7, 8)
    assert settings.redis_url == "redis://127.0.0.1:6380/2"


def test_a_malformed_setting_in_dot_env_is_named(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text("ENFORCEMENT_MODE=block\n", encoding="utf-8")

    with pytest.raises(ConfigurationError, match=r"^ENFORCEMENT_MODE: "):
        load_settings()


def test_an_empty_list_setting_means_none(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMAZON_CS_PHONE_NUMBERS", "")
    monkeypatch.setenv("AMAZON_MAILBOX_IDS", "")

    settings = load_settings()

    assert settings.amazon_cs_phone_numbers == ()
    assert settings.amazon_mailbox_ids == ()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ENFORCEMENT_MODE", "block", "must be 'flag' or 'gate', got 'block'"),
        ("DATA_DIR", "", "is set but empty; give it a value or unset it"),
        (
            "DATABASE_URL",
            "mysql://amz:pw@db/amz",
            "must be a sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME URL, "
            "got scheme 'mysql'",
        ),
        (
            "DATABASE_URL",
            "amz-guard.sqlite3",
            "must be a sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME URL, got no scheme",
        ),
        (
            "REDIS_URL",
            "localhost:6379",
            "must be a redis://HOST:PORT/DB URL, got scheme 'localhost'",
        ),
        ("REDIS_URL", "redis://", "must name a host, as in redis://localhost:6379/0"),
        ("REDIS_URL", "redis://localhost:99999/0", "has an invalid port in 'localhost:99999'"),
        ("HELPSCOUT_APP_ID", "  ", "is set but empty; give it a value or unset it"),
        (
            "HELPSCOUT_API_URL",
            "api.helpscout.net/v2",
            "must be an http:// or https:// URL with a host, got 'api.helpscout.net/v2'",
        ),
        ("HELPSCOUT_WEBHOOK_SECRET", "", "is set but empty; give it a value or unset it"),
        (
            "HELPSCOUT_WEBHOOK_SECRET",
            "x" * 41,
            "Help Scout accepts at most 40 characters, this one has 41",
        ),
        (
            "HELPSCOUT_SIDEBAR_SECRET",
            "x" * 50,
            "Help Scout accepts at most 40 characters, this one has 50",
        ),
        (
            "AMAZON_MAILBOX_IDS",
            "101,sales",
            "'sales' is not a mailbox ID; use comma-separated numbers like 101,202",
        ),
        (
            "AMAZON_MAILBOX_IDS",
            "101,\u00b2",
            "'\u00b2' is not a mailbox ID; use comma-separated numbers like 101,202",
        ),
        (
            "AMAZON_MAILBOX_IDS",
            "101;202",
            "'101;202' is not a mailbox ID; use comma-separated numbers like 101,202",
        ),
        (
            "AMAZON_NOTIFICATIONS_URL",
            "pop3://seller:pw@mail.example.com",
            "must be imaps://user:password@host/FOLDER or maildir:/path, got scheme 'pop3'",
        ),
        (
            "AMAZON_NOTIFICATIONS_URL",
            "imaps://mail.example.com/INBOX",
            "an IMAP URL needs a user, a password and a host, "
            "as in imaps://user:password@imap.example.com/FOLDER",
        ),
        (
            "AMAZON_NOTIFICATIONS_URL",
            "maildir:",
            "a Maildir URL needs a path, as in maildir:/var/mail/amazon",
        ),
        (
            "AMAZON_CS_PHONE_NUMBERS",
            "+1-888-280-4331,call us",
            "'call us' is not a phone number; use comma-separated numbers like +1-888-280-4331",
        ),
        (
            "AMAZON_CS_PHONE_NUMBERS",
            "911",
            "'911' is not a phone number; use comma-separated numbers like +1-888-280-4331",
        ),
        (
            "SLACK_WEBHOOK_URL",
            "hooks.slack.com/services/T0/B0/x",
            "must be an http:// or https:// URL with a host, got scheme ''",
        ),
        ("SLACK_CHANNEL", "", "is set but empty; give it a value or unset it"),
        ("LWA_CLIENT_SECRET", "", "is set but empty; give it a value or unset it"),
        ("DRAFT_SCAN_INTERVAL_S", "1m", "must be a whole number of seconds, got '1m'"),
        (
            "DRAFT_SCAN_INTERVAL_S",
            "5",
            "must be at least 10 seconds (each pass spends Help Scout's rate limit), got 5",
        ),
        ("WORKER_NICE", "20", "must be 0 to 19 (Unix niceness), got 20"),
        ("WORKER_NICE", "-5", "must be a whole number of niceness steps, got '-5'"),
    ],
)
def test_a_malformed_setting_fails_with_one_line_naming_it(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    assert str(raised.value) == f"{name}: {message}"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"HELPSCOUT_APP_ID": "app"},
            "HELPSCOUT_APP_SECRET: required when HELPSCOUT_APP_ID is set",
        ),
        (
            {"HELPSCOUT_APP_SECRET": "secret"},
            "HELPSCOUT_APP_ID: required when HELPSCOUT_APP_SECRET is set",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_CHANNEL: required when SLACK_BOT_TOKEN is set"),
        (
            {"LWA_APP_ID": "app", "LWA_CLIENT_SECRET": "secret"},
            "SP_API_REFRESH_TOKEN: required when LWA_APP_ID is set",
        ),
        (
            {
                "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/x",
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_CHANNEL": "#amazon",
            },
            "SLACK_WEBHOOK_URL: set it or SLACK_BOT_TOKEN with SLACK_CHANNEL, not both",
        ),
    ],
)
def test_settings_that_go_together(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://amz:hunter2@db/amz"),
        ("AMAZON_NOTIFICATIONS_URL", "pop3://seller:hunter2@mail.example.com"),
        ("AMAZON_NOTIFICATIONS_URL", "imaps://seller:hunter2@mail.example.com:imap/INBOX"),
        ("SLACK_WEBHOOK_URL", "hooks.slack.com/services/hunter2"),
    ],
)
def test_errors_never_echo_credentials(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    assert str(raised.value).startswith(f"{name}: ")
    assert "hunter2" not in str(raised.value)


def test_every_malformed_setting_is_named_on_one_line(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", "")
    monkeypatch.setenv("ENFORCEMENT_MODE", "block")

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    # DATABASE_URL's default depends on DATA_DIR; only the variable at fault is named.
    assert str(raised.value) == (
        "DATA_DIR: is set but empty; give it a value or unset it; "
        "ENFORCEMENT_MODE: must be 'flag' or 'gate', got 'block'"
    )


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_setting_is_documented(document: str) -> None:
    text = (Path(__file__).parent.parent / document).read_text(encoding="utf-8")

    undocumented = [name.upper() for name in Settings.model_fields if name.upper() not in text]

    assert undocumented == []


def test_secret_values_include_url_passwords(settings: Settings) -> None:
    with_passwords = settings.model_copy(
        update={
            "database_url": "postgresql://amz:db%40pass@db/amz_guard",
            "redis_url": "redis://:redis-pass@redis:6379/0",
        }
    )
    values = with_passwords.secret_values()
    assert {"db%40pass", "db@pass", "redis-pass", "test-app-secret"} <= set(values)
    assert not any("maildir" in value for value in values)  # a Maildir path is no secret
