"""The reconciliation benchmark at a tiny scale: its data, its local Help Scout and both passes
do what the figures at 10,000 claim to measure."""

from __future__ import annotations

import math

import pytest

from bench import reconcile
from helpscout_app.amazon.notification_email import NotificationKind, parse_notification
from helpscout_app.amazon.relay_address import parse_relay_address


@pytest.fixture(scope="module")
def report() -> reconcile.ReconcileReport:
    return reconcile.run(conversations=200, notifications=200, progress=lambda _: None)


def test_every_notification_is_matched_to_its_own_thread_except_the_missing(
    report: reconcile.ReconcileReport,
) -> None:
    first, second = report.first, report.incremental

    assert report.missing == 4
    assert first.counts["errors"] == [] and second.counts["errors"] == []
    assert first.counts["ingested"] == 200
    assert (first.matched_right, first.matched_wrong, first.unmatched_present) == (196, 0, 0)
    assert first.counts["missing"] == first.unmatched_missing == 4
    assert second.counts["ingested"] == report.changes["notifications"]
    assert second.matched_wrong == second.unmatched_present == 0
    assert second.matched_right == 196 + second.counts["matched"]
    assert second.counts["missing"] == 4  # the late ones are still inside the grace period


def test_the_cold_pass_stores_every_conversation_once_paging_by_time(
    report: reconcile.ReconcileReport,
) -> None:
    first = report.first

    assert first.counts["conversations_synced"] == 200
    # Each page after the first is asked for from the newest change listed (a second early),
    # so the conversations of that last second come again: a couple per request at most.
    assert 200 <= first.conversations_listed < 200 + first.list_requests * 2
    assert first.list_requests <= math.ceil(first.conversations_listed / reconcile.PAGE_SIZE)
    assert first.token_requests == 1 and first.other_requests == 0
    assert first.client_api_calls == first.helpscout_requests


def test_the_incremental_pass_reads_only_what_changed(report: reconcile.ReconcileReport) -> None:
    second = report.incremental

    assert report.changes["conversations"] <= second.conversations_listed < 200 / 4
    assert second.list_requests <= second.list_requests_allowed
    assert second.token_requests == 1 and second.other_requests == 0
    assert report.requests_passed
    assert second.counts["alerts_sent"] <= report.changes["conversations"]  # no repeats


def test_the_timings_add_up(report: reconcile.ReconcileReport) -> None:
    for measured in report.passes:
        assert 0 < measured.network_wait_s < measured.wall_s
        assert measured.processing_s == pytest.approx(measured.wall_s - measured.network_wait_s)
        assert sum(measured.phases_s.values()) <= measured.wall_s
        assert measured.sql_statements > 0


def test_a_generated_notification_reads_as_the_copy_of_its_thread() -> None:
    dataset = reconcile.build_dataset(20, 20, 0.1, seed=1)
    templates = reconcile.load_templates()
    threads = {t.id: (c, t) for c in dataset.conversations for t in c.threads}

    for spec in dataset.notifications:
        parsed = parse_notification(reconcile.render_notification(templates[spec.template], spec))
        relay = parse_relay_address(parsed.relay_address)

        assert parsed.kind is NotificationKind.BUYER_MESSAGE
        assert parsed.message_id == spec.message_id
        assert parsed.received_at == spec.at
        assert parsed.order_ids[0] == spec.order_id
        assert relay is not None and relay.suffix == spec.buyer.case
        if spec.thread_id is not None:
            conversation, thread = threads[spec.thread_id]
            payload = reconcile.conversation_payload(conversation)
            assert payload["primaryCustomer"]["email"] == parsed.relay_address
            assert payload["subject"] == parsed.subject
            assert abs((thread.at - spec.at).total_seconds()) <= 240
