"""The /metrics page: this process's counters (or every gunicorn worker's), plus the counters
workers keep in Redis, summed per series, plus gauges read from their source at scrape time.

A source that cannot be read (Redis or the database down) does not fail the scrape: its series
are left out and `amzguard_metrics_source_up{source=…}` says 0, so the page still serves what
it can and the outage is itself a metric.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from redis import Redis

from helpscout_app.observability.metrics import COUNTERS, LOCAL_REGISTRY, LabelValues
from helpscout_app.observability.shared_counters import read_counts

log = logging.getLogger(__name__)

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
SOURCE_UP = "amzguard_metrics_source_up"
SHARED_COUNTERS_SOURCE = "shared_counters"


@dataclass(frozen=True)
class ScrapeGauge:
    """A gauge read when scraped: `read()` returns {label values: value}; `source` names what it
    reads (one `SOURCE_UP` series per source)."""

    name: str
    documentation: str
    labelnames: tuple[str, ...]
    source: str
    read: Callable[[], Mapping[LabelValues, float]]


@dataclass(frozen=True)
class SharedCounters:
    """Where workers keep their counts: a Redis connection and the key prefix."""

    connection: Redis
    prefix: str


def render_metrics(
    shared: SharedCounters | None, gauges: Iterable[ScrapeGauge] = ()
) -> tuple[bytes, str]:
    """The page in Prometheus' text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_PageCollector(shared, tuple(gauges)))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def is_multiprocess() -> bool:
    """True when counters live in PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py)."""
    return bool(os.environ.get(MULTIPROC_DIR_VARIABLE))


def _local_counts() -> dict[str, dict[LabelValues, float]]:
    """This process's counts, or under gunicorn every worker's (dead ones included)."""
    if is_multiprocess():
        registry = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(registry)
        families: Iterable[Metric] = registry.collect()
    else:
        families = LOCAL_REGISTRY.collect()
    label_order = {spec.name: spec.labelnames for spec in COUNTERS}
    counts: dict[str, dict[LabelValues, float]] = {}
    for family in families:
        names = label_order.get(family.name)
        if names is None:
            continue
        series = counts.setdefault(family.name, {})
        for sample in family.samples:
            if sample.name == family.name + "_total":
                labels = tuple(sample.labels[name] for name in names)
                series[labels] = series.get(labels, 0.0) + sample.value
    return counts


class _PageCollector(Collector):
    """Everything on the page, collected afresh at each scrape."""

    def __init__(self, shared: SharedCounters | None, gauges: tuple[ScrapeGauge, ...]) -> None:
        self._shared = shared
        self._gauges = gauges

    def collect(self) -> Iterator[Metric]:
        up: dict[str, bool] = {}
        totals = _local_counts()
        if self._shared is not None:
            try:
                stored = read_counts(self._shared.connection, self._shared.prefix, COUNTERS)
            except Exception as err:  # whatever failed, only this source is lost
                log.warning("metrics: counters in Redis not read: %s", type(err).__name__)
                up[SHARED_COUNTERS_SOURCE] = False
            else:
                up[SHARED_COUNTERS_SOURCE] = True
                for name, series in stored.items():
                    merged = totals.setdefault(name, {})
                    for labels, value in series.items():
                        merged[labels] = merged.get(labels, 0.0) + value
        for spec in COUNTERS:
            family = CounterMetricFamily(spec.name, spec.documentation, labels=spec.labelnames)
            series = totals.get(spec.name, {})
            if not spec.labelnames and not series:
                series = {(): 0.0}  # an unlabelled counter is always shown, from 0
            for labels, value in sorted(series.items()):
                family.add_metric(list(labels), value)
            yield family
        for gauge in self._gauges:
            try:
                values = gauge.read()
            except Exception as err:  # whatever failed, only this source is lost
                reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
                log.warning("metrics: %s not read: %s: %s", gauge.name, type(err).__name__, reason)
                up[gauge.source] = False
                continue
            up.setdefault(gauge.source, True)
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labelnames)
            for labels, value in sorted(values.items()):
                family.add_metric(list(labels), value)
            yield family
        source_up = GaugeMetricFamily(
            SOURCE_UP,
            "1 when the source's metrics could be read at this scrape.",
            labels=["source"],
        )
        for source, is_up in sorted(up.items()):
            source_up.add_metric([source], 1.0 if is_up else 0.0)
        yield source_up
