"""`scripts/dev`, the README's quick start: from a checkout to a ready web app with a worker
beside it, both stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker

from bench.webhook_ingest import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120  # scripts/setup reinstalls the package first


def _readyz(port: int) -> int | None:
    """The status /readyz answers, or None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


def _wait_until(condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"scripts/dev exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"scripts/dev: no {what} within {START_TIMEOUT_S} s")
        time.sleep(0.2)


@pytest.fixture
def dev(
    clean_environment: Path, tmp_path: Path, redis_test_url: str, redis_conn: Redis
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """scripts/dev on a free port, with its SQLite file and the test Redis database."""
    port = free_port()
    environment = {
        **os.environ,
        "VENV": sys.prefix,
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "REDIS_URL": redis_test_url,
    }
    log = (tmp_path / "dev.log").open("wb")
    process = subprocess.Popen(
        [str(REPO_ROOT / "scripts" / "dev"), "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, so a failed test can stop all of it
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _started(process: subprocess.Popen[bytes], port: int, redis_conn: Redis) -> None:
    _wait_until(lambda: _readyz(port) is not None, "web server", process)
    _wait_until(lambda: len(Worker.all(connection=redis_conn)) == 1, "worker in Redis", process)


def test_the_quick_start_serves_a_ready_app_with_a_worker_and_stops_both(
    dev: tuple[subprocess.Popen[bytes], int], redis_conn: Redis
) -> None:
    process, port = dev
    _started(process, port, redis_conn)

    assert _readyz(port) == 200  # migrated, Redis and the database reachable

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=60) == 143
    assert _readyz(port) is None
    assert Worker.all(connection=redis_conn) == []  # the worker shut down and said so


def test_ctrl_c_stops_the_worker_with_one_signal_so_it_finishes_its_job(
    dev: tuple[subprocess.Popen[bytes], int], redis_conn: Redis, tmp_path: Path
) -> None:
    """A terminal sends SIGINT to its foreground process group: the script's, not its
    children's. Two signals would make RQ's worker shut down cold, killing a running job."""
    process, port = dev
    _started(process, port, redis_conn)

    os.killpg(process.pid, signal.SIGINT)

    assert process.wait(timeout=60) == 130
    assert _readyz(port) is None
    assert Worker.all(connection=redis_conn) == []
    log = (tmp_path / "dev.log").read_text()
    assert log.count("warm shut down requested") == 1
    assert "cold shut down" not in log
