"""Structured logs: JSON lines carrying the request or job ID, stdlib records rendered the same
way, and no secret or message body in the output of a real webhook request and its job."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
import responses
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from rq import SimpleWorker
from rq.job import Job, JobStatus

from helpscout_app import create_app
from helpscout_app.observability.logging import strip_terminal_escapes
from helpscout_app.observability.request_ids import REQUEST_ID_HEADER
from helpscout_app.settings import Settings
from workers.queues import QUEUE_NAMES, queue_for
from workers.worker import ObservedJobsMixin

if TYPE_CHECKING:
    from conftest import FakeSlack
    from redis import Redis

    from .conftest import CapturedLogs

StartCapture = Callable[[Settings], "CapturedLogs"]

API_URL = "http://127.0.0.1:9/v2"
WEBHOOK_URL = "/webhooks/helpscout"
CONVERSATION = "/conversations/3120419377"
REPLY_KEY = "helpscout-convo_agent_reply_created-c3120419377-t8812004511"
CUSTOMER_PHONE = "(555) 201-4477"
"""The phone number in the agent's reply (the fixture's body): message text, never logged."""


class ObservedInProcessWorker(ObservedJobsMixin, SimpleWorker):
    """The worker's job observation, with jobs run in this process (no pub/sub listener)."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass


@pytest.fixture
def secret_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    """Settings with a secret in every credential the webhook and its job touch."""
    return settings.model_copy(
        update={
            "slack_webhook_url": _secret(fake_slack.webhook_url),
            "dashboard_token": _secret("dash-token-0451"),
            "metrics_token": _secret("metrics-token-0451"),
        }
    )


def _secret(value: str) -> object:
    from pydantic import SecretStr

    return SecretStr(value)


@pytest.fixture
def helpscout_api(load_fixture: Callable[[str], bytes]) -> Iterator[responses.RequestsMock]:
    """Help Scout's answers to the token request, a note, a tag read and a tag write."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{API_URL}/oauth2/token",
            body=load_fixture("helpscout/api/oauth_token.json"),
            content_type="application/json",
        )
        mock.post(
            f"{API_URL}{CONVERSATION}/notes", status=201, headers={"Resource-ID": "8812004599"}
        )
        mock.get(
            f"{API_URL}{CONVERSATION}",
            body=load_fixture("helpscout/api/get_conversation.json"),
            content_type="application/hal+json",
        )
        mock.put(f"{API_URL}{CONVERSATION}/tags", status=204)
        yield mock


def test_a_webhook_request_and_its_job_log_no_secret_and_carry_their_ids(
    secret_settings: Settings,
    captured_logs: StartCapture,
    load_fixture: Callable[[str], bytes],
    helpscout_api: responses.RequestsMock,
    redis_conn: Redis,
    store_session: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in _environment(secret_settings).items():
        monkeypatch.setenv(name, value)  # jobs read their settings from the environment
    client = create_app(secret_settings).test_client()
    raw_body = load_fixture("helpscout/webhooks/convo.agent.reply.created.with-phone.json")
    headers = {"Content-Type": "application/json", "X-HelpScout-Event": "convo.agent.reply.created"}

    request_logs = captured_logs(secret_settings)
    forged = client.post(
        WEBHOOK_URL, data=raw_body, headers=headers | {"X-HelpScout-Signature": "forged"}
    )
    response = client.post(
        WEBHOOK_URL,
        data=raw_body,
        headers=headers
        | {
            "X-HelpScout-Signature": _signature(secret_settings, raw_body),
            REQUEST_ID_HEADER: "req-7f3a",
        },
    )
    assert (forged.status_code, response.status_code) == (401, 202)
    assert response.headers[REQUEST_ID_HEADER] == "req-7f3a"

    job_logs = captured_logs(secret_settings)
    worker = ObservedInProcessWorker(
        [queue_for(redis_conn, name) for name in QUEUE_NAMES], connection=redis_conn
    )
    worker.work(burst=True)
    job = Job.fetch(REPLY_KEY, connection=redis_conn)
    assert job.get_status() is JobStatus.FINISHED, job.latest_result()

    for logs in (request_logs, job_logs):
        for secret in secret_settings.secret_values():
            assert secret not in logs.text
        assert CUSTOMER_PHONE not in logs.text
    request_lines = request_logs.lines()
    assert all("request_id" in line for line in request_lines)
    [accepted] = [
        line
        for line in request_lines
        if line["request_id"] == "req-7f3a" and line["event"] == "request handled"
    ]
    assert (accepted["event"], accepted["status"]) == ("request handled", 202)
    assert (accepted["outcome"], accepted["helpscout_event"]) == (
        "queued",
        "convo.agent.reply.created",
    )
    job_lines = [
        line for line in job_logs.lines() if line["logger"].startswith(("helpscout_app", "workers"))
    ]
    assert job_lines, job_logs.text
    assert {line.get("job_id") for line in job_lines} == {REPLY_KEY}


def _signature(settings: Settings, raw_body: bytes) -> str:
    """base64(HMAC-SHA1(webhook secret, body)), as Help Scout signs."""
    assert settings.helpscout_webhook_secret is not None
    key = settings.helpscout_webhook_secret.get_secret_value().encode()
    return base64.b64encode(hmac.new(key, raw_body, hashlib.sha1).digest()).decode()


def _environment(settings: Settings) -> dict[str, str]:
    """The settings as environment variables, as `amz-guard worker`'s jobs read them."""
    from pydantic import SecretStr

    exported = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, tuple):
            value = ",".join(str(item) for item in value)
        exported[name.upper()] = str(value)
    return exported


def test_a_request_id_is_made_when_none_or_a_bad_one_is_given(app: Flask) -> None:
    client = app.test_client()

    made = client.get("/healthz").headers[REQUEST_ID_HEADER]
    kept = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-4f1c.9"})
    too_long = client.get("/healthz", headers={REQUEST_ID_HEADER: "x" * 129})
    spaced = client.get("/healthz", headers={REQUEST_ID_HEADER: 'a "quoted" id'})

    assert len(made) == 32
    assert kept.headers[REQUEST_ID_HEADER] == "lb-4f1c.9"
    assert len(too_long.headers[REQUEST_ID_HEADER]) == 32
    assert len(spaced.headers[REQUEST_ID_HEADER]) == 32


def test_stdlib_records_are_json_with_extras_redacted(
    settings: Settings, captured_logs: StartCapture
) -> None:
    logs = captured_logs(settings)

    logging.getLogger("some.library").info(
        "fetched %s", "imaps://amz:hunter22@imap.example.com", extra={"body": "Hi, call me"}
    )

    [line] = logs.lines()
    assert line["event"] == "fetched imaps://***@imap.example.com"
    assert (line["logger"], line["level"], line["body"]) == ("some.library", "info", "[REDACTED]")
    assert "timestamp" in line


def test_terminal_colours_and_escapes_are_taken_out_of_the_event(
    settings: Settings, captured_logs: StartCapture
) -> None:
    logs = captured_logs(settings)

    # Flask's development server colours its request lines; a value may carry a cursor move.
    logging.getLogger("werkzeug").info(
        '127.0.0.1 - - "\x1b[35m\x1b[1mGET /readyz HTTP/1.1\x1b[0m" 503 -'
    )
    logging.getLogger("amz").info("subject %s", "Hi\x1b[2J\x1b[1;1Hthere")

    assert [line["event"] for line in logs.lines()] == [
        '127.0.0.1 - - "GET /readyz HTTP/1.1" 503 -',
        "subject Hithere",
    ]


ESCAPE_PIECES = st.sampled_from(["\x1b[0m", "\x1b[1;35m", "\x1b[2J", "\x1b[", "\x1b", "m"])


@given(pieces=st.lists(st.one_of(st.text(), ESCAPE_PIECES)))
def test_a_stripped_event_holds_no_escape_and_keeps_all_other_text(pieces: list[str]) -> None:
    text = "".join(pieces)

    stripped = strip_terminal_escapes(None, "info", {"event": text})["event"]

    assert "\x1b" not in stripped
    if "\x1b" not in text:
        assert stripped == text
    else:
        assert len(stripped) < len(text)


def test_console_format_is_plain_text(settings: Settings, captured_logs: StartCapture) -> None:
    logs = captured_logs(settings.model_copy(update={"log_format": "console"}))

    logging.getLogger("amz").warning("conversation %s late", 12)

    assert "conversation 12 late" in logs.text
    with pytest.raises(json.JSONDecodeError):
        json.loads(logs.text.splitlines()[0])


def test_log_level_filters(settings: Settings, captured_logs: StartCapture) -> None:
    logs = captured_logs(settings.model_copy(update={"log_level": "WARNING"}))

    logging.getLogger("amz").info("not shown")
    logging.getLogger("amz").warning("shown")

    assert [line["event"] for line in logs.lines()] == ["shown"]
