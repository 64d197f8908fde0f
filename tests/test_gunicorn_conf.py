"""gunicorn.conf.py: real gunicorn, two workers; every worker's counts reach /metrics whichever
worker serves the scrape, and /readyz answers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpscout_app.store.migrate import upgrade

REPO_ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_SECRET = "gunicorn-test-secret"
DELIVERIES = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@pytest.fixture
def gunicorn(tmp_path: Path, redis_test_url: str, redis_conn: object) -> Iterator[str]:
    """gunicorn with gunicorn.conf.py on a free port; yields its base URL."""
    database_url = f"sqlite:///{tmp_path / 'amz-guard.sqlite3'}"
    upgrade(database_url)
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key.startswith(("PATH", "LANG", "LC_", "HOME", "PYTHON"))
    } | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_test_url,
        "HELPSCOUT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOG_LEVEL": "WARNING",
    }
    log_path = tmp_path / "gunicorn.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(REPO_ROOT / "gunicorn.conf.py"),
            "helpscout_app:create_app()",
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 8
        while True:
            try:
                if get(f"{base_url}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                pytest.fail(f"gunicorn did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log_file.close()


def webhooks_received(base_url: str) -> float:
    status, page = get(f"{base_url}/metrics")
    assert status == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == "amzguard_webhooks_received_total"
    )


def test_gunicorn_serves_metrics_summed_over_its_workers_and_readiness(gunicorn: str) -> None:
    raw_body = b'{"id": 1}'
    signature = base64.b64encode(
        hmac.new(WEBHOOK_SECRET.encode(), raw_body, hashlib.sha1).digest()
    ).decode()
    headers = {
        "Content-Type": "application/json",
        "X-HelpScout-Event": "helpscout.test",
        "X-HelpScout-Signature": signature,
    }
    for _ in range(DELIVERIES):  # a new connection each: both workers take some
        assert get(f"{gunicorn}/webhooks/helpscout", raw_body, headers)[0] == 200

    # Any worker may answer each scrape: each must see every worker's counts.
    assert [webhooks_received(gunicorn) for _ in range(4)] == [DELIVERIES] * 4
    status, body = get(f"{gunicorn}/readyz")
    assert status == 200, body
