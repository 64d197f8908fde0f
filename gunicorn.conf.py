"""gunicorn settings for amz-guard: `gunicorn -c gunicorn.conf.py 'helpscout_app:create_app()'`.

Self-contained: everything here comes from the environment, with defaults that fit a container.

- `GUNICORN_BIND` (default `0.0.0.0:8000`) and `WEB_CONCURRENCY` (worker processes, default 2).
- `PROMETHEUS_MULTIPROC_DIR`: where each gunicorn worker keeps its metric counters as a small
  file, so /metrics (served by any one worker) sums them all. Default: `amz-guard-metrics` in the
  system's temp directory. It must be set before prometheus-client is imported, which is why it
  is set here, in the master, before any worker loads the app; it is emptied when gunicorn starts
  (counts of an earlier run would otherwise be added to this one's), and `child_exit` tells
  prometheus-client a worker is gone. Give each gunicorn its own directory; do not set it for
  `amz-guard worker` (observability/metrics.py says why the workers count in Redis instead).
- `worker_tmp_dir`: gunicorn's heartbeat files go to `/dev/shm` where it exists: on a disk-backed
  /tmp (Docker's overlay) a slow disk can make gunicorn think a worker hangs.
- Access log: off by default, since the app logs one JSON line per request with its request ID
  (`observability/request_ids.py`); `GUNICORN_ACCESS_LOG=1` turns gunicorn's own on, as JSON.
  gunicorn's own messages (booting, worker exits) go through the app's JSON logging once a worker
  has built the app, and through gunicorn's plain handler in the master.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

MULTIPROC_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / "amz-guard-metrics")
)

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Webhooks answer in milliseconds and readiness probes in at most a few seconds; a request that
# takes this long is stuck (the Help Scout and SP-API calls of the sidebar have shorter timeouts).
timeout = 30
graceful_timeout = 20
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "0") == "1" else None
access_log_format = (
    '{"event": "access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": "%(s)s", "bytes": "%(B)s", "duration_us": "%(D)s", '
    '"request_id": "%({x-request-id}o)s"}'
)


def on_starting(_server: Any) -> None:
    """Start from an empty metrics directory (counts of a previous run are not this run's)."""
    shutil.rmtree(MULTIPROC_DIR, ignore_errors=True)
    Path(MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)


def child_exit(_server: Any, worker: Any) -> None:
    """A worker is gone: drop its live gauges (its counters stay, summed, as they must)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
