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
    """The stack, one amz-guard worker running; torn down after the module's drills."""
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
            # No draft scan during the drills: its Help Scout calls would take their faults.
            DRAFT_SCAN_INTERVAL_S="86400",
        )
        workers = Workers(workdir, env)
        cleanup.callback(workers.stop)
        workers.start(1)
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
            workers=workers,
            deliveries=DeliveryMaker(),
        )
