"""The whole service under sustained load: gunicorn, real workers, PostgreSQL, Redis.

gunicorn serves `helpscout_app:create_app()` (sync workers), N `amz-guard worker` processes
work the queues, the store is a fresh PostgreSQL database migrated for the run, Redis is a spare
database among 10-15 of the local server (as the other benches take theirs), and Help Scout is
`bench.fake_helpscout` in its own process. An open-loop load generator (threads over
`http.client`, a new connection per request, latency counted from when each request was due)
sends a mix of signed agent-reply webhooks (each a new delivery with a phone number, so each
job posts a note, tags the conversation and records an alert) and signed Dynamic App sidebar
requests at a fixed rate for a fixed time.

After the load it waits for the workers to drain the queue, then checks the end state from the
database and the fake: every delivery that got a 2xx has exactly one row, `processed` or
`ignored`, and its conversation got exactly one note; none is lost, none acted on twice.

The deliveries come from `bench.deliveries` and the sending from `bench.senders`; the drills
(tests/drills) import `DeliveryMaker`, `SignedDelivery`, `send_delivery`, `end_state` and
`wait_for_drain` from here.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import deliveries, senders
from bench.deliveries import SignedDelivery, send_delivery, sign
from bench.fake_helpscout import FakeHelpScout
from bench.inputs import REPO_ROOT
from bench.senders import is_ok, post
from bench.speed import every_cpu
from bench.stack import (
    SIDEBAR_SECRET,
    WEBHOOK_SECRET,
    Workers,
    backing_services,
)
from bench.tables import ms, render_table
from bench.webhook_ingest import gunicorn

SIDEBAR_PATH = "/sidebar/dynamic"
SIDEBAR_BODY = (REPO_ROOT / "tests/fixtures/helpscout/sidebar/dynamic.json").read_bytes()
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
DONE_STATUSES = ("processed", "ignored")


class DeliveryMaker(deliveries.DeliveryMaker):
    """`bench.deliveries.DeliveryMaker`, signed by default with the stack's webhook secret."""

    def __init__(self, secret: str = WEBHOOK_SECRET, first: int = 1) -> None:
        super().__init__(secret, first)


def send_sidebar(port: int, timeout_s: float = 10.0) -> str:
    headers = {
        "Content-Type": "application/json",
        "X-HelpScout-Signature": sign(SIDEBAR_SECRET, SIDEBAR_BODY),
    }
    return post(port, SIDEBAR_PATH, SIDEBAR_BODY, headers, timeout_s)


@dataclass
class KindResult:
    """What one kind of request measured."""

    kind: str
    sent: int
    ok: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.sent - self.ok


@dataclass
class LoadRun:
    """One open-loop run: per kind figures, and the deliveries the app accepted."""

    rate: float
    seconds: float
    elapsed_s: float
    kinds: list[KindResult]
    accepted: list[SignedDelivery]

    @property
    def sent(self) -> int:
        return sum(kind.sent for kind in self.kinds)

    @property
    def ok(self) -> int:
        return sum(kind.ok for kind in self.kinds)

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0


def open_loop(
    port: int,
    deliveries: DeliveryMaker,
    *,
    rate: float,
    seconds: float,
    sidebar_share: float = 0.1,
    threads: int = 32,
) -> LoadRun:
    """Send `rate` requests/s for `seconds`, every `1/sidebar_share`-th a sidebar request.

    Open loop (`bench.senders.open_loop`): latency counts from when each request was due.
    """
    sidebar_every = round(1 / sidebar_share) if sidebar_share > 0 else 0
    accepted: list[SignedDelivery] = []
    lock = threading.Lock()

    def send(index: int) -> tuple[str, str]:
        if sidebar_every and index % sidebar_every == sidebar_every - 1:
            return "sidebar", send_sidebar(port)
        delivery = deliveries.next()
        status = send_delivery(port, delivery)
        if is_ok(status):
            with lock:
                accepted.append(delivery)
        return "webhook", status

    tally = senders.open_loop(send, rate=rate, seconds=seconds, threads=threads)
    kinds = [KindResult(kind, **asdict(tally.figures(kind))) for kind in ("webhook", "sidebar")]
    return LoadRun(rate, seconds, tally.elapsed_s, kinds, accepted)


# --- the end state -------------------------------------------------------------------------------


@dataclass
class EndState:
    """Every accepted delivery against the database's rows and the notes Help Scout got."""

    accepted: int
    rows: int
    done: int
    not_done: dict[str, int]
    lost: list[str]
    notes_missing: list[int]
    notes_repeated: dict[int, int]

    @property
    def exactly_once(self) -> bool:
        return (
            self.rows == self.accepted == self.done
            and not self.lost
            and not self.notes_missing
            and not self.notes_repeated
        )

    def describe(self) -> str:
        return (
            f"{self.accepted} accepted, {self.rows} rows, {self.done} processed or ignored, "
            f"not done {self.not_done}, lost {self.lost[:5]} ({len(self.lost)}), "
            f"without a note {self.notes_missing[:5]} ({len(self.notes_missing)}), "
            f"notes repeated {dict(list(self.notes_repeated.items())[:5])}"
        )


def delivery_rows(database_url: str) -> dict[str, str]:
    """delivery key → status of every row in webhook_deliveries."""
    from sqlalchemy import text

    from helpscout_app.store.database import create_engine_for

    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            result = connection.execute(text("SELECT delivery_key, status FROM webhook_deliveries"))
            return {key: str(status) for key, status in result}
    finally:
        engine.dispose()


def end_state(database_url: str, accepted: list[SignedDelivery], notes: dict[str, int]) -> EndState:
    """Compare what the app accepted with the rows and the notes (each delivery: one of each)."""
    rows = delivery_rows(database_url)
    accepted_keys = {delivery.delivery_key for delivery in accepted}
    ours = {key: status for key, status in rows.items() if key in accepted_keys}
    not_done = Counter(status for status in ours.values() if status not in DONE_STATUSES)
    conversations = [delivery.conversation_id for delivery in accepted]
    return EndState(
        accepted=len(accepted_keys),
        rows=len(ours),
        done=sum(1 for status in ours.values() if status in DONE_STATUSES),
        not_done=dict(not_done),
        lost=sorted(accepted_keys - ours.keys()),
        notes_missing=[c for c in conversations if notes.get(str(c), 0) == 0],
        notes_repeated={c: notes[str(c)] for c in conversations if notes.get(str(c), 0) > 1},
    )


def wait_for_drain(
    database_url: str,
    accepted: list[SignedDelivery],
    *,
    timeout_s: float,
    stall_s: float = 60.0,
    progress: Callable[[str], None] | None = None,
    progress_every_s: float = 15.0,
) -> float | None:
    """Seconds until every accepted delivery's row is done; None at `timeout_s`, or when
    nothing moved for `stall_s`. Says how far it got every `progress_every_s`."""
    keys = {delivery.delivery_key for delivery in accepted}
    started = last_move = time.monotonic()
    last_done, last_said = -1, float("-inf")
    while True:
        rows = delivery_rows(database_url)
        done = sum(1 for key in keys if rows.get(key) in DONE_STATUSES)
        now = time.monotonic()
        if done == len(keys):
            return now - started
        if done != last_done:
            last_done, last_move = done, now
        if progress and now - last_said >= progress_every_s:
            last_said = now
            progress(f"  drained {done:,} of {len(keys):,} after {now - started:.0f} s")
        if now - started > timeout_s or now - last_move > stall_s:
            return None
        time.sleep(1.0)  # polling the database while the workers drain


# --- the run -------------------------------------------------------------------------------------


@dataclass
class LoadReport:
    web_workers: int
    workers: int
    run: LoadRun
    drain_s: float | None
    state: EndState
    fake_requests: dict[str, int]

    @property
    def passed(self) -> bool:
        return self.run.ok == self.run.sent and self.state.exactly_once

    def to_dict(self) -> dict[str, Any]:
        return {
            "web_workers": self.web_workers,
            "workers": self.workers,
            "rate": self.run.rate,
            "seconds": self.run.seconds,
            "elapsed_s": self.run.elapsed_s,
            "per_second": self.run.per_second,
            "kinds": [asdict(kind) for kind in self.run.kinds],
            "drain_s": self.drain_s,
            "end_state": {**asdict(self.state), "exactly_once": self.state.exactly_once},
            "fake_requests": self.fake_requests,
            "passed": self.passed,
        }


@contextlib.contextmanager
def load_stack(
    *, postgres_url: str, web_workers: int, workers: int, workdir: Path
) -> Iterator[tuple[int, str, FakeHelpScout]]:
    """gunicorn, `workers` amz-guard workers, a fresh database, a spare Redis, the fake.

    Yields (gunicorn's port, the database URL, the fake)."""
    with backing_services(postgres_url, workdir, "amzguard_load") as (env, database_url, fake):
        processes = Workers(workdir, env)
        try:
            processes.start(workers)
            app_spec = "helpscout_app:create_app()"
            with gunicorn(app_spec, workdir, env, web_workers, "load") as url:
                yield int(url.rsplit(":", 1)[1]), database_url, fake
        finally:
            processes.stop()


def run(
    *,
    rate: float = 200.0,
    seconds: float = 30.0,
    workers: int = 4,
    web_workers: int = 4,
    postgres_url: str = DEFAULT_POSTGRES,
    drain_timeout_s: float = 1200.0,
    sidebar_share: float = 0.1,
    progress: Callable[[str], None] = print,
) -> LoadReport:
    """Start the stack, drive the load, wait for the drain, and check the end state."""
    workdir = Path(tempfile.mkdtemp(prefix="amz-guard-load-"))
    try:
        with (
            every_cpu(),
            load_stack(
                postgres_url=postgres_url, web_workers=web_workers, workers=workers, workdir=workdir
            ) as (port, database_url, fake),
        ):
            deliveries = DeliveryMaker()
            progress(f"{rate:g} requests/s for {seconds:g} s, {workers} amz-guard workers")
            load = open_loop(
                port, deliveries, rate=rate, seconds=seconds, sidebar_share=sidebar_share
            )
            progress(f"sent {load.sent:,}; waiting for the workers to drain")
            drain_s = wait_for_drain(
                database_url, load.accepted, timeout_s=drain_timeout_s, progress=progress
            )
            stats = fake.stats()
            state = end_state(database_url, load.accepted, stats["notes"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return LoadReport(web_workers, workers, load, drain_s, state, stats["requests"])


def render(report: LoadReport) -> str:
    rows = [
        [
            kind.kind,
            f"{kind.sent:,}",
            str(kind.errors),
            ms(kind.p50_ms),
            ms(kind.p99_ms),
            ms(kind.max_ms),
            ", ".join(f"{status}: {n}" for status, n in sorted(kind.statuses.items())),
        ]
        for kind in report.run.kinds
    ]
    table = render_table(
        ["requests", "sent", "errors", "p50 ms", "p99 ms", "max ms", "statuses"], rows
    )
    state = report.state
    drain = "not drained" if report.drain_s is None else f"{report.drain_s:.1f} s"
    return (
        f"{table}\n\n"
        f"  {report.web_workers} gunicorn sync workers, {report.workers} amz-guard workers; "
        f"offered {report.run.rate:g}/s for {report.run.seconds:g} s, achieved "
        f"{report.run.per_second:,.1f} 2xx/s over {report.run.elapsed_s:.1f} s\n"
        f"  drain after the load: {drain}\n"
        f"  end state: {state.accepted:,} deliveries accepted, {state.rows:,} rows, "
        f"{state.done:,} processed or ignored, {len(state.lost)} lost, "
        f"{len(state.notes_missing)} without a note, {len(state.notes_repeated)} with more "
        f"than one; exactly once: {'yes' if state.exactly_once else 'NO'}\n"
        f"  Help Scout (fake) requests: "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(report.fake_requests.items()))
    )
