"""Counters kept in Redis, so counts made in worker processes (any container) reach /metrics.

One Redis hash per counter, `<prefix><counter name>`; each field is a series' label values as a
JSON list (in the counter's label order), its value the count. Workers add with HINCRBYFLOAT in
one pipeline per job; the web reads every hash at scrape time. Nothing expires: a counter only
grows, and Prometheus treats a reset (Redis emptied) as a counter reset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from redis import Redis

from helpscout_app.observability.metrics import CounterSpec, CountKey, LabelValues


def add_counts(connection: Redis, prefix: str, counts: Mapping[CountKey, float]) -> None:
    """Add `counts` to the counters in Redis; raises redis errors (the caller decides)."""
    if not counts:
        return
    with connection.pipeline(transaction=False) as pipeline:
        for (name, labels), amount in counts.items():
            pipeline.hincrbyfloat(prefix + name, _field(labels), amount)
        pipeline.execute()


def read_counts(
    connection: Redis, prefix: str, specs: Iterable[CounterSpec]
) -> dict[str, dict[LabelValues, float]]:
    """Every series of `specs` stored in Redis, by counter name; raises redis errors."""
    names = [spec.name for spec in specs]
    with connection.pipeline(transaction=False) as pipeline:
        for name in names:
            pipeline.hgetall(prefix + name)
        hashes = pipeline.execute()
    counts: dict[str, dict[LabelValues, float]] = {}
    for name, stored in zip(names, hashes, strict=True):
        series = counts.setdefault(name, {})
        for field, value in stored.items():
            series[_labels(field)] = float(value)
    return counts


def _field(labels: LabelValues) -> str:
    return json.dumps(list(labels), separators=(",", ":"))


def _labels(field: bytes | str) -> LabelValues:
    return tuple(str(value) for value in json.loads(field))
