"""The sidebar benchmark runs end to end on a short run: every signed request it sends is
answered 200 from the warm caches (the order and the blocked draft shown), none goes outside."""

from __future__ import annotations

import pytest

from bench import sidebar_latency


# bench.webhook_ingest's start-up probe (shared with this bench) leaves its polling connections
# to be closed by the garbage collector; that is the bench's harness, not the app under test.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_short_run_answers_every_request_from_warm_caches(redis_test_url: str) -> None:
    report = sidebar_latency.run(requests=3, web_workers=1, progress=lambda _: None)

    assert [(r.name, r.requests, r.errors) for r in report.results] == [
        ("POST /sidebar/dynamic", 3, 0),
        ("GET /sidebar/app", 3, 0),
    ]
    assert all(r.p99_ms is not None for r in report.results)
