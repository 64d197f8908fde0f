"""The `amz-guard` command: `check` output and exit codes, `serve`, `helpscout register-webhook`,
`scan-drafts --once`, and the installed script (`worker`: tests/workers/test_worker.py)."""

from __future__ import annotations

import argparse
import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from pydantic import SecretStr
from responses import matchers

import helpscout_app.compliance
from helpscout_app.cli import iso_datetime, main, port_number
from helpscout_app.settings import Settings

COMPLIANT_REPLY = (
    "Hi Jane,\n"
    "Your refund for order 112-1234567-1234567 has been issued and should reach you "
    "in 3-5 business days.\n"
    "Best regards, Sam\n"
)
PHONE_REPLY = "Hi Jane,\nPlease call us at (555) 123-4567 today.\n"
AMAZON_CS_REPLY = "Amazon customer service can help at +1-888-280-4331.\n"

INSTALLED_SCRIPT = Path(sys.executable).parent / "amz-guard"


@pytest.fixture
def reply_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a reply to a file and return its path."""

    def write(text: str, name: str = "reply.txt") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], None]:
    """Feed bytes to the command's standard input."""

    def feed(raw_text: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw_text)))

    return feed


# --- check: results -----------------------------------------------------------------------------


def test_a_compliant_reply_exits_0_and_prints_the_text(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_status = main(["check", str(reply_file(COMPLIANT_REPLY))], settings)

    captured = capsys.readouterr()
    assert exit_status == 0
    assert captured.out == COMPLIANT_REPLY
    assert captured.err == ""


def test_a_blocked_reply_exits_1_with_one_line_per_finding_then_the_redacted_text(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_status = main(["check", str(reply_file(PHONE_REPLY))], settings)

    finding_line, blank, *redacted = capsys.readouterr().out.splitlines()
    assert exit_status == 1
    # line 2, column 19: the phone number follows the 18 characters of "Please call us at ".
    assert re.fullmatch(
        r'2:19  block  phone  phone\.[\w.]+  "\(555\) 123-4567"  \S.*', finding_line
    )
    assert blank == ""
    assert redacted == ["Hi Jane,", "Please call us at [phone number removed] today."]


def test_json_prints_the_report_and_nothing_else(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_status = main(["check", "--json", str(reply_file(PHONE_REPLY))], settings)

    report = json.loads(capsys.readouterr().out)
    assert exit_status == 1
    assert report["blocked"] is True
    assert report["redacted"] == "Hi Jane,\nPlease call us at [phone number removed] today.\n"
    [finding] = report["findings"]
    assert finding.keys() == {"kind", "severity", "start", "end", "text", "rule", "message"}
    assert finding["kind"] == "phone"
    assert finding["severity"] == "block"
    assert PHONE_REPLY[finding["start"] : finding["end"]] == finding["text"] == "(555) 123-4567"


def test_json_for_a_compliant_reply(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_status = main(["check", "--json", str(reply_file(COMPLIANT_REPLY))], settings)

    assert exit_status == 0
    assert json.loads(capsys.readouterr().out) == {
        "blocked": False,
        "findings": [],
        "redacted": COMPLIANT_REPLY,
    }


@pytest.mark.parametrize("file_argument", [["-"], []], ids=["dash", "no-argument"])
def test_reads_standard_input(
    settings: Settings, stdin, capsys: pytest.CaptureFixture[str], file_argument: list[str]
) -> None:
    stdin(PHONE_REPLY.encode())

    exit_status = main(["check", "--json", *file_argument], settings)

    assert exit_status == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["kind"] == "phone"


def test_html_offsets_index_the_html_and_markup_survives_redaction(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    body = '<p>Thanks! Visit <a href="https://acme-gadgets.com/help">our help page</a>.</p>'

    exit_status = main(["check", "--html", "--json", str(reply_file(body, "reply.html"))], settings)

    report = json.loads(capsys.readouterr().out)
    assert exit_status == 1
    assert {finding["kind"] for finding in report["findings"]} == {"url"}
    for finding in report["findings"]:
        assert body[finding["start"] : finding["end"]] == finding["text"]
    assert report["redacted"].startswith("<p>Thanks! Visit <a href=")
    assert "acme-gadgets" not in report["redacted"]


def test_an_attachment_blocks_and_has_no_position(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    path = reply_file(COMPLIANT_REPLY)

    exit_status = main(["check", "--attachment", "brochure.pdf", str(path)], settings)

    finding_line = capsys.readouterr().out.splitlines()[0]
    assert exit_status == 1
    assert re.fullmatch(
        r'-  block  attachment  attachment\.[\w.]+  "brochure\.pdf"  \S.*', finding_line
    )


def test_amazon_customer_service_numbers_come_from_settings(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(reply_file(AMAZON_CS_REPLY))
    no_numbers_allowed = settings.model_copy(update={"amazon_cs_phone_numbers": ()})

    assert main(["check", path], settings) == 0
    assert main(["check", path], no_numbers_allowed) == 1


def test_passes_every_option_to_the_detector(
    settings: Settings, reply_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    real_check = helpscout_app.compliance.check

    def recording_check(text: str, **keywords: Any) -> Any:
        calls.append({"text": text, **keywords})
        return real_check(text, **keywords)

    monkeypatch.setattr(helpscout_app.compliance, "check", recording_check)
    path = reply_file("<p>Hello</p>", "reply.html")

    main(
        [
            "check",
            "--html",
            "--attachment=invoice.pdf",
            "--attachment",
            "manual.pdf",
            "--allow-order-documents",
            str(path),
        ],
        settings,
    )

    [call] = calls
    assert call["text"] == "<p>Hello</p>"
    assert call["html"] is True
    assert call["attachments"] == ("invoice.pdf", "manual.pdf")
    assert call["options"].allow_order_documents is True
    assert call["options"].allowed_phone_numbers == settings.amazon_cs_phone_numbers


# --- check: input and usage errors ----------------------------------------------------------------


def test_a_missing_file_is_named_and_exits_2(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"

    exit_status = main(["check", str(missing)], settings)

    captured = capsys.readouterr()
    assert exit_status == 2
    assert captured.out == ""
    assert captured.err == f"amz-guard check: cannot read {missing}: No such file or directory\n"


def test_a_directory_is_not_a_reply(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_status = main(["check", str(tmp_path)], settings)

    assert exit_status == 2
    assert capsys.readouterr().err == f"amz-guard check: cannot read {tmp_path}: Is a directory\n"


def test_invalid_utf8_is_an_input_error(
    settings: Settings, reply_file, capsys: pytest.CaptureFixture[str]
) -> None:
    path = reply_file("unused")
    path.write_bytes(b"Hello \xff there")

    exit_status = main(["check", str(path)], settings)

    captured = capsys.readouterr()
    assert exit_status == 2
    assert captured.out == ""
    assert captured.err == (
        f"amz-guard check: {path} is not UTF-8 text (byte 0xff at offset 6); "
        "convert it first, e.g. with iconv -t UTF-8\n"
    )


def test_invalid_utf8_on_standard_input(
    settings: Settings, stdin, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(b"\xe9t\xe9")

    assert main(["check"], settings) == 2
    assert capsys.readouterr().err.startswith("amz-guard check: standard input is not UTF-8 text")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check", "--no-such-option"],
        ["check", "one.txt", "two.txt"],
        ["check", "--attachment"],
        ["serve", "--port", "http"],
    ],
    ids=lambda argv: " ".join(argv) or "nothing",
)
def test_usage_errors_exit_2(
    settings: Settings, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, settings) == 2
    assert "usage: amz-guard" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "--allow-order-documents" in capsys.readouterr().out


def test_a_malformed_setting_exits_2_naming_it(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    reply_file,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AMAZON_CS_PHONE_NUMBERS", "call Amazon")

    exit_status = main(["check", str(reply_file(COMPLIANT_REPLY))])

    captured = capsys.readouterr()
    assert exit_status == 2
    assert captured.out == ""
    assert captured.err == (
        "amz-guard: configuration error: AMAZON_CS_PHONE_NUMBERS: 'call Amazon' is not a phone "
        "number; use comma-separated numbers like +1-888-280-4331\n"
    )


# --- the installed console script -------------------------------------------------------------


def run_installed_script(
    arguments: list[str], workdir: Path, stdin_text: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run the `amz-guard` script pip installed, in `workdir` (use `clean_environment`)."""
    assert INSTALLED_SCRIPT.exists(), "install the project first: pip install -e '.[dev]'"
    return subprocess.run(
        [str(INSTALLED_SCRIPT), *arguments],
        input=stdin_text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=workdir,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("arguments", "stdin_text", "expected_status"),
    [
        (["check", "--json", "-"], COMPLIANT_REPLY, 0),
        (["check", "--json"], PHONE_REPLY, 1),
        (["check", "--json", "missing.txt"], "", 2),
    ],
    ids=["compliant", "blocked", "missing-file"],
)
def test_installed_script_check(
    clean_environment: Path, arguments: list[str], stdin_text: str, expected_status: int
) -> None:
    completed = run_installed_script(arguments, clean_environment, stdin_text)

    assert completed.returncode == expected_status, completed.stderr
    if expected_status == 2:
        assert completed.stdout == ""
        assert completed.stderr == (
            "amz-guard check: cannot read missing.txt: No such file or directory\n"
        )
    else:
        assert json.loads(completed.stdout)["blocked"] is bool(expected_status)


def test_installed_script_serves_healthz(clean_environment: Path) -> None:
    with socket.socket() as probe:  # ask the OS for a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = clean_environment / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(INSTALLED_SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=clean_environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        assert fetch_when_up(f"http://127.0.0.1:{port}/healthz", server) == {"status": "ok"}, (
            log_path.read_text()
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch_when_up(url: str, server: subprocess.Popen[bytes], timeout_s: float = 20) -> Any:
    """GET `url` as JSON once the server answers; None if it exits or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)  # polling a real process's start-up, not faking time
    return None


def test_the_settings_default_matches_the_detectors_own() -> None:
    # settings.py keeps its own copy so that loading settings never imports the detector.
    assert Settings.model_fields["amazon_cs_phone_numbers"].default == (
        helpscout_app.compliance.CheckOptions().allowed_phone_numbers
    )


# --- helpscout register-webhook ----------------------------------------------------------------

API_URL = "http://127.0.0.1:9/v2"  # the `settings` fixture's HELPSCOUT_API_URL
WEBHOOK_URL = "https://amz-guard.seller.example/webhooks/helpscout"
AMZ_GUARD_EVENTS = [
    "convo.agent.reply.created",
    "convo.customer.reply.created",
    "convo.created",
    "convo.status",
    "convo.tags",
    "convo.merged",
    "convo.moved",
    "convo.deleted",
]


@pytest.fixture
def helpscout_api(load_fixture: Callable[[str], bytes]) -> Iterator[responses.RequestsMock]:
    """Help Scout's API answered by `responses`: a token, then what the test adds."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add(
            responses.POST,
            f"{API_URL}/oauth2/token",
            body=load_fixture("helpscout/api/oauth_token.json"),
            content_type="application/json",
        )
        yield mock


def webhooks_listed(
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    change: Callable[[list[dict[str, Any]]], None] = lambda webhooks: None,
) -> None:
    """Answer List Webhooks with the fixture's two webhooks, after `change` edits them."""
    listing = json.loads(load_fixture("helpscout/api/list_webhooks.json"))
    change(listing["_embedded"]["webhooks"])
    helpscout_api.add(responses.GET, f"{API_URL}/webhooks", json=listing)


def test_register_webhook_creates_it_with_the_secret_and_the_events(
    settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "https://amz-guard.other.example/webhooks/helpscout"
    webhooks_listed(helpscout_api, load_fixture)
    helpscout_api.add(
        responses.POST,
        f"{API_URL}/webhooks",
        status=201,
        headers={"Resource-ID": "30001"},
        match=[
            matchers.json_params_matcher(
                {
                    "url": url,
                    "events": AMZ_GUARD_EVENTS,
                    "secret": "test-webhook-secret",
                    "payloadVersion": "V2",
                    "notification": False,
                    "label": "amz-guard",
                }
            )
        ],
    )

    status = main(["helpscout", "register-webhook", "--url", url], settings=settings)

    assert status == 0
    assert capsys.readouterr().out == (
        f"registered webhook 30001 for {url}: {', '.join(AMZ_GUARD_EVENTS)}\n"
    )


def test_register_webhook_again_creates_nothing(
    settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def complete(webhooks: list[dict[str, Any]]) -> None:
        webhooks[0]["events"] = list(reversed(AMZ_GUARD_EVENTS))
        webhooks[0]["url"] += "/"  # Help Scout may show it with a trailing slash

    webhooks_listed(helpscout_api, load_fixture, complete)  # and no POST registered

    status = main(["helpscout", "register-webhook", "--url", WEBHOOK_URL], settings=settings)

    assert status == 0
    assert capsys.readouterr().out == (
        f"a webhook for {WEBHOOK_URL} exists already (id 21411); not creating another\n"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda webhooks: None,  # the fixture's webhook predates the reconciliation events
            "it does not send convo.status, convo.tags, convo.merged, convo.moved, convo.deleted",
        ),
        (
            lambda webhooks: webhooks[0].update(state="disabled", events=AMZ_GUARD_EVENTS),
            "it is disabled",
        ),
    ],
    ids=["missing events", "disabled"],
)
def test_register_webhook_says_what_is_wrong_with_the_existing_one(
    settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    capsys: pytest.CaptureFixture[str],
    change: Callable[[list[dict[str, Any]]], None],
    problem: str,
) -> None:
    webhooks_listed(helpscout_api, load_fixture, change)

    status = main(["helpscout", "register-webhook", "--url", WEBHOOK_URL], settings=settings)

    assert status == 1
    out = capsys.readouterr().out
    assert out.startswith(f"a webhook for {WEBHOOK_URL} exists already (id 21411)")
    assert f"but {problem}: fix it under Manage > Apps > Webhooks" in out


def test_register_webhook_reports_a_refusal(
    settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    webhooks_listed(helpscout_api, load_fixture)
    helpscout_api.add(
        responses.POST,
        f"{API_URL}/webhooks",
        status=400,
        body=load_fixture("helpscout/api/error.bad_request.json"),
        content_type="application/json",
    )

    status = main(
        ["helpscout", "register-webhook", "--url", "https://new.example/webhooks/helpscout"],
        settings=settings,
    )

    assert status == 1
    assert capsys.readouterr().err.startswith(
        f"amz-guard helpscout register-webhook: Help Scout answered 400 to POST {API_URL}/webhooks"
    )


def test_register_webhook_needs_the_secret(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    unset = settings.model_copy(update={"helpscout_webhook_secret": None})

    status = main(["helpscout", "register-webhook", "--url", WEBHOOK_URL], settings=unset)

    assert status == 2
    assert capsys.readouterr().err.startswith(
        "amz-guard: configuration error: HELPSCOUT_WEBHOOK_SECRET: required to register"
    )


@pytest.mark.parametrize("url", ["amz-guard.example/webhooks/helpscout", "ftp://x.example/"])
def test_register_webhook_needs_an_http_url(
    settings: Settings, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    status = main(["helpscout", "register-webhook", "--url", url], settings=settings)

    assert status == 2
    assert "not an http(s) URL with a host" in capsys.readouterr().err


# --- scan-drafts --once ------------------------------------------------------------------------

FLAGGED = 3120419377
COMPLIANT = 3120419390


@pytest.fixture
def scan_settings(settings: Settings, store_session: Any, fake_slack: Any) -> Settings:
    """The test settings, database migrated, alerts to the fake Slack."""
    return settings.model_copy(update={"slack_webhook_url": SecretStr(fake_slack.webhook_url)})


def drafts_listed(helpscout_api: responses.RequestsMock, load_fixture: Callable[[str], bytes]):
    """Help Scout as the fixture files describe it: a blocked draft and a blocked Send Later
    reply in one of two active Amazon conversations; the writes flag mode makes, answered."""
    for method, path, fixture, status in [
        ("GET", "/conversations", "list_conversations.amazon-active.json", 200),
        ("GET", f"/conversations/{COMPLIANT}/threads", "list_threads.compliant-drafts.json", 200),
        ("GET", f"/conversations/{FLAGGED}/threads", "list_threads.json", 200),
        ("POST", f"/conversations/{FLAGGED}/notes", None, 201),
        ("GET", f"/conversations/{FLAGGED}", "get_conversation.json", 200),
        ("PUT", f"/conversations/{FLAGGED}/tags", None, 204),
    ]:
        body = load_fixture(f"helpscout/api/{fixture}") if fixture else b""
        helpscout_api.add(method, f"{API_URL}{path}", body=body, status=status)


def test_scan_drafts_once_prints_the_counts_as_json(
    scan_settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    fake_slack: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    drafts_listed(helpscout_api, load_fixture)

    status = main(
        ["scan-drafts", "--once", "--now", "2026-11-20T13:06:00Z", "--json"],
        settings=scan_settings,
    )

    assert status == 0
    assert json.loads(capsys.readouterr().out) == {
        "conversations_seen": 2,
        "threads_checked": 4,
        "schedules_cancelled": 0,
        "drafts_flagged": 2,
        "alerts_sent": 2,
    }
    assert [alert["text"][:16] for alert in fake_slack.posted()] == [
        "[blocked-reply] ",
        "[draft-flagged] ",
    ]


def test_scan_drafts_once_prints_the_counts(
    scan_settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    drafts_listed(helpscout_api, load_fixture)

    assert main(["scan-drafts", "--once"], settings=scan_settings) == 0
    assert capsys.readouterr().out == (
        "conversations_seen: 2\nthreads_checked: 4\nschedules_cancelled: 0\n"
        "drafts_flagged: 2\nalerts_sent: 2\n"
    )


def test_scan_drafts_reports_a_failed_pass(
    scan_settings: Settings,
    helpscout_api: responses.RequestsMock,
    load_fixture: Callable[[str], bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    helpscout_api.add(
        "GET",
        f"{API_URL}/conversations",
        status=403,
        body=load_fixture("helpscout/api/error.forbidden.json"),
        content_type="application/json",
    )

    status = main(["scan-drafts", "--once"], settings=scan_settings)

    assert status == 1
    *log_lines, last = capsys.readouterr().err.splitlines()
    assert last.startswith("amz-guard scan-drafts: the pass failed: Help Scout answered 403 to GET")
    assert all(json.loads(line)["event"] for line in log_lines)  # the pass's own log, as JSON


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["scan-drafts"], "amz-guard scan-drafts: give --once: this command runs one pass"),
        (["scan-drafts", "--once", "--now", "yesterday"], "not an ISO 8601 time: 'yesterday'"),
    ],
)
def test_scan_drafts_usage_errors(
    settings: Settings, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(arguments, settings=settings) == 2
    assert message in capsys.readouterr().err


def test_scan_drafts_needs_a_migrated_database(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan-drafts", "--once"], settings=settings) == 2
    assert capsys.readouterr().err == (
        "amz-guard scan-drafts: the database is not at the newest schema; "
        "run `amz-guard db upgrade`\n"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T13:06:00Z", "2026-11-20T13:06:00+00:00"),
        ("2026-11-20T08:06:00-05:00", "2026-11-20T13:06:00+00:00"),
        ("2026-11-20T13:06:00", "2026-11-20T13:06:00+00:00"),  # no offset: UTC
    ],
)
def test_now_is_read_as_utc(value: str, expected: str) -> None:
    assert iso_datetime(value).isoformat() == expected


@pytest.mark.parametrize("value", ["\u00b2", "65536", "-1", "http"])
def test_a_port_that_is_not_ascii_digits_is_refused(value: str) -> None:
    """ "²" passes str.isdigit() and then broke int() with a traceback."""
    with pytest.raises(argparse.ArgumentTypeError, match="not a port number"):
        port_number(value)
