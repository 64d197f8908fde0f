"""The worker context: settings and engine built once by `amz-guard worker`, inherited by every
work horse, with connections of each process's own; jobs outside a worker build their own."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from helpscout_app.cli import main
from helpscout_app.settings import Settings
from helpscout_app.store.database import normalize_url
from helpscout_app.store.models import WebhookDelivery
from workers.enforcement import job_resources, job_settings
from workers.worker import warm_up_database
from workers.worker_context import (
    WorkerContext,
    current_worker_context,
    end_worker_context,
    start_worker_context,
)


def in_a_forked_process(function: Callable[[], Any]) -> Any:
    """Call `function` in a child made by `os.fork()`, as RQ makes a work horse; return what it
    returned (JSON through a pipe), or raise if the child failed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        status = 1
        try:
            os.write(write_end, json.dumps(function()).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0, "the forked process failed"
    return json.loads(answer)


def backend_pid(context: WorkerContext) -> int:
    """The PostgreSQL server process serving the connection the context's engine hands out."""
    with context.engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


@pytest.fixture
def postgres_context(settings: Settings, postgres_database_url: str) -> Iterator[WorkerContext]:
    """A worker context on a PostgreSQL database of the test's own, ended after."""
    yield start_worker_context(settings.model_copy(update={"database_url": postgres_database_url}))
    end_worker_context()


def test_a_forked_process_opens_a_connection_of_its_own(
    postgres_context: WorkerContext,
) -> None:
    parent_backend = backend_pid(postgres_context)  # its connection stays open in the pool

    child_backend = in_a_forked_process(lambda: backend_pid(current_worker_context()))

    assert child_backend != parent_backend
    # The child left the parent's connection alone: still open, still the same server process.
    assert backend_pid(postgres_context) == parent_backend


def test_a_work_horse_uses_the_settings_and_engine_the_worker_was_given(
    migrated: Settings, queue: Queue
) -> None:
    # No setting is in the environment (`clean_environment`): a horse reading it would not
    # find the app ID, and its default database would be another file.
    job = queue.enqueue("sample_jobs.describe_job_context")

    assert main(["worker", "--burst"], settings=migrated) == 0

    assert job.get_status(refresh=True) is JobStatus.FINISHED
    assert job.return_value() == {
        "pid": job.return_value()["pid"],
        "helpscout_app_id": "test-app-id",
        "database_url": normalize_url(migrated.database_url).render_as_string(hide_password=False),
    }
    assert job.return_value()["pid"] != os.getpid()  # it ran in a work horse


def test_the_worker_ends_its_context_and_keeps_nothing_of_its_warm_up(
    migrated: Settings, store_session: Session
) -> None:
    main(["worker", "--burst"], settings=migrated)

    assert current_worker_context() is None
    # The warm-up records a delivery under WARM_UP_DELIVERY and rolls it back.
    assert store_session.scalars(select(WebhookDelivery.delivery_key)).all() == []


def test_outside_a_worker_a_job_reads_the_settings_from_the_environment(
    worker_environment: Settings,
) -> None:
    assert current_worker_context() is None

    settings = job_settings()
    with job_resources() as resources:
        bind_url = resources.session.get_bind().url

    assert settings.database_url == worker_environment.database_url
    assert settings.helpscout_app_id == worker_environment.helpscout_app_id
    assert bind_url == normalize_url(worker_environment.database_url)


def test_a_job_given_other_settings_than_the_workers_uses_an_engine_of_its_own(
    settings: Settings, tmp_path: Any
) -> None:
    context = start_worker_context(settings)
    other = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'other.db'}"})
    try:
        with job_resources() as resources:
            assert resources.session.get_bind() is context.engine
            assert resources.settings is context.settings
        with job_resources(other) as resources:
            assert resources.session.get_bind().url == normalize_url(other.database_url)
            assert resources.settings is other
    finally:
        end_worker_context()


def test_a_database_down_at_the_warm_up_does_not_stop_the_worker(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    down = settings.model_copy(update={"database_url": "postgresql://postgres@127.0.0.1:9/down"})
    context = start_worker_context(down)
    try:
        warm_up_database(context)
    finally:
        end_worker_context()

    assert "database warm-up skipped (OperationalError)" in caplog.text
