"""Load over `http.client` for the benches: threads sending on a schedule or back to back.

Both ways record, per kind of request, each latency and each status (an HTTP status, or the name
of the error that stopped the request), and sum them up the same way: 2xx is ok, anything else
counts as an error; percentiles are nearest-rank.

- `open_loop`: request i is due at start + i/rate whatever happened to the earlier ones, and its
  latency counts from then, so a server (or a client) that falls behind shows it instead of
  slowing the schedule down;
- `back_to_back`: each thread sends its next request as soon as the last one came back, so the
  throughput is what the server manages.

Every request goes on a new connection, as gunicorn's sync workers close each one anyway.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

Prepared = TypeVar("Prepared")

SCHEDULE_LEAD_S = 0.2
"""The schedule starts this long after the threads are asked to, so the first requests are not
late just because their threads were still starting."""


def post(
    port: int, path: str, raw_body: bytes, headers: Mapping[str, str], timeout_s: float = 10.0
) -> str:
    """POST on a new connection; the status, or the name of the error that stopped it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.request("POST", path, body=raw_body, headers=headers)
        response = connection.getresponse()
        response.read()
        return str(response.status)
    except OSError as err:
        return type(err).__name__
    finally:
        connection.close()


def is_ok(status: str) -> bool:
    """A 2xx status; an error name or any other status is not."""
    return status.isdigit() and 200 <= int(status) < 300


def percentile_ms(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted seconds, in milliseconds."""
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
    return ordered[index] * 1000


@dataclass(frozen=True)
class Figures:
    """What the requests of one kind measured."""

    sent: int
    ok: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    statuses: dict[str, int]

    @classmethod
    def of(cls, latencies: list[float], statuses: Mapping[str, int]) -> Figures:
        ordered = sorted(latencies)
        return cls(
            sent=len(ordered),
            ok=sum(count for status, count in statuses.items() if is_ok(status)),
            p50_ms=percentile_ms(ordered, 0.50),
            p99_ms=percentile_ms(ordered, 0.99),
            max_ms=ordered[-1] * 1000 if ordered else None,
            statuses=dict(statuses),
        )


@dataclass
class Tally:
    """Latencies (seconds) and statuses by kind of request, recorded from many threads."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, kind: str, latency_s: float, status: str) -> None:
        with self._lock:
            self.latencies.setdefault(kind, []).append(latency_s)
            self.statuses.setdefault(kind, Counter())[status] += 1

    def figures(self, kind: str) -> Figures:
        """The kind's figures; all zero and n/a for a kind that was never sent."""
        return Figures.of(self.latencies.get(kind, []), self.statuses.get(kind, {}))


def open_loop(
    send: Callable[[int], tuple[str, str]], *, rate: float, seconds: float, threads: int
) -> Tally:
    """Call `send(i)` for i in 0 … rate*seconds - 1, each at its due time, from `threads` threads.

    `send` returns (kind, status); its latency counts from when it was due. The tally's
    `elapsed_s` runs from the first due time to the last response.
    """
    tally = Tally()
    start = time.perf_counter() + SCHEDULE_LEAD_S
    indexes = iter(range(int(rate * seconds)))
    lock = threading.Lock()

    def sender() -> None:
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # the schedule itself: open-loop load
            kind, status = send(index)
            tally.record(kind, time.perf_counter() - due, status)

    _run_threads(sender, threads)
    tally.elapsed_s = time.perf_counter() - start
    return tally


def back_to_back(
    prepare: Callable[[], Prepared],
    send: Callable[[Prepared], tuple[str, str]],
    *,
    seconds: float,
    threads: int,
) -> Tally:
    """`threads` threads each `prepare` a request and `send` it, over and over for `seconds`.

    `send` returns (kind, status); its latency is the send alone, without `prepare`.
    """
    tally = Tally()
    deadline = time.perf_counter() + seconds

    def sender() -> None:
        while time.perf_counter() < deadline:
            prepared = prepare()
            sent_at = time.perf_counter()
            kind, status = send(prepared)
            tally.record(kind, time.perf_counter() - sent_at, status)

    start = time.perf_counter()
    _run_threads(sender, threads)
    tally.elapsed_s = time.perf_counter() - start
    return tally


def _run_threads(target: Callable[[], None], count: int) -> None:
    workers = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
