"""Shared fixtures: settings built explicitly per test, the app and client made from them,
`load_fixture` for the recorded files under tests/fixtures/ (described in its README.md), a
migrated SQLite `store_session`, and `fake_slack`, Slack's HTTP endpoints on 127.0.0.1.

Redis and RQ: `redis_conn` (a database of the test session's own among 10-15, emptied around
each test), `queue`, `worker_environment` (the settings exported for jobs) and `run_queued_jobs`
(a `SimpleWorker` in burst mode); `helpscout_sender` posts webhook deliveries signed at test time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

import pytest
import redis.exceptions
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import make_url
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from helpscout_app import create_app
from helpscout_app.observability.logging import remove_logging_configuration
from helpscout_app.settings import Settings
from helpscout_app.store.database import create_engine_for, session_factory
from helpscout_app.store.migrate import upgrade
from workers.queues import QUEUE_NAMES, WEBHOOKS_QUEUE, queue_for

FIXTURES_DIR = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _logging_configured_per_test() -> Iterator[None]:
    """`create_app` and the worker configure logging for the process; undo it after each test."""
    yield
    remove_logging_configuration()


@pytest.fixture(autouse=True)
def _signal_handlers_restored_per_test() -> Iterator[None]:
    """A worker run in-process (`main(["worker", "--burst"])`) leaves RQ's SIGTERM and SIGINT
    handlers installed. Processes a later test forks would inherit them and outlive a SIGTERM:
    a `multiprocessing.Pool` leaving its `with` block then waits forever for its workers."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


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


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the newest revision once per test session, to copy."""
    path = tmp_path_factory.mktemp("migrated") / "amz-guard.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def store_session(settings: Settings, migrated_sqlite_file: Path) -> Iterator[Session]:
    """A session on the test settings' SQLite database, migrated to the newest revision.

    A copy of the session's migrated file (migrating each test's database costs most of a
    second), unless something created the database already: that one is migrated in place.
    """
    database_path = Path(make_url(settings.database_url).database or "")
    if database_path.exists():
        upgrade(settings.database_url)
    else:
        database_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_sqlite_file, database_path)
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


# --- Redis, RQ and signed webhook deliveries ---------------------------------------------------

REDIS_SERVER_URL = "redis://127.0.0.1:6379"
REDIS_TEST_DATABASES = range(10, 16)
"""Databases the tests may take; 0 (and the rest below 10) stay the developer's."""

REDIS_CLAIM_KEY = "amzguard:test-session"
"""Key a test session keeps in its database, so a second session running at the same time
sees it is not empty and takes another one."""

REDIS_CLAIM_TTL_S = 3600
"""The claim lapses this long after the last test that renewed it: a killed session's database
frees itself."""

# Takes the database only if it is empty, atomically, so two sessions never take the same one.
_CLAIM_IF_EMPTY = """
if redis.call('DBSIZE') == 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
return 0
"""


def _flush_keeping_claim(connection: Redis, claim: str) -> None:
    """Empty the database but for our claim, in one transaction (never seen empty meanwhile)."""
    with connection.pipeline(transaction=True) as pipeline:
        pipeline.flushdb()
        pipeline.set(REDIS_CLAIM_KEY, claim, ex=REDIS_CLAIM_TTL_S)
        pipeline.execute()


@pytest.fixture(scope="session")
def redis_test_url() -> Iterator[str]:
    """The URL of the Redis database this test session took: the first empty one among 10-15.

    Fails the test loudly if Redis does not answer or none of them is empty: a database holding
    data is never touched. Emptied when the session ends.
    """
    claim = f"pid {os.getpid()}"
    problems = []
    for number in REDIS_TEST_DATABASES:
        url = f"{REDIS_SERVER_URL}/{number}"
        connection = Redis.from_url(url, socket_connect_timeout=5)
        try:
            if connection.eval(_CLAIM_IF_EMPTY, 1, REDIS_CLAIM_KEY, claim, REDIS_CLAIM_TTL_S):
                break
            problems.append(f"db {number} holds {connection.dbsize()} keys")
        except redis.exceptions.ConnectionError as err:
            pytest.fail(
                f"Redis is needed for these tests and does not answer at {REDIS_SERVER_URL} "
                f"({err}); run scripts/setup to start it",
                pytrace=False,
            )
        finally:
            connection.close()
    else:
        pytest.fail(
            "no empty Redis database among 10-15 for the tests ("
            + "; ".join(problems)
            + f"); other test sessions hold theirs under {REDIS_CLAIM_KEY} for at most "
            f"{REDIS_CLAIM_TTL_S} s; otherwise empty one that holds nothing of yours "
            "(redis-cli -n 15 flushdb)",
            pytrace=False,
        )
    yield url
    connection = Redis.from_url(url)
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_conn(redis_test_url: str) -> Iterator[Redis]:
    """A connection to the session's Redis database, emptied before and after the test."""
    connection = Redis.from_url(redis_test_url)
    claim = connection.get(REDIS_CLAIM_KEY).decode()
    _flush_keeping_claim(connection, claim)
    yield connection
    _flush_keeping_claim(connection, claim)
    connection.close()


@pytest.fixture
def queue(redis_conn: Redis) -> Queue:
    """The webhook deliveries' queue on the test Redis."""
    return queue_for(redis_conn, WEBHOOKS_QUEUE)


@pytest.fixture
def worker_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Export the test settings to the environment, where jobs read them (`load_settings`)."""
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, tuple):
            value = ",".join(str(item) for item in value)
        monkeypatch.setenv(name.upper(), str(value))
    return settings


class InProcessWorker(SimpleWorker):
    """RQ's `SimpleWorker` (jobs run in this process) without its pub/sub listener, which only
    serves remote commands and costs a second at every shutdown (`join(timeout=1)`)."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass


class RunQueuedJobs(Protocol):
    """Runs every job queued on amz-guard's queues in-process; returns the worker."""

    def __call__(
        self, *, due_retries: bool = False, with_scheduler: bool = False
    ) -> SimpleWorker: ...


@pytest.fixture
def run_queued_jobs(redis_conn: Redis, worker_environment: Settings) -> RunQueuedJobs:
    """Run what is queued with an in-process worker in burst mode.

    `with_scheduler=True` lets RQ's scheduler first enqueue what is due, as `amz-guard worker`
    does. `due_retries=True` moves every job RQ scheduled (retries waiting out their interval)
    onto its queue, as the scheduler does once the interval has passed, and repeats until
    nothing is left: time is not waited for, it is skipped.
    """

    def run(*, due_retries: bool = False, with_scheduler: bool = False) -> SimpleWorker:
        queues = [queue_for(redis_conn, name) for name in QUEUE_NAMES]
        worker = InProcessWorker(queues, connection=redis_conn)
        for _ in range(10):
            if due_retries:
                for queue in queues:
                    registry = queue.scheduled_job_registry
                    for job_id in registry.get_job_ids():
                        registry.remove(job_id)
                        queue.enqueue_job(Job.fetch(job_id, connection=redis_conn))
            worker.work(burst=True, with_scheduler=with_scheduler)
            if not due_retries or not any(q.scheduled_job_registry.count for q in queues):
                break
        return worker

    return run


def sign_helpscout(secret: str, raw_body: bytes) -> str:
    """base64(HMAC-SHA1(secret, body)), written here rather than taken from the code under test."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha1).digest()).decode()


class HelpScoutSender:
    """Posts webhook deliveries as Help Scout does: event header, body signed at test time."""

    URL = "/webhooks/helpscout"

    def __init__(self, client: FlaskClient, secret: str, load_fixture: Callable[[str], bytes]):
        self._client = client
        self._secret = secret
        self._load_fixture = load_fixture

    def for_client(self, client: FlaskClient) -> HelpScoutSender:
        """The same sender posting through another client (another app, another thread)."""
        return HelpScoutSender(client, self._secret, self._load_fixture)

    def body(self, fixture_name: str) -> bytes:
        """The bytes of `tests/fixtures/helpscout/webhooks/<fixture_name>.json`."""
        return self._load_fixture(f"helpscout/webhooks/{fixture_name}.json")

    def send(self, event_name: str, fixture_name: str | None = None) -> TestResponse:
        """Deliver `event_name` with the fixture of that name (or `fixture_name`), signed."""
        return self.send_body(event_name, self.body(fixture_name or event_name))

    def send_body(
        self,
        event_name: str | None,
        raw_body: bytes,
        *,
        signature: str | None = None,
        unsigned: bool = False,
        url: str = URL,
    ) -> TestResponse:
        """Deliver `raw_body` signed, or with `signature` instead, or `unsigned` (no header)."""
        headers = {"Content-Type": "application/json"}
        if event_name is not None:
            headers["X-HelpScout-Event"] = event_name
        if not unsigned:
            headers["X-HelpScout-Signature"] = (
                sign_helpscout(self._secret, raw_body) if signature is None else signature
            )
        return self._client.post(url, data=raw_body, headers=headers)


@pytest.fixture
def helpscout_sender(
    client: FlaskClient, settings: Settings, load_fixture: Callable[[str], bytes]
) -> HelpScoutSender:
    """Sends signed webhook deliveries to the app under test."""
    assert settings.helpscout_webhook_secret is not None
    secret = settings.helpscout_webhook_secret.get_secret_value()
    return HelpScoutSender(client, secret, load_fixture)
