"""Shared fixtures: settings built explicitly per test, the app and client made from them,
`load_fixture` for the recorded files under tests/fixtures/ (described in its README.md), a
migrated SQLite `store_session`, and `fake_slack`, Slack's HTTP endpoints on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpscout_app import create_app
from helpscout_app.settings import Settings
from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.migrate import upgrade

FIXTURES_DIR = Path(__file__).parent / "fixtures"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Hide the developer's configuration: no setting in the environment, no `.env` in reach.

    Returns the empty working directory the test now runs in.
    """
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


@pytest.fixture
def settings(clean_environment: Path, tmp_path: Path) -> Settings:
    """Settings for one test: temp data directory (so temp SQLite), test secrets, local URLs."""
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        redis_url="redis://127.0.0.1:6379/15",
        helpscout_app_id="test-app-id",
        helpscout_app_secret="test-app-secret",
        helpscout_api_url="http://127.0.0.1:9/v2",
        helpscout_webhook_secret="test-webhook-secret",
        helpscout_sidebar_secret="test-sidebar-secret",
        amazon_mailbox_ids="101,202",
        amazon_notifications_url=f"maildir:{tmp_path / 'maildir'}",
        slack_webhook_url="http://127.0.0.1:9/slack",
    )


@pytest.fixture
def app(settings: Settings) -> Flask:
    """The web app, built from the test settings."""
    app = create_app(settings)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def load_fixture() -> Callable[[str], bytes]:
    """Read a fixture file's bytes exactly as stored, e.g. "helpscout/webhooks/convo.created.json".

    Bytes, not parsed JSON: webhook tests sign exactly these bytes, as Help Scout signs its body.
    """

    def load(relative_path: str) -> bytes:
        return (FIXTURES_DIR / relative_path).read_bytes()

    return load


@pytest.fixture
def store_session(settings: Settings) -> Iterator[Session]:
    """A session on the test settings' SQLite database, migrated to the newest revision."""
    upgrade(settings.database_url)
    engine = create_engine_for(settings.database_url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


@dataclass(frozen=True)
class SlackRequest:
    """One request the fake Slack received: path, headers (lower-case names), parsed JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any


class FakeSlack:
    """Slack's incoming webhook and Web API, served on 127.0.0.1 from a thread.

    slack_sdk speaks HTTP through urllib, which `responses` cannot intercept, so Slack is
    replaced at the HTTP boundary by a real local server. By default the webhook answers 200
    "ok" and `chat.postMessage` answers `{"ok": true, …}`, as Slack does; `answer_next` queues
    other answers, one request each.
    """

    WEBHOOK_PATH = "/services/T000/B000/XXXX"
    API_PATH = "/api"

    def __init__(self) -> None:
        self.requests: list[SlackRequest] = []
        self._answers: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def webhook_url(self) -> str:
        """An incoming-webhook URL shaped like Slack's."""
        return self.base_url + self.WEBHOOK_PATH

    @property
    def api_url(self) -> str:
        """The Web API base, as `SLACK_API_URL` takes it."""
        return self.base_url + self.API_PATH

    def answer_next(self, status: int, body: str | dict[str, Any]) -> None:
        """Answer the next request with `status` and `body` (a dict is sent as JSON)."""
        if isinstance(body, dict):
            self._answers.append((status, "application/json", json.dumps(body)))
        else:
            self._answers.append((status, "text/plain", body))

    def posted(self) -> list[Any]:
        """The JSON bodies received, in order."""
        return [request.json for request in self.requests]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, request: SlackRequest) -> tuple[int, str, str]:
        with self._lock:
            self.requests.append(request)
            if self._answers:
                return self._answers.pop(0)
        if request.path == self.API_PATH + "/chat.postMessage":
            reply = {"ok": True, "channel": "C000", "ts": "1764000000.000100"}
            return 200, "application/json", json.dumps(reply)
        if request.path.startswith("/services/"):
            return 200, "text/plain", "ok"
        return 404, "text/plain", "no_service"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw_body = self.rfile.read(length)
                request = SlackRequest(
                    method="POST",
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    json=json.loads(raw_body) if raw_body else None,
                )
                status, content_type, body = fake._answer(request)
                encoded = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output quiet."""

        return Handler


@pytest.fixture
def fake_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A fake Slack on 127.0.0.1; proxy variables removed, since slack_sdk would follow them."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeSlack()
    yield fake
    fake.close()
