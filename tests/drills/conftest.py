"""Fault drills: `stack`, the real stack on private ports, one per drill module.

`stack` runs gunicorn serving `helpscout_app:create_app()`, `amz-guard worker` subprocesses, a
private `redis-server` (append-only file, fsync always), a database on a private PostgreSQL
cluster (`initdb` + `pg_ctl`, as the `postgres` user when run as root) and the local Help Scout
of `bench.fake_helpscout` (drill_stack.py). Nothing touches the shared Redis or PostgreSQL.

Without redis-server or PostgreSQL's binaries the drills skip, saying why; under `CI` they fail.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from drill_stack import Stack, unavailable

from bench.fake_helpscout import FakeHelpScout
from bench.load import DeliveryMaker
from bench.stack import PrivatePostgres, PrivateRedis, Workers, app_environment
from bench.webhook_ingest import BenchSetupError, free_port, gunicorn
from helpscout_app.store.migrate import upgrade


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The stack, one amz-guard worker running, no draft scan (its Help Scout calls would take
    the drills' faults); torn down after the module's drills."""
    yield from running_stack(workers=1, draft_scan_interval_s=86400)


@pytest.fixture(scope="module")
def two_worker_stack() -> Iterator[Stack]:
    """The stack with two amz-guard workers and the draft scan every 10 s."""
    yield from running_stack(workers=2, draft_scan_interval_s=10)


def running_stack(*, workers: int, draft_scan_interval_s: int) -> Iterator[Stack]:
    """Start every piece, yield the stack, stop them all (in reverse order)."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed (Debian: apt-get install redis-server)")
    workdir = Path(tempfile.mkdtemp(prefix="amz-guard-drill-"))
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, workdir, True)
        try:
            postgres = PrivatePostgres()
        except BenchSetupError as err:
            unavailable(str(err))
        cleanup.callback(postgres.close)
        database_url = postgres.create_database("amzguard_drill")
        upgrade(database_url)
        redis = PrivateRedis(workdir / "redis")
        cleanup.callback(redis.stop)
        fake = FakeHelpScout(free_port(), workdir / "fake-helpscout.log")
        cleanup.callback(fake.close)
        env = app_environment(
            workdir,
            database_url=database_url,
            redis_url=redis.url,
            helpscout_api_url=fake.api_url,
            DRAFT_SCAN_INTERVAL_S=str(draft_scan_interval_s),
        )
        processes = Workers(workdir, env)
        cleanup.callback(processes.stop)
        processes.start(workers)
        url = cleanup.enter_context(
            gunicorn("helpscout_app:create_app()", workdir, env, 2, "drill")
        )
        yield Stack(
            workdir=workdir,
            port=int(url.rsplit(":", 1)[1]),
            redis=redis,
            postgres=postgres,
            database_url=database_url,
            fake=fake,
            workers=processes,
            deliveries=DeliveryMaker(),
        )
