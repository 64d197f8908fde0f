"""The webhook benchmark: what it sends is what the app accepts, each one a new delivery."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from pydantic import SecretStr
from rq import Queue

from bench.deliveries import DeliveryMaker
from bench.senders import Figures
from bench.webhook_ingest import SECRET, LoadResult, create_bare_app, summarize
from helpscout_app import create_app
from helpscout_app.settings import Settings


@pytest.fixture
def bench_client(settings: Settings, redis_test_url: str) -> FlaskClient:
    """The app with the benchmark's secret, on the test Redis database."""
    bench = settings.model_copy(
        update={"helpscout_webhook_secret": SecretStr(SECRET), "redis_url": redis_test_url}
    )
    return create_app(bench).test_client()


def test_every_delivery_is_accepted_and_new(bench_client: FlaskClient, queue: Queue) -> None:
    deliveries = DeliveryMaker(SECRET)

    statuses = [
        bench_client.post("/webhooks/helpscout", data=d.raw_body, headers=d.headers).status_code
        for d in (deliveries.next() for _ in range(3))
    ]

    assert statuses == [202, 202, 202]
    assert len(set(queue.job_ids)) == 3


def test_the_bare_endpoint_only_answers_200() -> None:
    client = create_bare_app().test_client()

    assert client.post("/webhooks/helpscout", data=b"anything").status_code == 200
    assert client.post("/webhooks/helpscout/").status_code == 200


def test_errors_are_what_is_not_2xx() -> None:
    statuses = {"202": 97, "503": 2, "ConnectionRefusedError": 1}
    result: LoadResult = summarize("amz-guard", "max", Figures.of([0.001] * 100, statuses), 2.0)

    assert (result.sent, result.ok, result.errors, result.per_second) == (100, 97, 3, 48.5)
