"""`amz-guard doctor` end to end through `main()`: one line per part in a fixed order, exit 1 on
any failure, `--json`, `--send-test`, broken settings, and no secret in any output."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import respx
from doctor.conftest import SECRETS, SLACK_BOT_TOKEN, HelpScoutAnswers

from helpscout_app.cli import main
from helpscout_app.doctor import runner
from helpscout_app.doctor.checks import CheckResult, Part, Status
from helpscout_app.doctor.report import format_result, render_json, render_text
from helpscout_app.settings import Settings
from helpscout_app.store.migrate import head_revision

if TYPE_CHECKING:
    from conftest import FakeSlack

PARTS = [str(part) for part in Part]


@pytest.fixture
def all_answering(helpscout_answers: HelpScoutAnswers, lwa: respx.MockRouter) -> None:
    """Help Scout and Login with Amazon answer as a working account does."""
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks()


def lines_of(output: str) -> list[list[str]]:
    """Each line's status and part."""
    return [line.split()[:2] for line in output.splitlines()]


@pytest.mark.usefixtures("all_answering")
def test_all_good_exits_0_with_one_line_per_part(
    doctor_settings: Settings, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["doctor"], settings=doctor_settings)

    captured = capsys.readouterr()
    assert status == 0, captured.out
    assert lines_of(captured.out) == [
        ["ok", "settings"],
        ["ok", "database"],
        ["ok", "redis"],
        ["ok", "helpscout"],
        ["ok", "webhook"],
        ["skip", "slack"],  # an incoming webhook is only checked by posting
        ["ok", "notifications"],
        ["ok", "sp-api"],
    ]
    assert f"at revision {head_revision()} (head)" in captured.out
    assert fake_slack.requests == []  # nothing posted without --send-test
    assert captured.err == ""
    for secret in SECRETS:
        assert secret not in captured.out
    assert fake_slack.WEBHOOK_PATH not in captured.out  # the webhook URL is a secret too


@pytest.mark.usefixtures("all_answering")
def test_send_test_posts_exactly_one_slack_message(
    doctor_settings: Settings, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--send-test"], settings=doctor_settings) == 0

    out = capsys.readouterr().out
    assert "ok    slack          test message posted through the incoming webhook" in out
    assert len(fake_slack.requests) == 1
    assert fake_slack.posted()[0]["text"].startswith("amz-guard doctor: test message")


@pytest.mark.usefixtures("all_answering")
def test_json_lists_every_check(
    doctor_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--json"], settings=doctor_settings) == 0

    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "ok"
    assert (
        [check["part"] for check in report["checks"]]
        == PARTS
        == [
            "settings",
            "database",
            "redis",
            "helpscout",
            "webhook",
            "slack",
            "notifications",
            "sp-api",
        ]
    )
    assert set(report["checks"][0]) == {"part", "status", "summary", "fix"}


@pytest.mark.usefixtures("all_answering")
def test_a_broken_required_part_exits_1_naming_the_fix(
    doctor_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    no_redis = doctor_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"})

    assert main(["doctor", "--timeout", "2"], settings=no_redis) == 1

    out = capsys.readouterr().out
    assert (
        f"FAIL  redis          no answer at redis://127.0.0.1:{port}/0 (ConnectionError): "
        "start Redis or fix REDIS_URL\n"
    ) in out
    assert lines_of(out)[0] == ["ok", "settings"]


@pytest.mark.usefixtures("lwa")
def test_a_broken_optional_part_exits_1_and_unconfigured_ones_are_skipped(
    doctor_settings: Settings,
    helpscout_answers: HelpScoutAnswers,
    capsys: pytest.CaptureFixture[str],
) -> None:
    helpscout_answers.mailboxes()
    helpscout_answers.webhooks(lambda webhooks: webhooks[0].update(state="disabled"))
    partial = doctor_settings.model_copy(
        update={"slack_webhook_url": None, "amazon_notifications_url": None}
    )

    assert main(["doctor"], settings=partial) == 1

    statuses = dict((part, status) for status, part in lines_of(capsys.readouterr().out))
    assert statuses["webhook"] == "FAIL"
    assert (statuses["slack"], statuses["notifications"]) == ("skip", "skip")


def test_broken_settings_are_the_first_failed_line(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_BOT_TOKEN)  # without SLACK_CHANNEL

    assert main(["doctor"]) == 1

    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == (
        "FAIL  settings       SLACK_CHANNEL: required when SLACK_BOT_TOKEN is set: "
        "fix it in the environment or .env, then run again"
    )
    assert [status for status, _ in lines_of(captured.out)[1:]] == ["skip"] * 7
    assert captured.err == ""
    assert SLACK_BOT_TOKEN not in captured.out


def test_broken_settings_as_json(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", "http://localhost:6379")

    assert main(["doctor", "--json"]) == 1

    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "fail"
    assert report["checks"][0]["summary"].startswith("REDIS_URL: must be a redis://")


def test_other_commands_still_stop_on_broken_settings(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REDIS_URL", "http://localhost:6379")
    assert main(["reconcile", "--once"]) == 2
    assert capsys.readouterr().err.startswith("amz-guard: configuration error: REDIS_URL")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "301"])
def test_timeout_must_be_sensible_seconds(
    settings: Settings, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--timeout", value], settings=settings) == 2
    assert "not a number of seconds from 0 to 300" in capsys.readouterr().err


# --- runner and report ---------------------------------------------------------------------------


def test_a_crashing_check_is_a_failed_line_and_the_rest_still_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(*args: Any, **kwargs: Any) -> CheckResult:
        raise RuntimeError("boom")

    monkeypatch.setattr(runner, "check_redis", crash)
    quiet = settings.model_copy(
        update={
            "helpscout_app_id": None,
            "helpscout_app_secret": None,
            "slack_webhook_url": None,
            "amazon_notifications_url": None,
        }
    )

    results = runner.run_checks(quiet)

    assert [result.part for result in results] == list(Part)
    redis_result = results[2]
    assert (redis_result.status, redis_result.summary) == (
        Status.FAIL,
        "the check itself failed (RuntimeError)",
    )
    assert "doctor check of redis crashed" in caplog.text


def test_scrub_replaces_any_secret_that_slipped_into_a_line() -> None:
    leaky = CheckResult(Part.SLACK, Status.FAIL, "token xoxb-123456 refused", "not xoxb-123456")
    assert runner.scrubbed([leaky], ["xoxb-123456"]) == [
        CheckResult(Part.SLACK, Status.FAIL, "token *** refused", "not ***")
    ]


def test_report_text_aligns_columns_and_capitalises_failures() -> None:
    results = [
        CheckResult(Part.DATABASE, Status.OK, "sqlite:///data/amz-guard.sqlite3 at revision 0002"),
        CheckResult(Part.SP_API, Status.FAIL, "refused", "set the token"),
        CheckResult(Part.SLACK, Status.SKIP, "not configured"),
        CheckResult(Part.NOTIFICATIONS, Status.WARN, "empty", "check Seller Central"),
    ]
    assert render_text(results) == (
        "ok    database       sqlite:///data/amz-guard.sqlite3 at revision 0002\n"
        "FAIL  sp-api         refused: set the token\n"
        "skip  slack          not configured\n"
        "warn  notifications  empty: check Seller Central\n"
    )
    assert format_result(results[1], 8) == "FAIL  sp-api  refused: set the token"
    assert json.loads(render_json(results))["status"] == "fail"
    assert json.loads(render_json(results[2:]))["status"] == "warn"
