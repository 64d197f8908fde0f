"""Speed figures: throughput and latency on ~2 KB replies, and growth on adversarial input.

- Throughput: every checker goes over the same list of ~2 KB replies, one pass each in turn
  (detector, baseline, phonenumbers only, then again), after a warm-up pass, until each has
  spent at least the requested time checking. checks/s is checks divided by the time spent in
  the checker; p50/p99 are per-check latencies. The process is pinned to one CPU when the OS
  allows it, so the figures are for one core.
- Adversarial: each input (see `bench.inputs.ADVERSARIAL`) is built at 10 KB, 100 KB and 1 MB
  and checked in a forked worker process, so a catastrophic regex shows up as "TIMEOUT > Ns"
  instead of hanging the benchmark; the worker is killed and a new one forked. A run faster
  than 50 ms is repeated (up to 5 runs) and the fastest kept. The growth factor t(1 MB) /
  t(100 KB) is ~10 for linear cost; above `SUPERLINEAR_FACTOR` the row is flagged.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import io
import itertools
import multiprocessing
import os
import pstats
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.inputs import ADVERSARIAL_BY_NAME, REPO_ROOT, Adversarial, Reply
from bench.quality import Checker
from bench.tables import render_table

SUPERLINEAR_FACTOR = 15.0
"""Growth between two sizes 10x apart above which cost is called super-linear (linear: ~10,
n log n: ~12, quadratic: ~100). Small times are noisy, so steps ending under 10 ms are not
judged; see `linearity`."""

REPEAT_BELOW_S = 0.05
MAX_REPEATS = 5


def pin_to_one_cpu(cpu: int | None = None) -> str:
    """Pin this process (and the workers it forks) to one CPU; say which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (os.sched_setaffinity is not available on this OS)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[-1] if cpu is None else cpu
    try:
        os.sched_setaffinity(0, {chosen})
    except OSError as err:
        return f"not pinned (CPU {chosen}: {err.strerror}); allowed CPUs {allowed}"
    return f"pinned to CPU {chosen} (of {len(allowed)} allowed: {allowed})"


def use_every_cpu() -> None:
    """Undo `pin_to_one_cpu` in this process (a server's `preexec_fn`, or a bench's own)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))


@contextlib.contextmanager
def every_cpu() -> Iterator[None]:
    """Every CPU for this process and what it starts meanwhile (servers, workers, load
    threads), then pinned back: the service benches measure the machine, not one CPU."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    with contextlib.suppress(OSError):
        use_every_cpu()
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


# --- throughput on ~2 KB replies -------------------------------------------------------------


@dataclass(slots=True)
class Throughput:
    """One checker's throughput and latency over the reply set."""

    checker: str
    checks: int
    seconds: float
    per_second: float
    p50_us: float
    p99_us: float
    mean_us: float
    max_us: float


def _percentile(sorted_ns: list[int], q: float) -> float:
    """Nearest-rank percentile, in microseconds."""
    index = min(len(sorted_ns) - 1, max(0, round(q * len(sorted_ns)) - 1))
    return sorted_ns[index] / 1000


def _one_pass(checker: Checker, replies: list[Reply], latencies: list[int]) -> int:
    """Check every reply once, appending per-check latencies; return the pass's total ns."""
    clock = time.perf_counter_ns
    total = 0
    for reply in replies:
        start = clock()
        checker(reply.text, html=reply.html)
        elapsed = clock() - start
        latencies.append(elapsed)
        total += elapsed
    return total


def measure_throughput(
    checkers: dict[str, Checker], replies: list[Reply], min_seconds: float = 3.0
) -> list[Throughput]:
    """Interleaved passes over the same replies until each checker has run min_seconds."""
    latencies: dict[str, list[int]] = {name: [] for name in checkers}
    spent_ns: dict[str, int] = dict.fromkeys(checkers, 0)
    for checker in checkers.values():  # warm-up: caches, lazy compiles, first-call loading
        _one_pass(checker, replies, [])
    while min(spent_ns.values()) < min_seconds * 1e9:
        for name, checker in checkers.items():
            gc.collect()
            spent_ns[name] += _one_pass(checker, replies, latencies[name])
    results: list[Throughput] = []
    for name in checkers:
        ordered = sorted(latencies[name])
        seconds = spent_ns[name] / 1e9
        results.append(
            Throughput(
                checker=name,
                checks=len(ordered),
                seconds=seconds,
                per_second=len(ordered) / seconds,
                p50_us=_percentile(ordered, 0.50),
                p99_us=_percentile(ordered, 0.99),
                mean_us=seconds * 1e6 / len(ordered),
                max_us=ordered[-1] / 1000,
            )
        )
    return results


def profile_checker(checker: Checker, replies: list[Reply], passes: int = 3, top: int = 25) -> str:
    """cProfile of `passes` passes over the replies (after a warm-up pass): the `top`
    functions by own time, paths shown relative to the repository. Profiling slows every
    call, so these are shares of time, not speeds."""
    _one_pass(checker, replies, [])
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(passes):
        for reply in replies:
            checker(reply.text, html=reply.html)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    root = str(REPO_ROOT) + os.sep
    lines = buffer.getvalue().replace(root, "").strip().splitlines()
    return "\n".join("  " + line for line in lines if line.strip())


def render_throughput(results: list[Throughput]) -> str:
    """checks/s and latency per checker; the last column is the first checker's speed over
    each other's (above 1: the first is faster)."""
    first = results[0]
    return render_table(
        [
            "checker",
            "checks",
            "checks/s",
            "p50 µs",
            "p99 µs",
            "mean µs",
            "max µs",
            f"{first.checker} speed ÷ this",
        ],
        [
            [
                r.checker,
                r.checks,
                f"{r.per_second:,.0f}",
                f"{r.p50_us:,.0f}",
                f"{r.p99_us:,.0f}",
                f"{r.mean_us:,.0f}",
                f"{r.max_us:,.0f}",
                f"{first.per_second / r.per_second:.2f}x" if r is not first else "-",
            ]
            for r in results
        ],
    )


# --- adversarial inputs ----------------------------------------------------------------------


@dataclass(slots=True)
class Timing:
    """One checker on one adversarial input of one size."""

    checker: str
    input: str
    family: str
    size: str
    chars: int
    status: str  # "ok", "timeout", "skipped" (a smaller size timed out), "crash"
    seconds: float | None = None
    findings: int | None = None
    detail: str = ""


def _serve(conn: Connection, checkers: dict[str, Checker]) -> None:
    """Worker loop: build the named input, time the checker on it, send the result back."""
    while True:
        task = conn.recv()
        if task is None:
            return
        checker_name, input_name, chars = task
        adversarial = ADVERSARIAL_BY_NAME[input_name]
        text = adversarial.build(chars)
        checker = checkers[checker_name]
        try:
            best = float("inf")
            spent = 0.0
            for _ in range(MAX_REPEATS):
                gc.collect()
                start = time.perf_counter()
                report = checker(text, html=adversarial.html)
                elapsed = time.perf_counter() - start
                best = min(best, elapsed)
                spent += elapsed
                if elapsed >= REPEAT_BELOW_S or spent >= 4 * REPEAT_BELOW_S:
                    break
            conn.send(("ok", best, len(report.findings), ""))
        except Exception as err:  # reported per input; the worker goes on
            conn.send(("crash", None, None, f"{type(err).__name__}: {err}"))


class _Worker:
    """A forked process that runs timing tasks and can be killed on timeout."""

    def __init__(self, checkers: dict[str, Checker]) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_conn, checkers), daemon=True)
        self.process.start()
        child_conn.close()

    def run(self, task: tuple[str, str, int], timeout_s: float) -> tuple[Any, ...] | None:
        """The worker's answer, or None if it took longer than timeout_s (or died)."""
        self.conn.send(task)
        try:
            if self.conn.poll(timeout_s):
                return self.conn.recv()
        except EOFError:
            pass
        return None

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def time_adversarial(
    checkers: dict[str, Checker],
    inputs: list[Adversarial],
    sizes: dict[str, int],
    timeout_s: float,
    progress: Any = None,
) -> list[Timing]:
    """Time every checker on every input at every size, each run guarded by timeout_s."""
    timings: list[Timing] = []
    worker = _Worker(checkers)
    try:
        for adversarial in inputs:
            for checker_name in checkers:
                timed_out = False
                for size_label, chars in sizes.items():
                    timing = Timing(
                        checker_name,
                        adversarial.name,
                        adversarial.family,
                        size_label,
                        chars,
                        "skipped",
                    )
                    if not timed_out:
                        answer = worker.run((checker_name, adversarial.name, chars), timeout_s)
                        if answer is None:
                            timed_out = True
                            timing.status = "timeout"
                            worker.kill()
                            worker = _Worker(checkers)
                        else:
                            timing.status, timing.seconds, timing.findings, timing.detail = answer
                    timings.append(timing)
                if progress is not None:
                    progress(f"{adversarial.name} / {checker_name}")
    finally:
        worker.close()
    return timings


def growth(timings: list[Timing], checker: str, input_name: str) -> list[float | None]:
    """t(size i+1) / t(size i) for consecutive sizes of one checker and input."""
    times = [t.seconds for t in timings if t.checker == checker and t.input == input_name]
    return [b / a if a and b else None for a, b in itertools.pairwise(times)]


def linearity(timings: list[Timing], checker: str, input_name: str, timeout_s: float) -> str:
    """How one checker's cost on one input grows with size.

    - "crash": a run raised;
    - "super-linear": a 10x step in size cost more than SUPERLINEAR_FACTOR x (steps ending
      under 10 ms are not judged), or a run timed out although SUPERLINEAR_FACTOR x the
      smaller size's time would have fitted in the timeout, or the smallest size timed out;
    - "not judged": a run timed out where even linear growth could have exceeded the timeout;
    - "linear": none of the above.
    """
    rows = [t for t in timings if t.checker == checker and t.input == input_name]
    if any(t.status == "crash" for t in rows):
        return "crash"
    if rows and rows[0].status == "timeout":
        return "super-linear"
    verdict = "linear"
    for small, big in itertools.pairwise(rows):
        if small.seconds is None:
            continue
        allowed = small.seconds * SUPERLINEAR_FACTOR * (big.chars / small.chars) / 10
        if big.status == "timeout":
            if allowed < timeout_s:
                return "super-linear"
            verdict = "not judged"
        elif big.seconds is not None and big.seconds >= 0.010 and big.seconds > allowed:
            return "super-linear"
    return verdict


def format_seconds(seconds: float | None, status: str, timeout_s: float) -> str:
    """`12.3 ms`, `1.52 s`, `TIMEOUT > 10s`, `skipped`, `CRASH`."""
    if status == "timeout":
        return f"TIMEOUT > {timeout_s:g}s"
    if status == "skipped":
        return "skipped"
    if status == "crash" or seconds is None:
        return "CRASH"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def render_adversarial(
    timings: list[Timing], checker: str, timeout_s: float, limit_s: float
) -> str:
    """Time per size, growth factors and flags for one checker, a row per input."""
    inputs = list(dict.fromkeys(t.input for t in timings if t.checker == checker))
    size_labels = list(dict.fromkeys(t.size for t in timings))
    rows: list[list[object]] = []
    for name in inputs:
        rows_for = [t for t in timings if t.checker == checker and t.input == name]
        factors = growth(timings, checker, name)
        flags: list[str] = []
        shape = linearity(timings, checker, name, timeout_s)
        if any(t.status == "timeout" for t in rows_for):
            flags.append("TIMEOUT")
        if shape == "crash":
            flags.append("CRASH " + next(t.detail for t in rows_for if t.status == "crash"))
        elif shape != "linear":
            flags.append(shape.upper().replace(" ", "-"))
        last = rows_for[-1]
        if last.seconds is not None and last.seconds >= limit_s:
            flags.append(f">= {limit_s:g}s at {last.size}")
        rows.append(
            [
                name,
                *(format_seconds(t.seconds, t.status, timeout_s) for t in rows_for),
                *(f"{f:.1f}x" if f is not None else "-" for f in factors),
                last.findings if last.findings is not None else "-",
                ", ".join(flags) or "ok",
            ]
        )
    growth_headers = [f"{a}->{b}" for a, b in itertools.pairwise(size_labels)]
    return render_table(
        ["input", *size_labels, *growth_headers, f"findings@{size_labels[-1]}", "flags"], rows
    )


def timings_to_dicts(timings: list[Timing]) -> list[dict[str, Any]]:
    """JSON-ready timings."""
    return [asdict(t) for t in timings]
