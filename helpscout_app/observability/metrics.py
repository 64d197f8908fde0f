"""amz-guard's counters, and the one-line calls that count them.

Where a count goes depends on the process, chosen at its start:

- **Web processes** count in prometheus_client counters of their own. Under gunicorn,
  `gunicorn.conf.py` sets `PROMETHEUS_MULTIPROC_DIR`, so each gunicorn worker writes its counts
  to a small mmap file there, and /metrics sums every file (`MultiProcessCollector`): no network
  per count, which matters on the webhook path (bench/README.md, "Webhook ingest").
- **Worker processes** call `buffer_counts()` at start: their counts wait in memory, and the
  worker adds them to Redis once per job (`take_buffered_counts` + `shared_counters.add_counts`,
  one pipelined round trip). /metrics reads them back at scrape time and adds them to its own.

Why not one multiprocess directory for both: RQ forks a work-horse per job, and prometheus_client
keeps a file per process id, so a worker would leave thousands of files a day behind; and with
`docker compose up --scale worker=N` the workers run in other containers than the web, which
would need a shared volume. Redis is what web and workers already share, and a counter kept
there survives a worker's restart as Prometheus expects a counter to. Counts from the one-shot
CLI passes (`amz-guard reconcile --once`) stay in that process and are not reported.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

LabelValues = tuple[str, ...]
CountKey = tuple[str, LabelValues]
"""A series: its counter's name and its label values, in the counter's label order."""


@dataclass(frozen=True)
class CounterSpec:
    """A counter's name (without `_total`), help text and label names."""

    name: str
    documentation: str
    labelnames: tuple[str, ...] = ()


WEBHOOKS_RECEIVED = CounterSpec(
    "amzguard_webhooks_received",
    "Help Scout webhook deliveries by event and outcome (queued, duplicate, ignored, "
    "refused_signature, refused_payload, too_large, unavailable); event is 'unverified' when "
    "the signature was not checked or failed.",
    ("event", "outcome"),
)
REPLIES_CHECKED = CounterSpec(
    "amzguard_replies_checked",
    "Reply bodies run through the detector for the first time, by source (reply, draft, "
    "scheduled).",
    ("source",),
)
REPLIES_BLOCKED = CounterSpec(
    "amzguard_replies_blocked",
    "Checked reply bodies blocked, by detector finding kind (one count per kind found).",
    ("kind",),
)
SCHEDULES_CANCELLED = CounterSpec(
    "amzguard_send_later_cancelled", "Send Later replies cancelled by the gate."
)
ALERTS_SENT = CounterSpec("amzguard_alerts_sent", "Slack messages posted, by alert tag.", ("tag",))
HELPSCOUT_CALLS = CounterSpec(
    "amzguard_helpscout_api_calls",
    "HTTP requests to the Help Scout API by method, endpoint (ids as {id}) and status "
    "('error' when no answer came).",
    ("method", "endpoint", "status"),
)
HELPSCOUT_RATE_LIMIT_WAITS = CounterSpec(
    "amzguard_helpscout_rate_limit_waits", "Help Scout 429 answers waited out."
)
HELPSCOUT_RATE_LIMIT_WAIT_SECONDS = CounterSpec(
    "amzguard_helpscout_rate_limit_wait_seconds", "Time spent waiting out Help Scout 429s."
)

COUNTERS: tuple[CounterSpec, ...] = (
    WEBHOOKS_RECEIVED,
    REPLIES_CHECKED,
    REPLIES_BLOCKED,
    SCHEDULES_CANCELLED,
    ALERTS_SENT,
    HELPSCOUT_CALLS,
    HELPSCOUT_RATE_LIMIT_WAITS,
    HELPSCOUT_RATE_LIMIT_WAIT_SECONDS,
)
"""Every counter, in the order /metrics lists them."""

UNVERIFIED_EVENT = "unverified"
MAX_LABEL_LENGTH = 64
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")

LOCAL_REGISTRY = CollectorRegistry(auto_describe=True)
"""This process's own counters (outside gunicorn's multiprocess mode, what /metrics reads)."""

_lock = threading.Lock()
_local_counters: dict[str, Counter] = {}
_buffer: dict[CountKey, float] | None = None


# --- the one-line calls -------------------------------------------------------------------------


def count_webhook(event: str | None, outcome: str) -> None:
    """One webhook delivery answered with `outcome`; pass `event` only once the signature held."""
    _count(WEBHOOKS_RECEIVED, (_bounded(event or UNVERIFIED_EVENT), outcome))


def count_reply_check(source: str, blocked_kinds: Iterable[str]) -> None:
    """A reply body checked for the first time, and each kind of blocking finding in it."""
    _count(REPLIES_CHECKED, (str(source),))
    for kind in sorted({str(kind) for kind in blocked_kinds}):
        _count(REPLIES_BLOCKED, (kind,))


def count_schedule_cancelled() -> None:
    """A Send Later reply cancelled by the gate."""
    _count(SCHEDULES_CANCELLED, ())


def count_alert_sent(tag: str) -> None:
    """A Slack message posted for an alert tagged `tag`."""
    _count(ALERTS_SENT, (str(tag),))


def count_helpscout_call(method: str, url_path: str, status: int | None) -> None:
    """One HTTP request to Help Scout; `status` None when no answer came (connection failure)."""
    endpoint = _ID_SEGMENT.sub("/{id}", url_path) or "/"
    _count(HELPSCOUT_CALLS, (method, endpoint, "error" if status is None else str(status)))


def count_rate_limit_wait(wait_s: float) -> None:
    """A Help Scout 429 waited out for `wait_s` seconds."""
    _count(HELPSCOUT_RATE_LIMIT_WAITS, ())
    _count(HELPSCOUT_RATE_LIMIT_WAIT_SECONDS, (), wait_s)


# --- where counts go ----------------------------------------------------------------------------


def buffer_counts() -> None:
    """From now on keep this process's counts in memory for `take_buffered_counts` (workers)."""
    global _buffer
    with _lock:
        if _buffer is None:
            _buffer = {}


def take_buffered_counts() -> dict[CountKey, float]:
    """The counts buffered since the last call, removed from the buffer; {} when not buffering."""
    global _buffer
    with _lock:
        if not _buffer:
            return {}
        taken, _buffer = _buffer, {}
        return taken


def count_locally() -> None:
    """Count in this process's own counters again (the default; undoes `buffer_counts`)."""
    global _buffer
    with _lock:
        _buffer = None


def spec_named(name: str) -> CounterSpec:
    """The counter called `name`; KeyError for another name."""
    for spec in COUNTERS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def _count(spec: CounterSpec, labels: LabelValues, amount: float = 1.0) -> None:
    with _lock:
        if _buffer is not None:
            key = (spec.name, labels)
            _buffer[key] = _buffer.get(key, 0.0) + amount
            return
        counter = _local_counters.get(spec.name)
        if counter is None:
            # Made on first use, not at import: a process that never counts (or buffers) leaves
            # no file in PROMETHEUS_MULTIPROC_DIR.
            counter = Counter(
                spec.name, spec.documentation, spec.labelnames, registry=LOCAL_REGISTRY
            )
            _local_counters[spec.name] = counter
    (counter.labels(*labels) if labels else counter).inc(amount)


def _bounded(label: str) -> str:
    """A label value cut to MAX_LABEL_LENGTH characters."""
    return label[:MAX_LABEL_LENGTH]


def local_count(spec: CounterSpec, labels: Mapping[str, str] | None = None) -> float:
    """This process's own count of one series (0 when never counted); for tests and the CLI."""
    value = LOCAL_REGISTRY.get_sample_value(f"{spec.name}_total", dict(labels or {}))
    return value or 0.0
