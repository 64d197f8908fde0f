"""The load bench's machinery at a tiny rate: the stack starts, the load runs, the end state
is checked (`python -m bench load` at 200 requests/s is the real run; bench/README.md)."""

from __future__ import annotations

from bench import load
from bench.load import DeliveryMaker, EndState


def test_a_short_run_at_a_tiny_rate_processes_every_delivery_once() -> None:
    report = load.run(
        rate=10, seconds=2.5, workers=1, web_workers=1, drain_timeout_s=60, progress=lambda _: None
    )

    assert report.run.sent == 25
    assert [kind.errors for kind in report.run.kinds] == [0, 0]
    assert report.state.exactly_once, report.state.describe()
    assert report.passed
    assert "exactly once: yes" in load.render(report)


def test_deliveries_are_distinct_and_keyed_as_the_app_keys_them() -> None:
    maker = DeliveryMaker(first=7)
    first, second = maker.next(), maker.next()

    assert (first.conversation_id, first.thread_id) == (4_000_000_007, 9_000_000_007)
    assert first.delivery_key == "helpscout-convo_agent_reply_created-c4000000007-t9000000007"
    assert first.raw_body != second.raw_body


def test_a_lost_or_repeated_delivery_is_not_exactly_once() -> None:
    state = EndState(
        accepted=2, rows=2, done=2, not_done={}, lost=[], notes_missing=[], notes_repeated={4: 2}
    )

    assert not state.exactly_once
