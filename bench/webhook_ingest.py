"""Webhook ingest under gunicorn: throughput and latency, against a bare Flask endpoint.

Two gunicorn servers run side by side with the same worker count and class: the real app
(`helpscout_app:create_app()`: signature check, parse, job queued once on a real Redis) and a
bare Flask endpoint that answers 200 and does nothing else. The same load generator
(`bench.senders`) drives both, one after the other:

- fixed rate: signed deliveries sent on a schedule (default 100/s for 20 s), open loop: each
  latency runs from the moment the request was due, so a server (or client) that falls behind
  shows it instead of slowing the schedule down;
- max rate: `concurrency` threads send back to back (default 10 s); throughput is responses
  per second, and the app's over the bare endpoint's is the figure issue 3 targets (>= 0.5).

Every delivery is distinct (its own conversation and thread ids, signed with the server's
secret), so each one is recorded and queued, never skipped as a redelivery. The load generator
is threads over `http.client` in this process (no external tool), on every CPU.
Redis is a spare database among 10-15 (the first empty one, taken atomically as the tests take
theirs, emptied afterwards; never database 0). No RQ worker runs: the figure is ingest alone, and
the count of jobs queued at the end checks that every accepted delivery was really queued. The
app's database is never touched by the webhook view (`workers.deliveries` says why).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import redis.exceptions
from flask import Flask
from redis import Redis

from bench import senders
from bench.deliveries import WEBHOOK_PATH, DeliveryMaker, SignedDelivery, send_delivery
from bench.errors import BenchSetupError
from bench.inputs import REPO_ROOT
from bench.senders import Figures
from bench.speed import every_cpu, use_every_cpu
from bench.tables import ms, render_table

SECRET = "bench-webhook-secret"

REDIS_SERVER_URL = "redis://127.0.0.1:6379"
REDIS_SPARE_DATABASES = range(10, 16)
REDIS_CLAIM_KEY = "amzguard:bench-session"
_CLAIM_IF_EMPTY = """
if redis.call('DBSIZE') == 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
return 0
"""
CLAIM_TTL_S = 3600
"""A run killed half-way leaves its database taken for at most this long."""

RATIO_MIN = 0.5
"""Issue 3: ingest throughput at least half the bare endpoint's, in the same run."""
P99_MAX_MS = 50.0
"""Issue 3: p99 latency under 50 ms at 100 requests/s."""


@dataclass
class LoadResult:
    """What one load run measured against one server."""

    server: str
    mode: str
    sent: int
    ok: int
    seconds: float
    per_second: float
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.sent - self.ok


# --- the bare endpoint ---------------------------------------------------------------------------


def create_bare_app() -> Flask:
    """The floor: a Flask app whose webhook route returns 200 and does nothing else."""
    app = Flask("bare")

    @app.post(WEBHOOK_PATH, strict_slashes=False)
    def receive() -> tuple[str, int]:
        return "", 200

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    app_spec: str, workdir: Path, env: dict[str, str], workers: int, name: str
) -> Iterator[str]:
    """Serve `app_spec` with gunicorn (sync workers) until the block ends; yields its base URL."""
    port = free_port()
    log_path = workdir / f"gunicorn-{name}.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(workdir),
        "--pythonpath",
        str(REPO_ROOT),
        "--log-level",
        "warning",
        app_spec,
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=use_every_cpu,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(port, server, log_path)
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log_path: Path) -> None:
    """Return once every worker answers /healthz; BenchSetupError if the server dies first."""
    deadline = time.monotonic() + 30
    answered = 0
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchSetupError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                answered += 1
                if answered >= 20:  # enough for every worker to have booted and served
                    return
        except OSError:
            time.sleep(0.05)  # polling a real process's start-up
        finally:
            connection.close()
    raise BenchSetupError(f"gunicorn did not answer within 30 s: {log_path.read_text()[-2000:]}")


@contextlib.contextmanager
def spare_redis_database() -> Iterator[str]:
    """The URL of the first empty Redis database among 10-15, taken for this run, emptied after."""
    claim = f"bench pid {os.getpid()}"
    for number in REDIS_SPARE_DATABASES:
        url = f"{REDIS_SERVER_URL}/{number}"
        connection = Redis.from_url(url, socket_connect_timeout=5)
        try:
            taken = connection.eval(_CLAIM_IF_EMPTY, 1, REDIS_CLAIM_KEY, claim, CLAIM_TTL_S)
        except redis.exceptions.ConnectionError as err:
            raise BenchSetupError(f"Redis does not answer at {REDIS_SERVER_URL}: {err}") from err
        if taken:
            try:
                yield url
            finally:
                connection.flushdb()
                connection.close()
            return
        connection.close()
    raise BenchSetupError("no empty Redis database among 10-15 for the benchmark")


# --- load ----------------------------------------------------------------------------------------


def _send(delivery: SignedDelivery, port: int) -> tuple[str, str]:
    """Post `delivery`: the (kind, status) `bench.senders` tallies."""
    return "webhook", send_delivery(port, delivery)


def fixed_rate(
    server: str,
    base_url: str,
    deliveries: DeliveryMaker,
    rate: float,
    seconds: float,
    threads: int = 16,
) -> LoadResult:
    """Send `rate` deliveries per second for `seconds`; latency counts from when each was due."""
    port = int(base_url.rsplit(":", 1)[1])
    tally = senders.open_loop(
        lambda _index: _send(deliveries.next(), port), rate=rate, seconds=seconds, threads=threads
    )
    return summarize(server, f"{rate:g}/s", tally.figures("webhook"), tally.elapsed_s)


def max_rate(
    server: str,
    base_url: str,
    deliveries: DeliveryMaker,
    seconds: float,
    concurrency: int,
) -> LoadResult:
    """`concurrency` threads send back to back for `seconds`; throughput is what came back."""
    port = int(base_url.rsplit(":", 1)[1])
    tally = senders.back_to_back(
        deliveries.next,
        lambda delivery: _send(delivery, port),
        seconds=seconds,
        threads=concurrency,
    )
    return summarize(server, "max", tally.figures("webhook"), tally.elapsed_s)


def summarize(server: str, mode: str, figures: Figures, seconds: float) -> LoadResult:
    """One run against one server: its figures, and the 2xx responses per second."""
    return LoadResult(
        server=server,
        mode=mode,
        sent=figures.sent,
        ok=figures.ok,
        seconds=seconds,
        per_second=figures.ok / seconds if seconds else 0.0,
        p50_ms=figures.p50_ms,
        p99_ms=figures.p99_ms,
        max_ms=figures.max_ms,
        statuses=figures.statuses,
    )


# --- the run -------------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """Everything one run measured, and how it did against issue 3's targets."""

    web_workers: int
    results: list[LoadResult]
    queued_jobs: int
    ratio: float | None
    p99_at_rate_ms: float | None
    ratio_passed: bool | None
    p99_passed: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "results": [asdict(result) for result in self.results]}


def run(
    *,
    rate: float = 100.0,
    rate_seconds: float = 20.0,
    max_seconds: float = 10.0,
    web_workers: int | None = None,
    concurrency: int | None = None,
    progress: Any = print,
) -> IngestReport:
    """Start both servers, drive the four load runs, and judge the figures."""
    workers = web_workers or 2 * (os.cpu_count() or 1) + 1
    threads = concurrency or 2 * workers
    workdir = Path(tempfile.mkdtemp(prefix="amz-guard-bench-"))
    try:
        with spare_redis_database() as redis_url, every_cpu():
            env = _server_environment(workdir, redis_url)
            deliveries = DeliveryMaker(SECRET)
            results = []
            with (
                gunicorn("helpscout_app:create_app()", workdir, env, workers, "app") as app_url,
                gunicorn(
                    "bench.webhook_ingest:create_bare_app()", workdir, env, workers, "bare"
                ) as bare_url,
            ):
                servers = {"amz-guard": app_url, "bare Flask": bare_url}
                for url in servers.values():
                    max_rate("warm-up", url, deliveries, 2.0, threads)
                for name, url in servers.items():
                    progress(f"{name}: {rate:g} requests/s for {rate_seconds:g} s")
                    results.append(fixed_rate(name, url, deliveries, rate, rate_seconds))
                for name, url in servers.items():
                    progress(f"{name}: max rate for {max_seconds:g} s, {threads} connections")
                    results.append(max_rate(name, url, deliveries, max_seconds, threads))
            queued = _queued_jobs(redis_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _judge(workers, results, queued)


def _server_environment(workdir: Path, redis_url: str) -> dict[str, str]:
    """The servers' environment: ours, minus any amz-guard setting, plus the bench's."""
    from helpscout_app.settings import Settings

    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        DATA_DIR=str(workdir / "data"),
        REDIS_URL=redis_url,
        HELPSCOUT_WEBHOOK_SECRET=SECRET,
        AMAZON_MAILBOX_IDS="101",
    )
    return env


def _queued_jobs(redis_url: str) -> int:
    """Jobs waiting on the webhook queue: the work the app really handed over."""
    from workers.queues import WEBHOOKS_QUEUE, queue_for

    connection = Redis.from_url(redis_url)
    try:
        return queue_for(connection, WEBHOOKS_QUEUE).count
    finally:
        connection.close()


def _judge(workers: int, results: list[LoadResult], queued: int) -> IngestReport:
    by_key = {(r.server, r.mode == "max"): r for r in results}
    app_max, bare_max = by_key.get(("amz-guard", True)), by_key.get(("bare Flask", True))
    app_rate = by_key.get(("amz-guard", False))
    ratio = app_max.per_second / bare_max.per_second if app_max and bare_max else None
    p99 = app_rate.p99_ms if app_rate else None
    return IngestReport(
        web_workers=workers,
        results=results,
        queued_jobs=queued,
        ratio=ratio,
        p99_at_rate_ms=p99,
        ratio_passed=None if ratio is None else ratio >= RATIO_MIN,
        p99_passed=None if p99 is None else p99 < P99_MAX_MS and app_rate.errors == 0,
    )


def render(report: IngestReport) -> str:
    """The results table and the work the app did."""
    rows = [
        [
            r.server,
            r.mode,
            r.sent,
            r.errors,
            f"{r.per_second:,.0f}",
            ms(r.p50_ms),
            ms(r.p99_ms),
            ms(r.max_ms),
            ", ".join(f"{status}: {count}" for status, count in sorted(r.statuses.items())),
        ]
        for r in report.results
    ]
    table = render_table(
        ["server", "load", "sent", "errors", "req/s", "p50 ms", "p99 ms", "max ms", "statuses"],
        rows,
    )
    accepted = sum(r.ok for r in report.results if r.server == "amz-guard")
    return (
        f"{table}\n\n  {report.web_workers} gunicorn sync workers per server; the app accepted "
        f"{accepted:,} deliveries in the measured runs and {report.queued_jobs:,} jobs were "
        "queued in all (warm-up included)"
    )
